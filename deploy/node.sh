#!/usr/bin/env bash
# Starts a local contracts-node dev chain (substrate-contracts-node 0.42) with RPC on 127.0.0.1:9944,
# the port deploy/*.toml name, and keeps it running until Ctrl-C. Arguments go to `gridtrust node`
# (`--rpc-port N` for another port, `--base-path DIR` to keep the chain between runs). The binary comes from $CONTRACTS_NODE or PATH;
# see deploy/README.md for how to install it.
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo run --release --quiet -p gridtrust -- node "$@"
