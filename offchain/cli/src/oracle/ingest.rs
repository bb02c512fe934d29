//! `gridtrust oracle ingest`: files of readings and meter events into the oracle's database.

use std::path::PathBuf;

use anyhow::{Context, Result};

/// Ingest CSV or JSON Lines files into the oracle's database.
#[derive(Debug, clap::Args)]
pub struct IngestCommand {
    /// The SQLite database (created when missing).
    #[arg(long, value_name = "PATH", default_value = "oracle.db")]
    db: PathBuf,
    /// Files to ingest (`.csv` or `.jsonl`).
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

impl IngestCommand {
    /// Every file is ingested even when an earlier one had bad lines; the exit status says whether
    /// any line was rejected.
    pub fn run(&self) -> Result<()> {
        let db = &self.db;
        let mut store = gridtrust_oracle::Store::open(db)
            .with_context(|| format!("opening {}", db.display()))?;
        let mut rejected = 0;
        for file in &self.files {
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
}
