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
//! ingested into each committee operator's SQLite store, and worked by the same rounds the oracle
//! daemon runs (decide, queue, send from the operator's outbox, and for the keeper pay and settle).
pub mod hotel;
pub mod peak;
pub mod storm;

use std::path::PathBuf;

use anyhow::{Context, Result};
pub use gridtrust_chain::units::{tokens, UNIT};
use gridtrust_chain::{named_account, AccountId, Contracts, Grid, SandboxChain, GENESIS_TIME_MS};
use gridtrust_oracle::{
    ingest_file,
    outages::OutageRule,
    sample::{generate, write_csv, SampleSpec},
    settings::{DemandRule, WorkerConfig},
    worker::{round, RoundReport},
    Bounds, IngestReport, Store,
};

/// The account holding `meter` in the sample town.
pub fn customer(meter: u64) -> AccountId {
    named_account(&format!("customer-{meter}"))
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

/// The oracle the demo feeds: a scratch folder for meter data files, and the three committee operators'
/// stores in it (each daemon receives the same head-end feed and keeps its own outbox), removed when
/// the demo ends. Each operator works exactly as `gridtrust oracle run` does: by worker rounds.
pub struct DemoOracle {
    dir: PathBuf,
    /// Operator `i + 1`'s SQLite store.
    pub operators: Vec<Store>,
}

impl DemoOracle {
    fn new() -> Result<Self> {
        let dir = std::env::temp_dir().join(format!("gridtrust-demo-{}", std::process::id()));
        // A folder left by a killed run with the same pid must not feed old outboxes into this one.
        std::fs::remove_dir_all(&dir).ok();
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let operators = (1..=3)
            .map(|i| Store::open(&dir.join(format!("operator-{i}.db"))))
            .collect::<Result<_, _>>()?;
        Ok(Self { dir, operators })
    }

    /// What operator `i` (0-based) does each round; the third is the keeper. The demo's program counts
    /// every day alike (one day type), as its sample week has no weekend profile.
    pub fn worker(&self, grid: &Grid, i: usize) -> WorkerConfig {
        WorkerConfig {
            operator: grid.operators[i],
            outages: OutageRule::default(),
            demand: DemandRule {
                weekend_type: 0,
                ..DemandRule::default()
            },
            keeper: i == 2,
            heartbeat_ms: 10 * 60_000,
        }
    }

    /// Operator `i` (0-based) runs one round of its daemon's work against `chain`.
    pub fn round(
        &mut self,
        chain: &mut SandboxChain,
        grid: &Grid,
        i: usize,
    ) -> Result<RoundReport> {
        let contracts = grid.contracts();
        let config = self.worker(grid, i);
        Ok(round(chain, &mut self.operators[i], &contracts, &config)?)
    }

    /// Every operator's daemon ingests the file `name`; prints what was stored and rejected.
    pub fn ingest_file(&mut self, name: &str) -> Result<IngestReport> {
        let path = self.dir.join(name);
        let mut report = IngestReport::default();
        for store in &mut self.operators {
            report = ingest_file(&path, &Bounds::default(), store)?;
        }
        println!(
            "  the three operators' daemons ingest {name}: {} readings, {} meter events, {} lines rejected",
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

/// Deploy every contract into the embedded sandbox chain and run the demo scenario.
#[derive(Debug, clap::Args)]
pub struct DemoCommand {
    /// Then keep the chain running and serve the portal over the town at this address (default
    /// 127.0.0.1:8080), to look up and check its customers in a browser.
    #[arg(long, value_name = "ADDR", num_args = 0..=1, default_missing_value = "127.0.0.1:8080")]
    serve: Option<std::net::SocketAddr>,
}

impl DemoCommand {
    /// Runs the demo (and the portal, with `--serve`).
    pub fn run(&self) -> Result<()> {
        match self.serve {
            None => run().map(drop),
            Some(addr) => serve(addr, |addr| {
                println!("\n== The portal serves the town at http://{addr}/ (Ctrl-C stops it)");
                println!("   e.g. http://{addr}/?meter=2000 — a customer on the 3-hour feeder");
            }),
        }
    }
}

/// Runs the demo, printing each step and a report per feeder, and returns how it ended.
pub fn run() -> Result<DemoOutcome> {
    Ok(scenario()?.outcome)
}

/// The demo's town after its scenario: the chain, the contracts, and the operators' stores.
pub struct Town {
    /// How the scenario ended.
    pub outcome: DemoOutcome,
    /// The sandbox chain, still running.
    pub chain: SandboxChain,
    /// The grid's contracts.
    pub grid: Grid,
    /// The three operators (their stores are removed when this is dropped).
    pub oracle: DemoOracle,
}

/// Runs the scenario and keeps everything it made.
pub fn scenario() -> Result<Town> {
    let mut oracle = DemoOracle::new()?;
    let town = SampleSpec::town(GENESIS_TIME_MS);
    write_csv(&generate(&town), &oracle.dir).context("writing the sample town's data")?;
    let (mut chain, grid, storm) = storm::run(&mut oracle, &town)?;
    let peak = peak::run(&mut chain, &grid, &mut oracle, &town)?;
    report(&town, &storm, &peak);
    let hotel = hotel::run(&mut chain, &grid)?;
    Ok(Town {
        outcome: DemoOutcome { storm, peak, hotel },
        chain,
        grid,
        oracle,
    })
}

/// Runs the scenario, then serves the portal over the town's chain at `listen` until interrupted, so
/// a newcomer can look the result up (and check it) with no node. `ready` is told the address.
pub fn serve(listen: std::net::SocketAddr, ready: impl FnOnce(std::net::SocketAddr)) -> Result<()> {
    let Town {
        chain,
        grid,
        oracle,
        outcome,
    } = scenario()?;
    let asker = named_account("gridtrust-reader");
    let mut worker = crate::portal::reader_config(asker);
    // The portal recomputes batches as the demo's operators computed them.
    worker.demand = oracle.worker(&grid, 0).demand;
    let site = crate::portal::Site {
        contracts: Contracts {
            reservations: Some(outcome.hotel.reservations),
            ..grid.contracts()
        },
        schemas: vec![("meter-holder".into(), grid.meter_schema)],
        operator_store: Some(oracle.dir.join("operator-1.db")),
        worker,
        asker,
        known_events: Default::default(),
    };
    let result = crate::portal::serve(chain, site, listen, ready);
    drop(oracle);
    result
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
        let shed = on_feeder_peak
            .iter()
            .filter(|p| peak::PEAK_MIN_REDUCTION.is_met(p.1, p.2))
            .count();
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
