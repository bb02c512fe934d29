#!/usr/bin/env bash
# Installs what the portal's browser tests drive, only when missing: Debian's Chromium and its
# WebDriver (the machine reaches Debian's package mirror; a test tool's own browser download does not
# work offline). Needs root, as CI has; elsewhere run it with sudo once.
set -euo pipefail
# A CJK system font too, so the Chinese pages render in screenshots (a font on the machine, not a
# web font the page would fetch).
if [[ -x /usr/bin/chromium && -x /usr/bin/chromedriver && -d /usr/share/fonts/opentype/noto ]]; then
    exit 0
fi
echo "setup: installing chromium, chromium-driver and fonts-noto-cjk (Debian packages) for the portal's browser tests"
if [[ $(id -u) -ne 0 ]]; then
    echo "setup: this needs root: sudo $0" >&2
    exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-noto-cjk >/dev/null
