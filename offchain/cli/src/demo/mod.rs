//! The demo on the embedded sandbox chain, in three scenes on one chain, over the sample town
//! (`gridtrust_oracle::sample`: 4 feeders × 75 meters, a week of 15-minute readings, a storm, a peak):
//! - [`storm`]: every contract deployed and wired, every meter holder attested and insured, the storm's
//!   outages decided by the oracle, reported by the committee and paid out automatically;
//! - [`peak`]: the same customers paid for shedding load in a demand-response event, from baselines
//!   and readings anyone can check;
//! - [`hotel`]: an attested hotel takes a booking that cannot be double-sold, a phishing clone cannot
//!   list, and the front desk verifies the guest's confirmation.
//!
//! The town's data goes through the real oracle pipeline (`gridtrust_oracle`): written as files,
//! ingested into its SQLite store, decided there, and sent from each operator's outbox.
pub mod hotel;
pub mod peak;
pub mod storm;

use std::path::PathBuf;

use anyhow::{Context, Result};
use gridtrust_chain::{named_account, AccountId, Grid, SandboxChain, GENESIS_TIME_MS};
use gridtrust_oracle::{
    drain, ingest_file,
    sample::{generate, write_csv, SampleSpec},
    ChainSubmitter, IngestReport, Report, Store,
};

/// One token: 10¹² of the chain's smallest unit.
pub const UNIT: u128 = 1_000_000_000_000;

/// The account holding `meter` in the sample town.
pub fn customer(meter: u64) -> AccountId {
    named_account(&format!("customer-{meter}"))
}

/// `amount` in tokens with two decimals (rounded down).
pub fn tokens(amount: u128) -> String {
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
        // A folder left by a killed run with the same pid must not feed old outboxes into this one.
        std::fs::remove_dir_all(&dir).ok();
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let store = Store::open(&dir.join("oracle.db"))?;
        Ok(Self { dir, store })
    }

    /// The outbox store of committee operator number `i` (each daemon keeps its own).
    pub fn operator_store(&self, i: usize) -> Result<Store> {
        Ok(Store::open(&self.dir.join(format!("operator-{i}.db")))?)
    }

    /// Operators 1 and 2 each queue `report` in their own outbox and send it: two of three votes, so
    /// the report is final afterwards.
    pub fn report_by_two(
        &self,
        chain: &mut SandboxChain,
        grid: &Grid,
        report: &Report,
    ) -> Result<()> {
        for (i, operator) in grid.operators[..2].iter().enumerate() {
            let mut outbox = self.operator_store(i + 1)?;
            outbox.enqueue(report)?;
            let sent = drain(
                &mut outbox,
                &mut ChainSubmitter::new(chain, grid, *operator),
            )?;
            anyhow::ensure!(
                sent.voted == 1,
                "operator {} could not send {}: {sent:?}",
                i + 1,
                report.kind()
            );
        }
        Ok(())
    }

    /// Ingests the file `name` of the oracle's folder, printing what was stored and rejected.
    pub fn ingest_file(&mut self, name: &str) -> Result<IngestReport> {
        let report = ingest_file(&self.dir.join(name), &mut self.store)?;
        println!(
            "  oracle ingests {name}: {} readings, {} meter events, {} lines rejected",
            report.readings,
            report.events,
            report.rejects.len()
        );
        for reject in &report.rejects {
            println!("    rejected {reject}");
        }
        Ok(report)
    }
}

impl Drop for DemoOracle {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.dir).ok();
    }
}

/// Runs the demo, printing each step and a report per feeder, and returns how it ended.
pub fn run() -> Result<DemoOutcome> {
    let mut oracle = DemoOracle::new()?;
    let town = SampleSpec::town(GENESIS_TIME_MS);
    write_csv(&generate(&town), &oracle.dir).context("writing the sample town's data")?;
    let (mut chain, grid, storm) = storm::run(&mut oracle, &town)?;
    let peak = peak::run(&mut chain, &grid, &mut oracle, &town)?;
    report(&town, &storm, &peak);
    let hotel = hotel::run(&mut chain, &grid)?;
    Ok(DemoOutcome { storm, peak, hotel })
}

/// Per feeder: the outage, what its customers were paid for it and for the peak.
fn report(town: &SampleSpec, storm: &storm::StormOutcome, peak: &peak::PeakOutcome) {
    println!("\n== Report: what each feeder's customers received");
    println!(
        "{:>6} {:>9} {:>10} {:>14} {:>10} {:>14}",
        "feeder", "customers", "outage", "outage payout", "shed ≥10 %", "subsidies"
    );
    for feeder in 0..town.storm_minutes.len() as u32 {
        let minutes = storm
            .outages
            .iter()
            .find(|o| o.0 == feeder)
            .map_or("none".to_owned(), |o| format!("{} min", o.1));
        let on_feeder: Vec<_> = storm.payouts.iter().filter(|p| p.1 == feeder).collect();
        let outage_paid: u128 = on_feeder.iter().map(|p| p.2).sum();
        let on_feeder_peak: Vec<_> = peak
            .payments
            .iter()
            .filter(|p| p.0 / 1_000 == u64::from(feeder))
            .collect();
        let shed = on_feeder_peak.iter().filter(|p| p.2 * 10 < p.1 * 9).count();
        let subsidies: u128 = on_feeder_peak.iter().map(|p| p.3).sum();
        println!(
            "{feeder:>6} {:>9} {minutes:>10} {:>14} {:>10} {:>14}",
            on_feeder.len(),
            tokens(outage_paid),
            shed,
            tokens(subsidies)
        );
    }
    println!("per customer (first of each feeder):");
    for feeder in 0..town.storm_minutes.len() as u64 {
        let meter = feeder * 1_000;
        let outage = storm
            .payouts
            .iter()
            .find(|p| p.0 == meter)
            .map_or(0, |p| p.2);
        let (baseline, actual, subsidy) = peak
            .payments
            .iter()
            .find(|p| p.0 == meter)
            .map_or((0, 0, 0), |p| (p.1, p.2, p.3));
        println!(
            "  customer-{meter}: outage payout {}, peak baseline {baseline} Wh, actual {actual} Wh, subsidy {}",
            tokens(outage),
            tokens(subsidy)
        );
    }
    println!(
        "pool capital: {} → {} tokens",
        tokens(storm.capital.0),
        tokens(storm.capital.1)
    );
}
