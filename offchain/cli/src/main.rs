//! `gridtrust`: GridTrust's command line.
//!
//! `gridtrust demo` runs the main job on the embedded sandbox chain (no node needed).
use std::path::PathBuf;

use anyhow::Result;
use clap::{Parser, Subcommand};

use gridtrust::{bench, demo};

/// GridTrust: identity attestations, reservations, demand-response settlement and outage insurance as
/// ink! contracts, with the oracle that feeds them.
#[derive(Parser)]
#[command(name = "gridtrust", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Deploy every contract into the embedded sandbox chain and run the demo scenario.
    Demo,
    /// Measure contract sizes and message weights on the sandbox chain with the real Wasm.
    Bench {
        /// Also write the figures as JSON to this file.
        #[arg(long, value_name = "PATH")]
        json: Option<PathBuf>,
        /// Skip the slow 100,000-policy case.
        #[arg(long)]
        quick: bool,
    },
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Demo => demo::run().map(drop),
        Command::Bench { json, quick } => bench::run(json, quick),
    }
}
