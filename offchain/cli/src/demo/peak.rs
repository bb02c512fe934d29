//! The peak: the utility pays the storm town's customers for cutting load during a heat-wave peak. A
//! week of 15-minute readings goes through the oracle, which computes the baselines with
//! `gridtrust_common::baseline` (the code the contract recomputes them with) and commits the readings by
//! a Merkle root; two of three operators agree on the batch, a customer checks a reading about them,
//! and settlement pays everyone after the dispute window.
use anyhow::{anyhow, ensure, Result};
use demand_response::{DemandResponse, Measurement, MeasurementBatch, ProgramTerms};
use gridtrust_chain::{encode::call_builder, named_account, Grid, SandboxChain};
use gridtrust_common::{baseline::BaselineParams, committee::VoteOutcome, demand, merkle};
use gridtrust_oracle::{
    demand::{results, EventSpec},
    trigger::settle_event,
};

use super::{tokens, DemoOracle, UNIT};

const HOUR_MS: u64 = 3_600_000;
const QUARTER_MS: u64 = 900_000;

/// Customers taking part: name, meter, how much of their usual load they shed (percent).
const SHEDDERS: &[(&str, u64, u64)] = &[
    ("household-anna", 1001, 40),
    ("household-ben", 1002, 0),
    ("bakery-chen", 1003, 25),
];

/// How the peak ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeakOutcome {
    /// Per customer: name, baseline Wh, actual Wh, what they were paid.
    pub payments: Vec<(String, u64, u64, u128)>,
    /// Whether the customer's reading checked against the batch root, and whether a doctored one did.
    pub reading_checks: (bool, bool),
}

/// Days of history before the event.
const HISTORY_DAYS: u64 = 7;

/// A meter's usual draw in quarter `quarter` of the peak window, `days_before` days before the event (Wh).
fn usual(meter: u64, days_before: u64, quarter: u64) -> u64 {
    600 + (meter % 10) * 50 + (HISTORY_DAYS - days_before) * 7 + quarter * 3
}

/// Runs the peak scene on `chain`, with the customers `grid`'s storm scene attested.
pub fn run(chain: &mut SandboxChain, grid: &Grid, oracle: &mut DemoOracle) -> Result<PeakOutcome> {
    println!("\n== A heat wave: the utility runs a demand-response program for the evening peak");
    let contract = grid.demand.address;
    let mut api = call_builder::<DemandResponse>(contract);
    let terms = ProgramTerms {
        rate_per_kwh: UNIT / 2,
        cap_per_event: 5 * UNIT,
        baseline: BaselineParams {
            highest: 3,
            lookback: 5,
            adjustment_cap_bps: 2_000,
        },
        dispute_window_ms: 24 * HOUR_MS,
    };
    let program = chain
        .call(
            &contract,
            api.create_program(terms),
            &grid.utility,
            50 * UNIT,
        )?
        .value
        .map_err(|e| anyhow!("create_program refused: {e:?}"))?;
    println!("  0.50 tokens per kWh below baseline, at most 5 per customer; budget 50 tokens");
    for (name, meter, _) in SHEDDERS {
        chain
            .call(
                &contract,
                api.enroll(program, *meter, 1),
                &named_account(name),
                0,
            )?
            .value
            .map_err(|e| anyhow!("enroll for {name} refused: {e:?}"))?;
    }
    println!("  anna, ben and chen enroll their meters (meter-holder attestations checked)");
    let start = chain.now_ms() + 2 * HOUR_MS;
    let end = start + 2 * HOUR_MS;
    let event = chain
        .call(
            &contract,
            api.announce_event(program, start, end, start - HOUR_MS, 0),
            &grid.utility,
            0,
        )?
        .value
        .map_err(|e| anyhow!("announce_event refused: {e:?}"))?;
    println!("  event #{event}: a 2-hour peak in 2 hours, opt-out until 1 hour before");
    chain.set_time(end + HOUR_MS);
    chain.next_block();

    println!("\n== After the peak the oracle ingests a week of readings and computes the results");
    // Per day: the 2-hour adjustment window ending an hour before the peak, then the peak window; on
    // the event day each customer sheds their share.
    let quarters = (end - start) / QUARTER_MS;
    let mut lines = String::new();
    for (_, meter, shed) in SHEDDERS {
        for days_before in 0..=HISTORY_DAYS {
            let day_start = start - days_before * 24 * HOUR_MS;
            for q in 0..8 {
                let at = day_start - 3 * HOUR_MS + q * QUARTER_MS;
                lines += &format!("reading,{meter},{at},700\n");
            }
            for q in 0..quarters {
                let at = day_start + q * QUARTER_MS;
                let wh = if days_before == 0 {
                    usual(*meter, 0, q) * (100 - shed) / 100
                } else {
                    usual(*meter, days_before, q)
                };
                lines += &format!("reading,{meter},{at},{wh}\n");
            }
        }
    }
    oracle.ingest("week-readings.csv", &lines)?;
    let spec = EventSpec {
        start_ms: start,
        end_ms: end,
        interval_ms: QUARTER_MS,
        adjustment_len_ms: 2 * HOUR_MS,
        adjustment_gap_ms: HOUR_MS,
        day_type: 0,
        history: (1..=HISTORY_DAYS as u32).map(|d| (d, 0, false)).collect(),
        params: terms.baseline,
    };
    let meters: Vec<u64> = SHEDDERS.iter().map(|s| s.1).collect();
    let decided = results(&oracle.store, &spec, &meters)?;
    ensure!(
        decided.skipped.is_empty(),
        "meters skipped: {:?}",
        decided.skipped
    );
    let entries: Vec<Measurement> = decided
        .results
        .iter()
        .map(|r| Measurement {
            meter: r.meter,
            baseline_wh: r.baseline_wh,
            actual_wh: r.actual_wh,
        })
        .collect();
    for ((name, ..), r) in SHEDDERS.iter().zip(&decided.results) {
        println!(
            "  {name:<16} baseline {} Wh, actual {} Wh",
            r.baseline_wh, r.actual_wh
        );
    }
    let leaves: Vec<_> = decided
        .leaves
        .iter()
        .map(|&(m, t, wh)| demand::reading_leaf(m, t, wh))
        .collect();
    let readings = decided.leaves.clone();
    let root = decided
        .readings_root
        .ok_or_else(|| anyhow!("no readings"))?;
    let batch = MeasurementBatch {
        event,
        index: 0,
        entries: entries.clone(),
        readings_root: root,
    };
    for operator in &grid.operators[..2] {
        let outcome = chain
            .call(
                &contract,
                api.submit_measurements(batch.clone()),
                operator,
                0,
            )?
            .value
            .map_err(|e| anyhow!("submit_measurements refused: {e:?}"))?;
        if outcome == VoteOutcome::Finalized {
            println!("  two of three operators agree: the batch is final");
        }
    }

    println!("\n== Anna checks one of her readings against the batch's root");
    let (meter, at, wh) = readings[3];
    let proof = merkle::proof(&leaves, 3).ok_or_else(|| anyhow!("no proof"))?;
    let anna = named_account(SHEDDERS[0].0);
    let genuine = chain.query(
        &contract,
        api.verify_reading(event, 0, meter, at, wh, proof.clone()),
        &anna,
    )?;
    let doctored = chain.query(
        &contract,
        api.verify_reading(event, 0, meter, at, wh + 100, proof),
        &anna,
    )?;
    println!("  {wh} Wh at quarter 3: {genuine}; the same with 100 Wh added: {doctored}");

    chain
        .call(&contract, api.close_event(event), &grid.utility, 0)?
        .value
        .map_err(|e| anyhow!("close_event refused: {e:?}"))?;
    chain.advance_time(24 * HOUR_MS);
    chain.next_block();
    println!("\n== No dispute within a day: anyone settles");
    let before: Vec<u128> = SHEDDERS
        .iter()
        .map(|(name, ..)| chain.balance(&named_account(name)))
        .collect();
    let meters: Vec<u64> = SHEDDERS.iter().map(|(_, m, _)| *m).collect();
    let paid = settle_event(chain, contract, grid.operators[2], event, &meters, 100)?;
    ensure!(paid as usize == SHEDDERS.len(), "settled {paid} entries");
    let mut payments = Vec::new();
    for (((name, ..), m), before) in SHEDDERS.iter().zip(&entries).zip(before) {
        let gained = chain.balance(&named_account(name)).saturating_sub(before);
        println!("  {name:<16} +{} tokens", tokens(gained));
        payments.push((name.to_string(), m.baseline_wh, m.actual_wh, gained));
    }
    Ok(PeakOutcome {
        payments,
        reading_checks: (genuine, doctored),
    })
}
