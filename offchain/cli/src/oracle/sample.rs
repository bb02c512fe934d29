//! `gridtrust oracle sample`: the deterministic sample town as CSV files, or its Zhejiang variant as
//! a utility's systems would hand it over.

use std::path::PathBuf;

use anyhow::{Context, Result};
use gridtrust_oracle::sample::{generate, write_csv, write_zhejiang, SampleSpec};

/// Write the sample town's readings and meter events.
#[derive(Debug, clap::Args)]
pub struct SampleCommand {
    /// The folder to write to (created when missing).
    #[arg(long, value_name = "DIR", default_value = "sample")]
    out: PathBuf,
    /// Seed of the load noise (the demo's town is seed 7).
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// First day's midnight, Unix ms (default 2026-01-05, a Monday).
    #[arg(long, value_name = "MS", default_value_t = 1_767_571_200_000)]
    start_ms: u64,
    /// The town in Zhejiang (UTC+8) over 1–7 April 2026, with a public holiday on 6 April:
    /// a header CSV in local time and kWh, a Green Button feed for meters 1001–1003 (with its
    /// usage-point mapping), the meter events, and `holidays.txt` for the program. Ignores
    /// `--start-ms`.
    #[arg(long)]
    zhejiang: bool,
}

impl SampleCommand {
    /// The town from `start_ms` with noise seeded by `seed`; the same arguments always give the same
    /// files.
    pub fn run(&self) -> Result<()> {
        let out = &self.out;
        std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
        let town = if self.zhejiang {
            SampleSpec::zhejiang()
        } else {
            SampleSpec::town(self.start_ms)
        };
        let data = generate(&SampleSpec {
            seed: self.seed,
            ..town
        });
        let written = if self.zhejiang {
            write_zhejiang(&data, out)
        } else {
            write_csv(&data, out)
        };
        written.with_context(|| format!("writing into {}", out.display()))?;
        println!(
            "{}: {} readings, {} meter events",
            out.display(),
            data.readings.len(),
            data.events.len()
        );
        Ok(())
    }
}
