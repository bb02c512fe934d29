#!/usr/bin/env bash
# Builds and installs gridtrust-node (deploy/node: our own node, Aura + GRANDPA + pallet-contracts) as
# ~/.cargo/bin/gridtrust-node, once per source: skipped when the installed binary was built from the
# node's sources as they are now. The first build is long (45–90 minutes on 2 cores) but resumable: its
# fixed target directory keeps what was compiled, so running this again after an interruption
# continues where it stopped. Once installed, `make test` includes the end-to-end tests on a real node
# (scripts/e2e.sh). The node is its own workspace: `make test` and CI never compile it.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${GRIDTRUST_NODE_BUILD:-$HOME/.cache/gridtrust/node-target}
bin_dir=${CARGO_HOME:-$HOME/.cargo}/bin
installed=$bin_dir/gridtrust-node

# What the binary is built from: the node's sources, its lock file and its toolchain pin.
sources_digest() {
    find deploy/node -type f -not -path 'deploy/node/target/*' -print0 | sort -z \
        | xargs -0 sha256sum | sha256sum | cut -d' ' -f1
}
digest=$(sources_digest)
if [[ -x $installed && "$(cat "$installed.sources" 2>/dev/null)" == "$digest" ]]; then
    echo "node: $("$installed" --version) is installed ($installed) and current"
    exit 0
fi

toolchain=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' deploy/node/rust-toolchain.toml)
if ! rustup toolchain list | grep -q "^$toolchain-"; then
    rustup toolchain install "$toolchain" --profile minimal \
        --component rust-src,clippy,rustfmt --target wasm32-unknown-unknown
fi
missing=()
command -v protoc >/dev/null || missing+=(protobuf-compiler)
command -v clang >/dev/null || missing+=(clang)
ls /usr/lib/llvm-*/lib/libclang.so* >/dev/null 2>&1 || missing+=(libclang-dev)
if ((${#missing[@]})); then
    echo "node: installing ${missing[*]} (Debian packages the node's build needs)"
    if [[ $(id -u) -ne 0 ]]; then
        echo "node: this needs root: sudo apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

echo "node: building gridtrust-node in $build_dir (45–90 minutes on 2 cores the first time; resumable)"
(cd deploy/node && cargo "+$toolchain" build --release --locked -p gridtrust-node --target-dir "$build_dir")
mkdir -p "$bin_dir"
install -m 755 "$build_dir/release/gridtrust-node" "$installed.new"
mv "$installed.new" "$installed"
echo "$digest" >"$installed.sources"
echo "node: installed $("$installed" --version) as $installed; make test now runs the end-to-end tests on it"
