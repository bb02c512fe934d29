#!/usr/bin/env bash
# Installs what building GridTrust needs, only when it is missing: the pinned Rust toolchain (with its
# components and the wasm target) and cargo-contract. Safe to run any number of times; fast when all is there.
set -euo pipefail
cd "$(dirname "$0")/.."

toolchain=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)
cargo_contract_version=5.0.3
cache_dir=${GRIDTRUST_CACHE:-$HOME/.cache/gridtrust}

if ! command -v rustup >/dev/null; then
    echo "setup: rustup is required (https://rustup.rs); it installs the pinned toolchain $toolchain" >&2
    exit 1
fi

# RUSTUP_AUTO_INSTALL=0 on these machines: nothing installs itself, so install the pin explicitly.
if ! rustup toolchain list | grep -q "^$toolchain-"; then
    echo "setup: installing Rust $toolchain (pinned in rust-toolchain.toml)"
    rustup toolchain install "$toolchain" --profile minimal \
        --component rust-src,clippy,rustfmt --target wasm32-unknown-unknown
fi
installed=$(rustup component list --toolchain "$toolchain" --installed)
for component in rust-src clippy rustfmt; do
    grep -q "^$component" <<<"$installed" || rustup component add --toolchain "$toolchain" "$component"
done
grep -q "^rust-std-wasm32-unknown-unknown" <<<"$installed" \
    || rustup target add --toolchain "$toolchain" wasm32-unknown-unknown

if ! cargo contract --version 2>/dev/null | grep -q "cargo-contract-contract $cargo_contract_version"; then
    echo "setup: installing cargo-contract $cargo_contract_version; on 2 cores this takes about 28 minutes" \
         "(it compiles binaryen), once per machine"
    mkdir -p "$cache_dir"
    cargo "+$toolchain" install cargo-contract --version "$cargo_contract_version" --locked --force \
        --target-dir "$cache_dir/cargo-contract-build"
fi
