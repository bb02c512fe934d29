#!/usr/bin/env bash
# Builds the portal's in-browser check: contracts/common's rules compiled to WebAssembly
# (offchain/check), served by `gridtrust portal` and `gridtrust demo --serve` as /assets/check.wasm.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --target wasm32-unknown-unknown -p gridtrust-check
wasm="${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/release/gridtrust_check.wasm"
# The browser provides no host functions: the module must import nothing.
if command -v python3 >/dev/null; then
    python3 - "$wasm" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
assert data[:4] == b"\0asm", "not a Wasm module"
i, imports = 8, 0
def leb(i):
    v = s = 0
    while True:
        b = data[i]; i += 1; v |= (b & 0x7F) << s; s += 7
        if b < 0x80: return v, i
while i < len(data):
    sid = data[i]; size, j = leb(i + 1)
    if sid == 2:
        imports, _ = leb(j)
    i = j + size
if imports:
    sys.exit(f"{sys.argv[1]} imports {imports} functions; the browser check must import none")
PY
fi
echo "check.wasm: $(wc -c <"$wasm") bytes ($wasm)"
