#!/usr/bin/env bash
# Loads every contract bundle with polkadot.js (@polkadot/api-contract's Abi), as Contracts UI and
# polkadot.js apps do, so a bundle those tools cannot read fails the tests. Installs Node.js from
# Debian and the two npm packages (into scripts/polkadotjs/node_modules, ignored by git) when missing.
set -euo pipefail
cd "$(dirname "$0")/polkadotjs"
target=${CARGO_TARGET_DIR:-../../target}
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "polkadotjs: installing nodejs and npm (Debian packages)"
    if [[ $(id -u) -ne 0 ]]; then
        echo "polkadotjs: this needs root: sudo apt-get install nodejs npm" >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
if [[ ! -d node_modules/@polkadot/api-contract ]]; then
    npm install --no-audit --no-fund --silent
fi
bundles=("$target"/ink/*/*.contract)
if [[ ${#bundles[@]} -ne 4 || ! -f ${bundles[0]} ]]; then
    echo "polkadotjs: expected the four bundles under $target/ink (make contracts builds them)" >&2
    exit 1
fi
node check.mjs "${bundles[@]}"
