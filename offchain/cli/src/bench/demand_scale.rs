//! Demand response at a utility's scale: an event's results for 10,000 meters computed from a
//! SQLite store holding 20 days of 15-minute history for each (the oracle's own code, as a round runs
//! it), and 10,000 entries settled in calls sized from the chain's limits, as the keeper sends them.

use std::time::Instant;

use anyhow::{ensure, Context, Result};
use demand_response::{DemandResponse, Measurement, MeasurementBatch};
use gridtrust_chain::{encode::call_builder, units::MILLI_UNIT, Answer, Chain, ContractError};
use gridtrust_common::{
    baseline::BaselineParams,
    committee::VoteOutcome,
    time::{DAY_MS, HOUR_MS},
};
use gridtrust_oracle::{
    demand::{results, EventSpec},
    measure::measurement_batches,
    records::Reading,
    trigger::settle_batch,
    Store,
};

use super::{
    committee_grid,
    demand::{meter_holders, program_terms},
    Cost, Figures,
};

/// Meters, as a mid-sized utility's demand-response programme enrols them.
const METERS: u64 = 10_000;
/// Days of history before the event day, every one of them complete.
const HISTORY_DAYS: u64 = 20;
const QUARTER_MS: u64 = 15 * 60_000;
/// The event day: 2026-03-02, a Monday; the event runs 17:00–19:00 (UTC).
const EVENT_DAY: u64 = 1_772_409_600_000 / DAY_MS;
/// Readings stored per transaction while the store is filled.
const FILL_CHUNK: usize = 200_000;

/// What the scale cases measured.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DemandScale {
    /// Readings in the store.
    pub(crate) readings: u64,
    /// Seconds it took to fill the store (not part of the round).
    pub(crate) fill_seconds: f64,
    /// Meters with a result.
    pub(crate) measured: usize,
    /// Measurement batches the results were cut into.
    pub(crate) batches: usize,
    /// Seconds from the store to every result and every batch's readings root.
    pub(crate) results_seconds: f64,
}

/// The store's history: 96 quarters a day for every meter, on the event day and the days before; the
/// load varies by meter and quarter so no two meters' readings (or roots) are alike.
fn fill(store: &mut Store) -> Result<u64> {
    let first_day = EVENT_DAY - HISTORY_DAYS;
    let mut chunk = Vec::with_capacity(FILL_CHUNK);
    let mut total = 0;
    for meter in 0..METERS {
        for day in first_day..=EVENT_DAY {
            for q in 0..96 {
                chunk.push(Reading {
                    meter,
                    interval_start_ms: day * DAY_MS + q * QUARTER_MS,
                    wh: 150 + (meter * 7 + day * 3 + q * 11) % 350,
                });
            }
        }
        if chunk.len() >= FILL_CHUNK {
            total += store.put_readings(&chunk)?.new as u64;
            chunk.clear();
        }
    }
    total += store.put_readings(&chunk)?.new as u64;
    Ok(total)
}

/// An event's results for [`METERS`] meters from a store of [`HISTORY_DAYS`] days of history each.
pub(super) fn results_at_scale(figures: &mut Figures) -> Result<()> {
    let dir = std::env::temp_dir().join(format!("gridtrust-bench-scale-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let measured = measure_from_store(&dir, figures);
    std::fs::remove_dir_all(&dir).ok();
    measured
}

fn measure_from_store(dir: &std::path::Path, figures: &mut Figures) -> Result<()> {
    let mut store = Store::open(&dir.join("oracle.db")).context("opening the bench store")?;
    eprintln!(
        "bench: demand response at scale: storing {} readings ({METERS} meters, {} days)...",
        METERS * (HISTORY_DAYS + 1) * 96,
        HISTORY_DAYS + 1
    );
    let started = Instant::now();
    let readings = fill(&mut store)?;
    let fill_seconds = started.elapsed().as_secs_f64();

    let start_ms = EVENT_DAY * DAY_MS + 17 * HOUR_MS;
    let spec = EventSpec {
        start_ms,
        end_ms: start_ms + 2 * HOUR_MS,
        interval_ms: QUARTER_MS,
        adjustment_len_ms: 2 * HOUR_MS,
        adjustment_gap_ms: HOUR_MS,
        event_day: EVENT_DAY as u32,
        day_type: 0,
        history: (1..=HISTORY_DAYS as u32).map(|d| (d, 0, false)).collect(),
        // "High 5 of 10", a common utility baseline.
        params: BaselineParams {
            highest: 5,
            lookback: 10,
            adjustment_cap_bps: 2_000,
        },
    };
    let meters: Vec<u64> = (0..METERS).collect();
    eprintln!("bench:   computing the event's results from the store...");
    let started = Instant::now();
    let decided = results(&store, &spec, &meters)?;
    let batches = measurement_batches(0, &decided);
    let results_seconds = started.elapsed().as_secs_f64();
    ensure!(
        decided.results.len() == METERS as usize && decided.skipped.is_empty(),
        "{} results, {} meters left out (first: {:?})",
        decided.results.len(),
        decided.skipped.len(),
        decided.skipped.first()
    );
    figures.demand_scale = Some(DemandScale {
        readings,
        fill_seconds,
        measured: decided.results.len(),
        batches: batches.len(),
        results_seconds,
    });
    Ok(())
}

/// What settling the entries took.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SettleFigure {
    /// Entries paid.
    pub(crate) entries: u32,
    /// Entries per call, as [`settle_batch`] sized it from the chain's limits.
    pub(crate) per_call: u32,
    /// Calls sent.
    pub(crate) calls: u32,
    /// The heaviest call's weight.
    pub(crate) heaviest: Cost,
}

/// [`METERS`] enrolled meters, one event measured for all of them, then settled as the keeper does.
pub(super) fn settle_ten_thousand_entries(figures: &mut Figures) -> Result<()> {
    eprintln!("bench: demand response at scale: {METERS} entries to settle...");
    let (mut chain, grid) = committee_grid()?;
    let (utility, operators) = (grid.utility, grid.operators.clone());
    let demand = grid.demand.address;
    let mut api = call_builder::<DemandResponse>(demand);
    let terms = program_terms(5, 10, HOUR_MS);
    let budget = u128::from(METERS) * 100 * MILLI_UNIT;
    let program = chain
        .call(&demand, api.create_program(terms), &utility, budget)
        .or_refused("create_program")?;
    for (who, meter, feeder) in &meter_holders(&mut chain, &grid, "bench-scale-customer", METERS)? {
        chain
            .call(&demand, api.enroll(program, *meter, *feeder), who, 0)
            .or_refused("enroll")?;
    }
    let start = chain.now_ms() + HOUR_MS;
    let event = chain
        .call(
            &demand,
            api.announce_event(program, start, start + 2 * HOUR_MS, start - HOUR_MS / 2, 0),
            &utility,
            0,
        )
        .or_refused("announce_event")?;
    chain.set_time(start + 2 * HOUR_MS);
    chain.next_block();
    let entries: Vec<Measurement> = (0..METERS)
        .map(|meter| Measurement {
            meter,
            baseline_wh: 10_000,
            actual_wh: 6_000 + meter % 1_000,
        })
        .collect();
    for (index, chunk) in entries
        .chunks(demand_response::MAX_BATCH_ENTRIES as usize)
        .enumerate()
    {
        let batch = MeasurementBatch {
            event,
            index: index as u32,
            entries: chunk.to_vec(),
            readings_root: [1; 32],
        };
        for operator in &operators[..2] {
            let outcome = chain
                .call(&demand, api.submit_measurements(batch.clone()), operator, 0)
                .or_refused("submit_measurements")?;
            ensure!(
                operator != &operators[1] || outcome == VoteOutcome::Finalized,
                "batch {index} not final"
            );
        }
    }
    chain
        .call(&demand, api.close_event(event), &utility, 0)
        .or_refused("close_event")?;
    chain.advance_time(HOUR_MS);
    chain.next_block();

    let keeper = operators[2];
    let pending: Vec<u64> = (0..METERS).collect();
    let per_call = settle_batch(&mut chain, demand, keeper, event, &pending)?;
    let (mut calls, mut paid) = (0u32, 0u32);
    let mut heaviest = Cost {
        ref_time: 0,
        proof_size: 0,
    };
    for chunk in pending.chunks(per_call as usize) {
        let out = chain.call(&demand, api.settle(event, chunk.to_vec()), &keeper, 0)?;
        paid += out.value.map_err(ContractError::from).context("settle")?;
        calls += 1;
        if out.weight_required.ref_time() > heaviest.ref_time {
            heaviest = out.weight_required.into();
        }
        chain.next_block();
    }
    ensure!(paid == METERS as u32, "settled {paid} of {METERS} entries");
    figures.dr_settle = Some(SettleFigure {
        entries: paid,
        per_call,
        calls,
        heaviest,
    });
    Ok(())
}
