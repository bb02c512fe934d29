//! `gridtrust`: GridTrust's command line.
//!
//! `gridtrust demo` runs the main job on the embedded sandbox chain (no node needed).
use anyhow::Result;
use clap::{Parser, Subcommand};

mod demo;

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
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Demo => demo::run(),
    }
}
