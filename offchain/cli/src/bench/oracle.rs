//! Oracle ingest: readings per second from a CSV file into the SQLite store, with durability on
//! (WAL, `synchronous = FULL`, one transaction per file).

use std::{io::Write, time::Instant};

use anyhow::{ensure, Context, Result};
use gridtrust_oracle::{ingest_file, Store};

use super::Figures;

/// A week of 15-minute readings for this many meters.
const METERS: u64 = 750;
const QUARTERS: u64 = 7 * 96;

/// Writes a week of readings to a CSV file, ingests it into a fresh store and records the rate.
pub(super) fn ingest(figures: &mut Figures) -> Result<()> {
    eprintln!("bench: oracle ingest...");
    let dir = std::env::temp_dir().join(format!("gridtrust-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let csv = dir.join("week.csv");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&csv)?);
    // In time order, as a head-end system exports it: every meter for one quarter, then the next, so
    // the store's (meter, interval) key order is not the file's.
    for q in 0..QUARTERS {
        for meter in 0..METERS {
            writeln!(
                out,
                "reading,{meter},{},{}",
                q * 900_000,
                100 + (meter + q) % 400
            )?;
        }
    }
    out.flush()?;
    drop(out);
    let mut store = Store::open(&dir.join("oracle.db")).context("opening the bench store")?;
    let started = Instant::now();
    let report = ingest_file(&csv, &mut store)?;
    let seconds = started.elapsed().as_secs_f64();
    let total = METERS * QUARTERS;
    ensure!(
        report.readings as u64 == total && report.rejects.is_empty(),
        "ingested {} of {total}, {} rejects",
        report.readings,
        report.rejects.len()
    );
    figures.ingest = Some((total, total as f64 / seconds));
    std::fs::remove_dir_all(&dir).ok();
    Ok(())
}
