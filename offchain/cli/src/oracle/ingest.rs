//! `gridtrust oracle ingest`: files of readings and meter events into the oracle's database.

use std::path::PathBuf;

use anyhow::{Context, Result};
use gridtrust_common::time::MINUTE_MS;
use gridtrust_oracle::{
    ingest::{bounds::date_ms, IngestReport},
    Bounds,
};
use serde_json::json;

/// Ingest CSV, JSON Lines or Green Button (.xml) files into the oracle's database.
#[derive(Debug, clap::Args)]
pub struct IngestCommand {
    /// The SQLite database (created when missing).
    #[arg(long, value_name = "PATH", default_value = "oracle.db")]
    db: PathBuf,
    /// Files to ingest (`.csv` or `.jsonl`).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    #[command(flatten)]
    bounds: BoundsArgs,
    /// Print one JSON object per file (and a summary) instead of text.
    #[arg(long)]
    json: bool,
}

/// The plausibility bounds, as the daemon's `[ingest]` section sets them.
#[derive(Debug, clap::Args)]
struct BoundsArgs {
    /// Reject timestamps before this day (UTC).
    #[arg(long, value_name = "YYYY-MM-DD", default_value = "2000-01-01")]
    not_before: String,
    /// How far a timestamp may be ahead of this machine's clock.
    #[arg(long, value_name = "MINUTES", default_value_t = 15)]
    future_tolerance_minutes: u64,
    /// The reading interval: interval starts must be multiples of it.
    #[arg(long, value_name = "SECONDS", default_value_t = 900)]
    interval_seconds: u64,
    /// The most energy one meter may draw in one interval.
    #[arg(long, value_name = "WH", default_value_t = 1_000_000)]
    max_wh_per_interval: u64,
    /// Take events only from these feeders (default: any).
    #[arg(long, value_name = "N,N,…", value_delimiter = ',')]
    feeders: Option<Vec<u32>>,
}

impl BoundsArgs {
    fn bounds(&self) -> Result<Bounds> {
        anyhow::ensure!(
            self.interval_seconds > 0,
            "--interval-seconds must be at least 1"
        );
        Ok(Bounds {
            not_before_ms: date_ms(&self.not_before)
                .map_err(|e| anyhow::anyhow!("--not-before: {e}"))?,
            future_tolerance_ms: self.future_tolerance_minutes.saturating_mul(MINUTE_MS),
            interval_ms: self.interval_seconds.saturating_mul(1_000),
            max_wh: self.max_wh_per_interval,
            feeders: self.feeders.as_ref().map(|f| f.iter().copied().collect()),
        })
    }
}

fn report_json(file: &std::path::Path, report: &IngestReport) -> serde_json::Value {
    json!({
        "file": file.display().to_string(),
        "readings": report.readings,
        "events": report.events,
        "unchanged": report.unchanged,
        "corrections": report.corrections,
        "corrections_refused": report.corrections_refused,
        "marked_estimated_or_missing": report.unusable,
        "rejected": report.rejects.iter().map(|r| json!({"line": r.line, "reason": r.reason})).collect::<Vec<_>>(),
    })
}

impl IngestCommand {
    /// Every file is ingested even when an earlier one had bad lines or could not be read at all;
    /// the exit status says whether any line was rejected or any file failed, and which.
    pub fn run(&self) -> Result<()> {
        let bounds = self.bounds.bounds()?;
        let db = &self.db;
        let mut store = gridtrust_oracle::Store::open(db)
            .with_context(|| format!("opening {}", db.display()))?;
        let (mut rejected, mut failed) = (0, Vec::new());
        for file in &self.files {
            let report = match gridtrust_oracle::ingest_file(file, &bounds, &mut store) {
                Ok(report) => report,
                Err(e) => {
                    if self.json {
                        println!(
                            "{}",
                            json!({"file": file.display().to_string(), "error": e.to_string()})
                        );
                    } else {
                        eprintln!("failed {e}; nothing of it was stored");
                    }
                    failed.push(file.display().to_string());
                    continue;
                }
            };
            rejected += report.rejects.len();
            if self.json {
                println!("{}", report_json(file, &report));
                continue;
            }
            for reject in &report.rejects {
                eprintln!("rejected {reject}");
            }
            println!(
                "{}: {} readings, {} events, {} unchanged, {} corrections, {} intervals marked estimated or missing, {} lines rejected",
                file.display(),
                report.readings,
                report.events,
                report.unchanged,
                report.corrections,
                report.unusable,
                report.rejects.len()
            );
        }
        let ok = self.files.len() - failed.len();
        if self.json {
            println!(
                "{}",
                json!({"files_ingested": ok, "files_failed": failed, "lines_rejected": rejected})
            );
        }
        match (failed.is_empty(), rejected) {
            (true, 0) => Ok(()),
            (true, n) => anyhow::bail!("{n} lines rejected"),
            (false, n) => anyhow::bail!(
                "{} of {} files could not be read ({}); {n} lines rejected in the others",
                failed.len(),
                self.files.len(),
                failed.join(", ")
            ),
        }
    }
}
