#!/usr/bin/env bash
# End-to-end tests against a real contracts-node: each test starts its own dev chain (deploy/,
# `gridtrust_chain::LocalNode`). They run when a node binary is found ($CONTRACTS_NODE, or
# substrate-contracts-node on PATH); otherwise this says in one line that they were skipped and why.
set -euo pipefail
cd "$(dirname "$0")/.."

node=${CONTRACTS_NODE:-$(command -v substrate-contracts-node || true)}
if [ -z "$node" ] || [ ! -x "$node" ]; then
    echo "e2e: SKIPPED: no contracts-node binary (set CONTRACTS_NODE or put substrate-contracts-node on PATH; deploy/README.md says how to build it), so nothing ran against a real node"
    exit 0
fi
echo "e2e: against $("$node" --version 2>/dev/null || echo "$node")"
export CONTRACTS_NODE="$node"
# One node per test and real time inside them: one test at a time. `--workspace` resolves features as
# `make test`'s workspace run did, so nothing is compiled again.
cargo test --release --workspace --test node_client --test node_e2e -- --ignored --test-threads=1
