#!/usr/bin/env bash
# Builds every contract under contracts/ (all but the `common` library) with cargo-contract, release mode,
# to $CARGO_TARGET_DIR/ink/<name>/<name>.contract. A contract whose bundle is newer than its sources, the
# shared library, the lock file and the toolchain pin is skipped, so an unchanged tree costs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

target_dir=${CARGO_TARGET_DIR:-$PWD/target}
shared_inputs=(contracts/common Cargo.lock Cargo.toml rust-toolchain.toml)

newer_than() { # newer_than FILE PATH...: is any file under PATH... newer than FILE?
    local stamp=$1
    shift
    [ -n "$(find "$@" -newer "$stamp" -type f -print -quit)" ]
}

for dir in contracts/*/; do
    name=$(basename "$dir")
    [ "$name" = common ] && continue
    bundle="$target_dir/ink/$name/$name.contract"
    if [ -f "$bundle" ] && ! newer_than "$bundle" "$dir" "${shared_inputs[@]}"; then
        echo "contracts: $name is up to date ($bundle)"
        continue
    fi
    echo "contracts: building $name"
    cargo contract build --release --quiet --manifest-path "$dir/Cargo.toml"
    [ -f "$bundle" ] || { echo "contracts: cargo-contract did not produce $bundle" >&2; exit 1; }
    touch "$bundle"
done
