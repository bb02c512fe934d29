#!/usr/bin/env bash
# End-to-end tests against a real node: each test starts its own gridtrust-node dev chain
# (`gridtrust_chain::LocalNode`). They run when the binary is found ($GRIDTRUST_NODE, or gridtrust-node
# on PATH: `make node` installs it); otherwise this says in one line that they were skipped and why.
set -euo pipefail
cd "$(dirname "$0")/.."

node=${GRIDTRUST_NODE:-$(command -v gridtrust-node || true)}
if [ -z "$node" ] || [ ! -x "$node" ]; then
    echo "e2e: SKIPPED: no gridtrust-node binary (make node builds and installs it; or set GRIDTRUST_NODE), so nothing ran against a real node"
    exit 0
fi
echo "e2e: against $("$node" --version 2>/dev/null || echo "$node")"
export GRIDTRUST_NODE="$node"
# One node per test and real time inside them: one test at a time. `--workspace` resolves features as
# `make test`'s workspace run did, so nothing is compiled again.
cargo test --release --workspace --test node_client --test node_e2e --test network_e2e -- --ignored --test-threads=1
