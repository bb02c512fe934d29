//! `gridtrust`: GridTrust's command line.
//!
//! `gridtrust demo` runs the main job on the embedded sandbox chain (no node needed).
use std::path::PathBuf;

use anyhow::{Context, Result};
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
    /// The meter-data oracle.
    #[command(subcommand)]
    Oracle(OracleCommand),
}

#[derive(Subcommand)]
enum OracleCommand {
    /// Ingest CSV or JSON Lines files of readings and meter events into the oracle's database; bad
    /// lines are listed with file and line number and the rest is stored.
    Ingest {
        /// The SQLite database (created when missing).
        #[arg(long, value_name = "PATH", default_value = "oracle.db")]
        db: PathBuf,
        /// Files to ingest (`.csv` or `.jsonl`).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Demo => demo::run().map(drop),
        Command::Bench { json, quick } => bench::run(json, quick),
        Command::Oracle(OracleCommand::Ingest { db, files }) => ingest(&db, &files),
    }
}

/// `oracle ingest`: every file is ingested even when an earlier one had bad lines; the exit status says
/// whether any line was rejected.
fn ingest(db: &std::path::Path, files: &[PathBuf]) -> Result<()> {
    let mut store =
        gridtrust_oracle::Store::open(db).with_context(|| format!("opening {}", db.display()))?;
    let mut rejected = 0;
    for file in files {
        let report = gridtrust_oracle::ingest_file(file, &mut store)?;
        for reject in &report.rejects {
            eprintln!("rejected {reject}");
        }
        rejected += report.rejects.len();
        println!(
            "{}: {} readings, {} events, {} lines rejected",
            file.display(),
            report.readings,
            report.events,
            report.rejects.len()
        );
    }
    anyhow::ensure!(rejected == 0, "{rejected} lines rejected");
    Ok(())
}
