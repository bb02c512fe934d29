#!/usr/bin/env bash
# Starts a local contracts-node dev chain (substrate-contracts-node 0.42) on a free loopback port and
# keeps it running until Ctrl-C; prints the RPC URL to deploy to. Arguments go to `gridtrust node`
# (`--base-path DIR` keeps the chain between runs). The binary comes from $CONTRACTS_NODE or PATH;
# see deploy/README.md for how to install it.
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo run --release --quiet -p gridtrust -- node "$@"
