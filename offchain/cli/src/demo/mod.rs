//! The demo on the embedded sandbox chain, in three scenes on one chain:
//! - [`storm`]: every contract deployed and wired, then one storm outage insured, reported by the
//!   oracle committee and paid out automatically;
//! - [`peak`]: the same customers paid for shedding load in a demand-response event, from baselines
//!   and readings anyone can check;
//! - [`hotel`]: an attested hotel takes a booking that cannot be double-sold, a phishing clone cannot
//!   list, and the front desk verifies the guest's confirmation.
//!
//! The storm's outage and the peak's baselines are decided by the real oracle pipeline
//! (`gridtrust_oracle`): meter data files are written, ingested into its SQLite store, and decided there.
pub mod hotel;
pub mod peak;
pub mod storm;

use std::path::PathBuf;

use anyhow::{Context, Result};
use gridtrust_oracle::{ingest_file, IngestReport, Store};

/// One token: 10¹² of the chain's smallest unit.
pub const UNIT: u128 = 1_000_000_000_000;

fn tokens(amount: u128) -> String {
    format!("{}.{:02}", amount / UNIT, amount % UNIT * 100 / UNIT)
}

/// What the demo ended with, for the report and for tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoOutcome {
    /// The storm scene.
    pub storm: storm::StormOutcome,
    /// The demand-response scene.
    pub peak: peak::PeakOutcome,
    /// The hotel scene.
    pub hotel: hotel::HotelOutcome,
}

/// The oracle the demo feeds: a scratch folder for meter data files and the oracle's store in it,
/// removed when the demo ends.
pub struct DemoOracle {
    dir: PathBuf,
    /// The oracle's SQLite store.
    pub store: Store,
}

impl DemoOracle {
    fn new() -> Result<Self> {
        let dir = std::env::temp_dir().join(format!("gridtrust-demo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let store = Store::open(&dir.join("oracle.db"))?;
        Ok(Self { dir, store })
    }

    /// The outbox store of committee operator number `i` (each daemon keeps its own).
    pub fn operator_store(&self, i: usize) -> Result<Store> {
        Ok(Store::open(&self.dir.join(format!("operator-{i}.db")))?)
    }

    /// Writes `text` to the file `name` and ingests it, printing what was stored and rejected.
    pub fn ingest(&mut self, name: &str, text: &str) -> Result<IngestReport> {
        let path = self.dir.join(name);
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        let report = ingest_file(&path, &mut self.store)?;
        println!(
            "  oracle ingests {name}: {} readings, {} meter events, {} lines rejected",
            report.readings,
            report.events,
            report.rejects.len()
        );
        for reject in &report.rejects {
            println!("    rejected line {}: {}", reject.line, reject.reason);
        }
        Ok(report)
    }
}

impl Drop for DemoOracle {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.dir).ok();
    }
}

/// Runs the demo, printing each step, and returns how it ended.
pub fn run() -> Result<DemoOutcome> {
    let mut oracle = DemoOracle::new()?;
    let (mut chain, grid, storm) = storm::run(&mut oracle)?;
    let peak = peak::run(&mut chain, &grid, &mut oracle)?;
    let hotel = hotel::run(&mut chain, &grid)?;
    Ok(DemoOutcome { storm, peak, hotel })
}
