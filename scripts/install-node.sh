#!/usr/bin/env bash
# Installs contracts-node 0.42 (`substrate-contracts-node`) as deploy/README.md describes, once per
# machine: skipped when that version is already on PATH (or at $CONTRACTS_NODE). The build is long
# (75–80 minutes on 2 cores with the machine to itself) but resumable: its fixed target directory
# keeps what was compiled, so running this again after an interruption continues where it stopped.
# Once installed, `make test` includes the end-to-end tests on a real node (scripts/e2e.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

version=0.42.0
toolchain=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)
build_dir=${GRIDTRUST_NODE_BUILD:-$HOME/.cache/contracts-node-build}

node=${CONTRACTS_NODE:-$(command -v substrate-contracts-node || true)}
if [[ -n $node && -x $node ]] && "$node" --version 2>/dev/null | grep -q "substrate-contracts-node $version"; then
    echo "node: $("$node" --version) is installed ($node)"
    exit 0
fi

scripts/setup.sh  # the pinned toolchain
missing=()
command -v protoc >/dev/null || missing+=(protobuf-compiler)
command -v clang >/dev/null || missing+=(clang)
ls /usr/lib/llvm-*/lib/libclang*.so* >/dev/null 2>&1 || missing+=(libclang-dev)
if ((${#missing[@]})); then
    echo "node: installing ${missing[*]} (Debian packages the node's build needs)"
    if [[ $(id -u) -ne 0 ]]; then
        echo "node: this needs root: sudo apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Unpack the crate into cargo's registry, so the runtime's Wasm build can be pointed at the crate's
# own Cargo.lock (without the hint substrate-wasm-builder resolves newer crates Rust 1.86 cannot build).
cargo "+$toolchain" info "contracts-node@$version" >/dev/null
source_dir=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/contracts-node-$version | head -n 1)
echo "node: building contracts-node $version in $build_dir (75–80 minutes on 2 cores; resumable)"
WASM_BUILD_WORKSPACE_HINT=$source_dir \
    cargo "+$toolchain" install contracts-node --version "$version" --locked --target-dir "$build_dir"
echo "node: installed $(substrate-contracts-node --version); make test now runs the end-to-end tests"
