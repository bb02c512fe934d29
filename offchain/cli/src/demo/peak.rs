//! The peak: the utility pays the town's customers for cutting load during an evening peak. The week of
//! 15-minute readings reaches the operators' daemons, whose rounds compute every baseline with
//! `gridtrust_common::baseline` (the code the contract recomputes them with; the storm day is left out
//! as not normal) and commit the readings by Merkle roots; two of three operators send the batches
//! from their outboxes; a customer checks a reading about them; after the dispute window the keeper
//! settles every entry.
use anyhow::{anyhow, ensure, Context, Result};
use demand_response::{DemandResponse, MinReduction, ProgramTerms};
use gridtrust_chain::{encode::call_builder, Chain, Contracts, Grid, SandboxChain};
use gridtrust_common::{baseline::BaselineParams, demand::subsidy, time::HOUR_MS};
use gridtrust_oracle::{
    demand::results,
    measure::{batch_meters, demand_events, event_spec, Operator},
    sample::SampleSpec,
    Report,
};

use super::{customer, tokens, DemoOracle, UNIT};
use crate::{actor::Actor, utility::program::EventTimes};

/// The least reduction the demo's program pays for: 10 % of the baseline.
pub const PEAK_MIN_REDUCTION: MinReduction = MinReduction {
    share_bps: 1_000,
    wh: 0,
};

/// The program: 0.50 tokens per kWh below baseline, at most 5 per customer per event, nothing for a
/// cut under 10 % of the baseline, highest 3 of the last 5 weekdays with a ±20 % day-of adjustment,
/// a one-day dispute window.
pub fn peak_terms() -> ProgramTerms {
    ProgramTerms {
        rate_per_kwh: UNIT / 2,
        cap_per_event: 5 * UNIT,
        baseline: BaselineParams {
            highest: 3,
            lookback: 5,
            adjustment_cap_bps: 2_000,
        },
        dispute_window_ms: 24 * HOUR_MS,
        min_reduction: PEAK_MIN_REDUCTION,
        utc_offset: 0,
    }
}

/// How the peak ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeakOutcome {
    /// Per meter: baseline Wh, actual Wh, what its customer was paid.
    pub payments: Vec<(u64, u64, u64, u128)>,
    /// Whether a customer's reading checked against its batch root, and whether a doctored one did.
    pub reading_checks: (bool, bool),
}

/// Runs the peak over `town` on `chain`, whose meter holders the storm scene attested.
pub fn run(
    chain: &mut SandboxChain,
    grid: &Grid,
    oracle: &mut DemoOracle,
    town: &SampleSpec,
) -> Result<PeakOutcome> {
    let (start, end, shed) = town.peak;
    println!("\n== The utility runs a demand-response program for day 7's evening peak");
    let contract = grid.demand.address;
    let api = call_builder::<DemandResponse>(contract);
    // The utility and the customers act as the `utility` and `customer` commands do.
    let contracts = grid.contracts();
    let program =
        Actor::new(chain, &contracts, grid.utility).create_program(peak_terms(), 500 * UNIT)?;
    let meters = town.meters();
    for &(meter, feeder) in &meters {
        Actor::new(chain, &contracts, customer(meter))
            .enroll(program, meter, feeder)
            .with_context(|| format!("meter {meter}"))?;
    }
    let times = EventTimes {
        start_ms: start,
        end_ms: end,
        opt_out_deadline_ms: start - HOUR_MS,
    };
    let event = Actor::new(chain, &contracts, grid.utility).announce(program, times, 0)?;
    println!(
        "  0.50 tokens per kWh below baseline, at most 5, nothing for a cut under 10 % of the baseline; budget 500 tokens; {} meters enrolled",
        meters.len()
    );
    println!("  event #{event}: 17:00–19:00; every third customer sheds {shed} % of their load");
    chain.set_time(end + HOUR_MS);
    chain.next_block();

    println!(
        "\n== After the peak the operators' daemons ingest the week's readings and compute every result"
    );
    oracle.ingest_file("readings.csv")?;
    for i in 0..2 {
        let round = oracle.round(chain, grid, i)?;
        ensure!(
            round.skipped.is_empty(),
            "meters skipped: {:?}",
            round.skipped
        );
        println!(
            "  operator-{}'s daemon: event {:?} measured, {} batches queued, {} votes counted",
            i + 1,
            round.events_measured,
            round.queued,
            round.sent.voted
        );
    }
    for (report, _) in oracle.operators[0].outbox()? {
        if let Report::Measurements(batch) = report {
            println!(
                "  batch {}: {} results, readings root {}…, final after 2 of 3 operators",
                batch.index,
                batch.entries.len(),
                hex(&batch.readings_root[..6])
            );
        }
    }

    // The readings behind batch 0, as operator-1 committed to them, to prove one of them from.
    let store = &oracle.operators[0];
    let worker = oracle.worker(grid, 0);
    let contracts = Contracts {
        demand: contract,
        ..grid.contracts()
    };
    let events = demand_events(chain, &contracts, worker.operator)?;
    let spec = event_spec(
        chain,
        Operator::new(store, &contracts, &worker),
        event,
        &events,
    )?;
    let measured = store
        .measured(event)?
        .context("operator-1 measured the event")?;
    let ids = measured.clone();
    let first = results(store, &spec, batch_meters(&measured, 0))?;
    let (meter, at, wh) = first.leaves[3];
    println!("\n== Customer {meter} checks one of their readings against batch 0's root");
    let proof = first.proof(3).ok_or_else(|| anyhow!("no proof"))?;
    let who = customer(meter);
    let genuine = chain.query(
        &contract,
        api.verify_reading(event, 0, meter, at, wh, proof.clone()),
        &who,
    )?;
    let doctored = chain.query(
        &contract,
        api.verify_reading(event, 0, meter, at, wh + 100, proof),
        &who,
    )?;
    println!(
        "  {wh} Wh in the quarter from 17:45: {genuine}; the same with 100 Wh added: {doctored}"
    );

    Actor::new(chain, &contracts, grid.utility).close_event(event)?;
    chain.advance_time(24 * HOUR_MS);
    chain.next_block();
    println!("\n== No dispute within a day: operator-3's daemon, the keeper, settles every entry");
    let before: Vec<u128> = ids.iter().map(|m| chain.balance(&customer(*m))).collect();
    let paid = oracle.round(chain, grid, 2)?.entries_settled;
    ensure!(
        paid as usize == ids.len(),
        "settled {paid} of {} entries",
        ids.len()
    );
    let mut payments = Vec::new();
    let mut total = 0;
    for (meter, before) in ids.iter().zip(before) {
        let entry = chain
            .query(&contract, api.entry(event, *meter), &grid.utility)?
            .ok_or_else(|| anyhow!("no entry for meter {meter}"))?;
        let gained = chain.balance(&customer(*meter)).saturating_sub(before);
        total += gained;
        payments.push((*meter, entry.baseline_wh, entry.actual_wh, gained));
    }
    let shed = payments
        .iter()
        .filter(|p| PEAK_MIN_REDUCTION.is_met(p.1, p.2))
        .count();
    let paid_any = payments.iter().filter(|p| p.3 > 0).count();
    let terms = peak_terms();
    // What the same entries would have earned with no minimum: a highest-3-of-5 baseline runs high,
    // so random dips below it would be paid too.
    let dips = payments
        .iter()
        .filter(|p| !PEAK_MIN_REDUCTION.is_met(p.1, p.2))
        .filter(|p| {
            subsidy(
                p.1,
                p.2,
                terms.rate_per_kwh,
                terms.cap_per_event,
                MinReduction::NONE,
            ) > 0
        })
        .count();
    println!(
        "  {paid} entries settled, {} tokens in all: {shed} customers cut ≥10 % below baseline and \
         {paid_any} were paid; {dips} dips under the 10 % minimum earned nothing (without it they \
         would have been paid for noise below a high baseline)",
        tokens(total)
    );
    Ok(PeakOutcome {
        payments,
        reading_checks: (genuine, doctored),
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
