//! `gridtrust oracle …`: the meter-data oracle's commands, one module each.

mod ingest;
mod outages;
mod run;
mod sample;
mod verify;

use anyhow::Result;

pub use self::{
    ingest::IngestCommand, outages::OutagesCommand, run::RunCommand, sample::SampleCommand,
    verify::VerifyCommand,
};

/// The meter-data oracle.
#[derive(Debug, clap::Subcommand)]
pub enum OracleCommand {
    /// Ingest CSV, JSON Lines or Green Button (.xml) files of readings and meter events into the
    /// oracle's database; bad lines are listed with file and line number and the rest is stored.
    Ingest(IngestCommand),
    /// Write the sample town (300 meters, a week of 15-minute readings, a storm, a peak) as
    /// `readings.csv` and `events.csv` (or, with `--zhejiang`, as a Zhejiang utility's export, Green
    /// Button feed and holiday calendar); the same every time.
    Sample(SampleCommand),
    /// Run one committee operator's daemon against a node: ingest from a watched folder and HTTP,
    /// decide outages and demand-response results, send reports, trigger payouts; until SIGINT/SIGTERM.
    Run(RunCommand),
    /// Recompute a customer's demand-response entry from this operator's data or the customer's own
    /// readings (baseline with the shared code, subsidy with the shared formula) and prove each
    /// reading against the chain.
    Verify(VerifyCommand),
    /// List the feeder outages the ingested meter events show (3 dark meters make an outage).
    Outages(OutagesCommand),
}

impl OracleCommand {
    /// Runs the subcommand.
    pub fn run(&self) -> Result<()> {
        match self {
            Self::Ingest(c) => c.run(),
            Self::Sample(c) => c.run(),
            Self::Run(c) => c.run(),
            Self::Verify(c) => c.run(),
            Self::Outages(c) => c.run(),
        }
    }
}
