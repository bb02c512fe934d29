//! The oracle: ingest rate (readings per second from a CSV file into the SQLite store, with durability
//! on: WAL, `synchronous = FULL`, one transaction per file), and the time from restore events arriving
//! to the outage's payouts done on the sandbox.

use std::{io::Write, time::Instant};

use anyhow::{ensure, Context, Result};
use gridtrust_oracle::{ingest_file, Bounds, Store};

use super::{committee_grid, Figures};

/// A week of 15-minute readings for this many meters.
const METERS: u64 = 750;
const QUARTERS: u64 = 7 * 96;
/// The week starts 2026-01-01 (a plausible time: ingest rejects meter clocks reset to 1970).
const READINGS_FROM_MS: u64 = 1_767_225_600_000;

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
                READINGS_FROM_MS + q * 900_000,
                100 + (meter + q) % 400
            )?;
        }
    }
    out.flush()?;
    drop(out);
    let mut store = Store::open(&dir.join("oracle.db")).context("opening the bench store")?;
    let started = Instant::now();
    let report = ingest_file(&csv, &Bounds::default(), &mut store)?;
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

/// Meters on the feeder the restore benchmark's outage hits.
const RESTORE_METERS: u64 = 75;

/// From the restore events arriving to the payouts done, on the sandbox: the three operators' daemons
/// ingest them and run their rounds (decide, queue, send; the second vote finalizes; the keeper pays
/// until none remain). The meters, their policies and the last gasps are set up before the clock starts.
pub(super) fn restore_to_payout(figures: &mut Figures) -> Result<()> {
    use gridtrust_chain::{encode::call_builder, named_account, Answer, Chain, Contracts};
    use gridtrust_oracle::{
        outages::OutageRule,
        settings::{DemandRule, WorkerConfig},
        worker::round,
    };
    use outage_insurance::{OutageInsurance, PoolTerms};

    eprintln!("bench: oracle restore to payout...");
    let (mut chain, grid) = committee_grid()?;
    let operators = grid.operators.clone();
    let insurer = named_account("bench-insurer");
    chain.fund(&insurer, 1 << 100);
    let holders: Vec<_> = (0..RESTORE_METERS)
        .map(|m| (named_account(&format!("bench-restore-{m}")), m, 9))
        .collect();
    grid.attest_meters(&mut chain, &holders)?;
    let mut api = call_builder::<OutageInsurance>(grid.insurance.address);
    let terms = PoolTerms {
        tiers: vec![gridtrust_common::tiers::Tier {
            min_minutes: 60,
            payout: 1_000_000_000,
        }],
        premium: 1_000_000,
        coverage_ms: 30 * 86_400_000,
        waiting_ms: 0,
        exclude_planned: false,
        aggregate_limit: 1_000_000_000,
        feeder_cap: 1 << 80,
        collateral_bps: 10_000,
        max_oracle_silence_ms: u64::MAX,
    };
    let insurance = grid.insurance.address;
    let pool = chain
        .call(&insurance, api.create_pool(terms), &insurer, 1 << 70)
        .or_refused("create_pool")?;
    for (who, meter, feeder) in &holders {
        chain.fund(who, 1 << 60);
        chain
            .call(
                &insurance,
                api.buy_policy(pool, *meter, *feeder),
                who,
                1_000_000,
            )
            .or_refused("buy_policy")?;
    }
    let dir = std::env::temp_dir().join(format!("gridtrust-bench-restore-{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir)?;
    let mut stores = (1..=3)
        .map(|i| Store::open(&dir.join(format!("operator-{i}.db"))))
        .collect::<Result<Vec<_>, _>>()?;
    let start = chain.now_ms() + 60_000;
    let mut gasps = String::new();
    for m in 0..RESTORE_METERS {
        gasps += &format!("last_gasp,{m},9,{}\n", start + m * 10);
    }
    std::fs::write(dir.join("gasps.csv"), gasps)?;
    for store in &mut stores {
        ingest_file(&dir.join("gasps.csv"), &Bounds::default(), store)?;
    }
    let restored = start + 2 * 3_600_000;
    chain.set_time(restored + 60_000);
    chain.next_block();
    let mut restores = String::new();
    for m in 0..RESTORE_METERS {
        restores += &format!("restore,{m},9,{}\n", restored + m * 10);
    }
    std::fs::write(dir.join("restores.csv"), restores)?;

    let contracts = Contracts {
        insurance,
        ..grid.contracts()
    };
    let worker = |i: usize| WorkerConfig {
        operator: operators[i],
        outages: OutageRule::default(),
        demand: DemandRule::default(),
        keeper: i == 2,
        heartbeat_ms: 0,
    };

    let clock = Instant::now();
    let mut paid = 0;
    for (i, store) in stores.iter_mut().enumerate() {
        ingest_file(&dir.join("restores.csv"), &Bounds::default(), store)?;
        paid += round(&mut chain, store, &contracts, &worker(i))?.policies_paid;
    }
    let elapsed = clock.elapsed();
    ensure!(
        paid as u64 == RESTORE_METERS,
        "paid {paid} of {RESTORE_METERS}"
    );
    figures.restore_to_payout_ms = Some((RESTORE_METERS, elapsed.as_secs_f64() * 1_000.0));
    std::fs::remove_dir_all(&dir).ok();
    Ok(())
}
