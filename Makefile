# GridTrust: `make demo` runs the main job, `make test` runs every test. Both install what is missing.
SHELL := /bin/bash
export CARGO_TARGET_DIR ?= $(CURDIR)/target

.PHONY: demo test bench setup contracts lint fmt

## Deploy every contract into the embedded sandbox chain and run the demo.
demo: contracts
	cargo run --release --quiet -p gridtrust -- demo

## Formatting, lints, contract builds and every test; the end-to-end tests run against a real
## contracts-node when one is installed (scripts/e2e.sh says when they are skipped).
test: contracts lint
	cargo test --release --workspace
	@scripts/e2e.sh

## Contract sizes and message weights on the sandbox (JSON too: make bench ARGS="--json bench.json").
bench: contracts
	cargo run --release --quiet -p gridtrust -- bench $(ARGS)

## Install the pinned toolchain and cargo-contract when missing.
setup:
	@scripts/setup.sh

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
