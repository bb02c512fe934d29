#!/usr/bin/env bash
# Builds every contract under contracts/ (all but the `common` library) with cargo-contract, release mode,
# to $CARGO_TARGET_DIR/ink/<name>/<name>.contract. A bundle is rebuilt only when the content of its inputs
# (its folder, contracts/common, the lock file, the workspace manifest, the toolchain pin) changed since it
# was built; content, not timestamps, so a fresh clone reuses bundles built from the same sources.
set -euo pipefail
cd "$(dirname "$0")/.."

target_dir=${CARGO_TARGET_DIR:-$PWD/target}
shared_inputs=(contracts/common Cargo.lock Cargo.toml rust-toolchain.toml)

inputs_digest() { # inputs_digest PATH...: one hash over the names and contents of every file under PATH...
    find "$@" -type f -not -path '*/target/*' -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1
}

for dir in contracts/*/; do
    name=$(basename "$dir")
    [ "$name" = common ] && continue
    bundle="$target_dir/ink/$name/$name.contract"
    stamp="$bundle.inputs"
    digest=$(inputs_digest "$dir" "${shared_inputs[@]}")
    if [ -f "$bundle" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$digest" ]; then
        echo "contracts: $name is up to date ($bundle)" >&2
        continue
    fi
    echo "contracts: building $name" >&2
    cargo contract build --release --quiet --manifest-path "$dir/Cargo.toml"
    [ -f "$bundle" ] || { echo "contracts: cargo-contract did not produce $bundle" >&2; exit 1; }
    echo "$digest" >"$stamp"
done
