#!/usr/bin/env bash
# Starts a local gridtrust-node dev chain with RPC on 127.0.0.1:9944, the port deploy/*.toml name, and
# keeps it running until Ctrl-C. Arguments go to `gridtrust node` (`--rpc-port N` for another port,
# `--base-path DIR` to keep the chain between runs). The binary comes from $GRIDTRUST_NODE or PATH
# (`make node` installs it; deploy/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo run --release --quiet -p gridtrust -- node "$@"
