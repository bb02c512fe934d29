//! Demand response: enrolling, announcing, a measurement batch per entry, a settlement batch per entry
//! (the figure the issue asks for), disputes and resolutions.

use anyhow::{ensure, Context, Result};
use demand_response::{
    DemandResponse, Measurement, MeasurementBatch, ProgramTerms, MAX_SETTLE_BATCH,
};
use gridtrust_chain::{
    encode::{addressed, call_builder, MessageBuilder},
    named_account,
    units::MILLI_UNIT,
    AccountId, Chain, ContractError, Grid, SandboxChain,
};
use gridtrust_common::{baseline::BaselineParams, committee::VoteOutcome, time::HOUR_MS};

use super::{committee_grid, Cost, Figures};

/// Entries measured and settled: two full measurement batches.
const METERS: u64 = 200;

fn per_item(one: Cost, many: Cost, n: u64) -> Cost {
    Cost {
        ref_time: many.ref_time.saturating_sub(one.ref_time) / (n - 1),
        proof_size: many.proof_size.saturating_sub(one.proof_size) / (n - 1),
    }
}

/// The bench's programme: 1 milli-token per kWh cut, at most 0.1 token per event, a "high X of Y"
/// baseline adjusted by at most ±20 %, and `dispute_window_ms` for disputes.
pub(super) fn program_terms(highest: u8, lookback: u8, dispute_window_ms: u64) -> ProgramTerms {
    ProgramTerms {
        rate_per_kwh: MILLI_UNIT,
        cap_per_event: 100 * MILLI_UNIT,
        baseline: BaselineParams {
            highest,
            lookback,
            adjustment_cap_bps: 2_000,
        },
        dispute_window_ms,
        min_reduction: demand_response::MinReduction::NONE,
        utc_offset: 0,
    }
}

/// `who` sends `msg` to the demand-response contract, which must accept it; returns its weight.
fn must<A: scale::Encode, R: std::fmt::Debug + scale::Decode>(
    chain: &mut SandboxChain,
    what: &str,
    who: AccountId,
    msg: MessageBuilder<A, Result<R, demand_response::Error>>,
    value: u128,
) -> Result<(R, Cost)> {
    let (contract, msg) = addressed(msg);
    let out = chain.call(&contract, msg, &who, value)?;
    let value = out
        .value
        .map_err(ContractError::from)
        .with_context(|| what.to_owned())?;
    Ok((value, out.weight_consumed.into()))
}

/// `count` funded accounts `{prefix}-{meter}`, each attested as the holder of meters 0.. on feeder 1.
pub(super) fn meter_holders(
    chain: &mut SandboxChain,
    grid: &Grid,
    prefix: &str,
    count: u64,
) -> Result<Vec<(AccountId, u64, u32)>> {
    let holders: Vec<_> = (0..count)
        .map(|m| (named_account(&format!("{prefix}-{m}")), m, 1))
        .collect();
    grid.attest_meters(chain, &holders)?;
    for (who, ..) in &holders {
        chain.fund(who, 1 << 80);
    }
    Ok(holders)
}

/// Records the weights of the demand-response messages, per entry where they are batched.
pub(super) fn costs(figures: &mut Figures) -> Result<()> {
    eprintln!("bench: demand response...");
    let (mut chain, grid) = committee_grid()?;
    let (utility, operators) = (grid.utility, grid.operators.clone());
    let api = || call_builder::<DemandResponse>(grid.demand.address);
    let terms = program_terms(3, 5, HOUR_MS);
    let (program, cost) = must(
        &mut chain,
        "create_program",
        utility,
        api().create_program(terms),
        1_000_000 * MILLI_UNIT,
    )?;
    figures.record("demand_response", "create_program", cost);

    let customers = meter_holders(&mut chain, &grid, "bench-dr-customer", METERS)?;
    for (who, meter, feeder) in &customers {
        let (_, cost) = must(
            &mut chain,
            "enroll",
            *who,
            api().enroll(program, *meter, *feeder),
            0,
        )?;
        figures.record("demand_response", "enroll", cost);
    }

    let start = chain.now_ms() + HOUR_MS;
    let (event, cost) = must(
        &mut chain,
        "announce_event",
        utility,
        api().announce_event(program, start, start + 2 * HOUR_MS, start - HOUR_MS / 2, 0),
        0,
    )?;
    figures.record("demand_response", "announce_event", cost);
    chain.set_time(start + 2 * HOUR_MS);
    chain.next_block();

    // Finalizing votes for a batch of 1 and a full batch of 100: the per-entry cost of recording.
    let entries = |from: u64, n: u64| -> Vec<Measurement> {
        (from..from + n)
            .map(|meter| Measurement {
                meter,
                baseline_wh: 10_000,
                actual_wh: 6_000 + meter,
            })
            .collect()
    };
    let mut finalizing = Vec::new();
    for (index, (from, n)) in [(0, 1), (1, 100), (101, METERS - 101)]
        .into_iter()
        .enumerate()
    {
        let batch = MeasurementBatch {
            event,
            index: index as u32,
            entries: entries(from, n),
            readings_root: [index as u8; 32],
        };
        must(
            &mut chain,
            "submit_measurements",
            operators[0],
            api().submit_measurements(batch.clone()),
            0,
        )?;
        let (outcome, cost) = must(
            &mut chain,
            "submit_measurements",
            operators[1],
            api().submit_measurements(batch),
            0,
        )?;
        ensure!(outcome == VoteOutcome::Finalized, "batch {index} not final");
        finalizing.push(cost);
    }
    figures.record(
        "demand_response",
        "submit_measurements_final_1",
        finalizing[0],
    );
    figures.record(
        "demand_response",
        "submit_measurements_final_100",
        finalizing[1],
    );
    figures.record(
        "demand_response",
        "submit_measurements_per_entry",
        per_item(finalizing[0], finalizing[1], 100),
    );

    // A dispute resolved with a correction, then the rest is settled after the window.
    let (_, cost) = must(
        &mut chain,
        "dispute",
        customers[0].0,
        api().dispute(event, 0),
        0,
    )?;
    figures.record("demand_response", "dispute", cost);
    let (_, cost) = must(
        &mut chain,
        "resolve",
        utility,
        api().resolve(event, 0, Some((10_000, 5_000))),
        0,
    )?;
    figures.record("demand_response", "resolve", cost);
    let (_, cost) = must(
        &mut chain,
        "close_event",
        utility,
        api().close_event(event),
        0,
    )?;
    figures.record("demand_response", "close_event", cost);
    chain.advance_time(HOUR_MS);
    chain.next_block();

    // Settlement: the first call (which also fixes the allocation) pays 1, then 1 and a full batch.
    let keeper = operators[2];
    let (_, opening) = must(
        &mut chain,
        "settle",
        keeper,
        api().settle(event, vec![0]),
        0,
    )?;
    figures.record("demand_response", "settle_first_call_1_entry", opening);
    let (paid, one) = must(
        &mut chain,
        "settle",
        keeper,
        api().settle(event, vec![1]),
        0,
    )?;
    ensure!(paid == 1, "settle paid {paid}");
    let full: Vec<u64> = (2..2 + u64::from(MAX_SETTLE_BATCH))
        .filter(|m| *m < METERS)
        .collect();
    let n = full.len() as u64;
    let (paid, many) = must(&mut chain, "settle", keeper, api().settle(event, full), 0)?;
    ensure!(u64::from(paid) == n, "settle paid {paid} of {n}");
    figures.record("demand_response", "settle_1_entry", one);
    figures.record("demand_response", &format!("settle_{n}_entries"), many);
    figures.record(
        "demand_response",
        "settle_per_entry",
        per_item(one, many, n),
    );
    Ok(())
}
