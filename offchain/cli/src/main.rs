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
    /// Write the sample town (300 meters, a week of 15-minute readings, a storm, a peak) as
    /// `readings.csv` and `events.csv`; the same every time.
    Sample {
        /// The folder to write to (created when missing).
        #[arg(long, value_name = "DIR", default_value = "sample")]
        out: PathBuf,
    },
    /// List the feeder outages the ingested meter events show (3 dark meters make an outage).
    Outages {
        /// The SQLite database.
        #[arg(long, value_name = "PATH", default_value = "oracle.db")]
        db: PathBuf,
    },
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Demo => demo::run().map(drop),
        Command::Bench { json, quick } => bench::run(json, quick),
        Command::Oracle(OracleCommand::Ingest { db, files }) => ingest(&db, &files),
        Command::Oracle(OracleCommand::Sample { out }) => sample(&out),
        Command::Oracle(OracleCommand::Outages { db }) => outages(&db),
    }
}

/// `oracle sample`: the town starting 2026-01-05 (a Monday), midnight UTC.
fn sample(out: &std::path::Path) -> Result<()> {
    use gridtrust_oracle::sample::{generate, write_csv, SampleSpec};
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let data = generate(&SampleSpec::town(1_767_571_200_000));
    write_csv(&data, out).with_context(|| format!("writing into {}", out.display()))?;
    println!(
        "{}: {} readings, {} meter events",
        out.display(),
        data.readings.len(),
        data.events.len()
    );
    Ok(())
}

/// `oracle outages`: what the stored meter events say, as of now.
fn outages(db: &std::path::Path) -> Result<()> {
    use gridtrust_oracle::outages::{decide, OutageRule};
    let store =
        gridtrust_oracle::Store::open(db).with_context(|| format!("opening {}", db.display()))?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    let found = decide(&store.events()?, &OutageRule::default(), now);
    if found.is_empty() {
        println!("no outages");
    }
    for o in found {
        let length = o.end_ms.map_or("still open".to_owned(), |end| {
            format!("{} minutes", (end - o.start_ms) / 60_000)
        });
        let stale = if o.stale {
            " (stale: no restore for over a day)"
        } else {
            ""
        };
        println!(
            "feeder {}: from {} ms, {length}, {} meters{stale}",
            o.feeder,
            o.start_ms,
            o.meters.len()
        );
    }
    Ok(())
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
