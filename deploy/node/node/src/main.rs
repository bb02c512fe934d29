//! gridtrust-node: a node of a GridTrust network, or with `--dev` a one-authority chain for
//! development and tests that seals a block as soon as a transaction arrives.
//!
//! - [`chain_spec`]: the chains it knows (dev, local) and the genesis of a network made from its
//!   parties' keys (`network-spec`);
//! - [`service`]: the node's parts — Aura authoring and GRANDPA finality on a network, instant
//!   seal on a dev chain;
//! - [`rpc`]: the RPC methods beyond the standard ones (account nonces, fees);
//! - [`cli`] and [`command`]: the command line.

mod chain_spec;
mod cli;
mod command;
mod rpc;
mod service;

fn main() -> sc_cli::Result<()> {
    command::run()
}
