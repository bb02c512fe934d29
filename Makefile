# GridTrust: `make demo` runs the main job, `make test` runs every test. Both install what is missing.
SHELL := /bin/bash
export CARGO_TARGET_DIR ?= $(CURDIR)/target

.PHONY: demo test bench setup node browser contracts check-wasm polkadotjs portal lint fmt network

## Deploy every contract into the embedded sandbox chain and run the demo.
demo: contracts
	cargo run --release --quiet -p gridtrust -- demo

## The demo, then the portal over its town at http://127.0.0.1:8080/ until Ctrl-C (ADDR=host:port).
portal: contracts check-wasm
	cargo run --release --quiet -p gridtrust -- demo --serve $(ADDR)

## Formatting, lints, contract builds and every test; the end-to-end tests run against a real
## gridtrust-node when it is installed (scripts/e2e.sh says when they are skipped).
test: contracts check-wasm polkadotjs browser lint
	cargo test --release --workspace
	@scripts/e2e.sh

## Contract sizes and message weights on the sandbox (as JSON: make -s bench ARGS=--json > bench.json),
## and the payout on gridtrust-node when it is installed (make node).
bench: contracts
	cargo run --release --quiet -p gridtrust -- bench $(ARGS) \
		$$( [ -x "$${GRIDTRUST_NODE:-}" ] || command -v gridtrust-node >/dev/null && echo --node )

## Install the pinned toolchain and cargo-contract when missing.
setup:
	@scripts/setup.sh

## gridtrust-node (deploy/node) for the end-to-end tests (45–90 min once, resumable; skipped when current).
node:
	@scripts/install-node.sh

## A network of four validators on this machine (grid company, two insurers, regulator) in ./network,
## with the contracts, three oracle daemons and the portal; `gridtrust network status|down` after.
network: node contracts
	cargo run --release --quiet -p gridtrust -- network up $(ARGS)

## Chromium and chromedriver for the portal's browser tests (Debian packages, when missing).
browser:
	@scripts/setup-browser.sh

## The portal's in-browser check (contracts/common's rules as WebAssembly).
check-wasm: setup
	@scripts/build-check.sh

## polkadot.js (as Contracts UI uses it) loads every bundle (installs Node.js and its packages when missing).
polkadotjs: contracts
	@scripts/check-polkadotjs.sh

## Build the contract bundles (skipped when up to date).
contracts: setup
	@scripts/build-contracts.sh

## rustfmt and clippy over the whole workspace, and over the node-only `gridtrust` (no sandbox linked).
lint: setup
	cargo fmt --all --check
	cargo clippy --release --workspace --all-targets -- -D warnings
	cargo clippy --release -p gridtrust --no-default-features -- -D warnings

fmt:
	cargo fmt --all
