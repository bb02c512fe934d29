//! Outage insurance: buying a policy, outage reports and their evidence, payouts per block at 1,000
//! and 100,000 live policies, and paying 10,000 policies on one feeder.

use anyhow::{ensure, Context, Result};
use gridtrust_chain::{
    encode::call_builder, named_account, Answer, Chain, ContractError, Grid, SandboxChain,
};

use gridtrust_common::outage::evidence_proof;
use gridtrust_oracle::outages::{decide, final_report, outage_events, Outage, OutageRule};

use super::{
    committee_grid, fit, Cost, EvidenceFigure, Figures, NORMAL_PROOF_SIZE, NORMAL_REF_TIME,
};

/// Policies a payout batch call visits in the per-payout measurement.
const PAYOUT_BATCH: u32 = 200;
/// Feeder the measured outage hits; unrelated policies sit on other feeders.
pub(super) const OUTAGE_FEEDER: u32 = 0;

/// A chain with every policy sold.
struct Insured {
    chain: SandboxChain,
    grid: Grid,
    /// Weight of the last `buy_policy` call.
    buy_policy: Cost,
}

/// A grid with an insurance pool big enough for `on_feeder + elsewhere` policies, all sold: `on_feeder`
/// on [`OUTAGE_FEEDER`], the rest spread over other feeders.
fn insured_grid(on_feeder: u32, elsewhere: u32) -> Result<Insured> {
    use outage_insurance::{OutageInsurance, PoolTerms};
    let (mut chain, grid) = committee_grid()?;
    let insurer = named_account("bench-insurer");
    chain.fund(&insurer, 1 << 120);
    let total = on_feeder + elsewhere;
    let terms = PoolTerms {
        tiers: vec![gridtrust_common::tiers::Tier {
            min_minutes: 60,
            payout: 10_000_000_000,
        }],
        premium: 1_000_000_000,
        coverage_ms: 365 * 24 * 3_600_000,
        waiting_ms: 0,
        exclude_planned: false,
        aggregate_limit: 10_000_000_000,
        feeder_cap: u128::MAX / 4,
        collateral_bps: 10_000,
        max_oracle_silence_ms: u64::MAX,
    };
    let capital = 10_000_000_000u128 * u128::from(total) * 2;
    let mut api = call_builder::<OutageInsurance>(grid.insurance.address);
    let pool = chain
        .call(
            &grid.insurance.address,
            api.create_pool(terms),
            &insurer,
            capital,
        )
        .or_refused("create_pool")?;

    // One buyer per policy, each holding its own meter; attested in batches, then bought one by one.
    let buyers: Vec<_> = (0..total)
        .map(|i| {
            let feeder = if i < on_feeder {
                OUTAGE_FEEDER
            } else {
                1 + i % 50
            };
            (
                named_account(&format!("bench-customer-{i}")),
                u64::from(i),
                feeder,
            )
        })
        .collect();
    grid.attest_meters(&mut chain, &buyers)?;
    let mut buy_policy = Cost {
        ref_time: 0,
        proof_size: 0,
    };
    for (i, (who, meter, feeder)) in buyers.iter().enumerate() {
        if i % 10_000 == 9_999 {
            eprintln!("bench:   {} policies sold", i + 1);
        }
        if i % 1_000 == 999 {
            chain.next_block();
        }
        chain.fund(who, 10_000_000_000_000);
        let bought = chain.call(
            &grid.insurance.address,
            api.buy_policy(pool, *meter, *feeder),
            who,
            1_000_000_000,
        )?;
        bought
            .value
            .map_err(ContractError::from)
            .context("buy_policy")?;
        buy_policy = bought.weight_consumed.into();
    }
    Ok(Insured {
        chain,
        grid,
        buy_policy,
    })
}

/// A 2-hour storm on [`OUTAGE_FEEDER`] starting an hour from the chain's now: `meters` meters go
/// dark one millisecond apart and come back in the same order. Returns the outage the shared rule
/// decides from it, evidence included.
fn storm(chain: &SandboxChain, meters: u64) -> Outage {
    storm_from(
        OUTAGE_FEEDER,
        0..meters,
        chain.now_ms() + 3_600_000,
        2 * 3_600_000,
    )
}

/// An outage of `feeder` from `start` for `lasting` ms: `meters` go dark one millisecond apart and
/// come back in the same order, decided by the shared rule.
pub(super) fn storm_from(
    feeder: u32,
    meters: std::ops::Range<u64>,
    start: u64,
    lasting: u64,
) -> Outage {
    let events = outage_events(feeder, meters, start, start + lasting, 1);
    decide(&events, &OutageRule::default(), 0).remove(0)
}

/// The final report's weight: the vote that finalizes it.
struct Finalized {
    id: u64,
    start_vote: Cost,
    final_vote: Cost,
}

/// Finalizes `outage` through the committee (its start, then its final report with the root of its
/// evidence, as the oracle makes it).
fn finalize(chain: &mut SandboxChain, grid: &Grid, outage: &Outage) -> Result<Finalized> {
    use outage_insurance::OutageInsurance;
    let mut api = call_builder::<OutageInsurance>(grid.insurance.address);
    let report = final_report(outage, &OutageRule::default()).context("the storm ended")?;
    chain.set_time(report.end_ms + 60_000);
    let first = chain.call(
        &grid.insurance.address,
        api.report_outage_start(report.feeder, report.start_ms),
        &grid.operators[0],
        0,
    )?;
    chain.call(
        &grid.insurance.address,
        api.report_outage_end(report.clone()),
        &grid.operators[0],
        0,
    )?;
    let id = chain.query(&grid.insurance.address, api.outage_count(), &grid.utility)?;
    let last = chain.call(
        &grid.insurance.address,
        api.report_outage_end(report),
        &grid.operators[1],
        0,
    )?;
    ensure!(
        last.value == Ok(gridtrust_common::committee::VoteOutcome::Finalized),
        "outage did not finalize: {:?}",
        last.value
    );
    Ok(Finalized {
        id,
        start_vote: first.weight_consumed.into(),
        final_vote: last.weight_consumed.into(),
    })
}

/// Finalizes a 2-hour unplanned outage of [`OUTAGE_FEEDER`] with `meters` dark meters; returns its
/// id.
fn finalized_outage(
    chain: &mut SandboxChain,
    grid: &Grid,
    meters: u64,
    figures: Option<&mut Figures>,
) -> Result<u64> {
    let outage = storm(chain, meters);
    let done = finalize(chain, grid, &outage)?;
    if let Some(figures) = figures {
        figures.record("outage_insurance", "report_outage_start", done.start_vote);
        figures.record(
            "outage_insurance",
            "report_outage_end_final",
            done.final_vote,
        );
    }
    Ok(done.id)
}

/// The evidence behind a final report, for a 75-meter and a 10,000-meter feeder: events, the proof a
/// customer checks one event with, what the contract's check costs, and what the final vote costs
/// (the same for both: the report carries only the root).
pub(super) fn evidence(figures: &mut Figures) -> Result<()> {
    use outage_insurance::OutageInsurance;
    let (mut chain, grid) = committee_grid()?;
    for meters in [75u64, 10_000] {
        let outage = storm(&chain, meters);
        let done = finalize(&mut chain, &grid, &outage)?;
        let index = outage.evidence.len() / 2;
        let proof = evidence_proof(&outage.evidence, index).context("an event in range")?;
        let api = call_builder::<OutageInsurance>(grid.insurance.address);
        let checked = chain.call(
            &grid.insurance.address,
            api.verify_outage_event(done.id, outage.evidence[index], proof.clone()),
            &grid.utility,
            0,
        )?;
        ensure!(checked.value, "the event did not prove");
        figures.evidence.push(EvidenceFigure {
            meters,
            events: outage.evidence.len(),
            siblings: proof.siblings.len(),
            proof_bytes: scale::Encode::encoded_size(&proof),
            verify: checked.weight_consumed.into(),
            final_vote: done.final_vote,
        });
        chain.next_block();
    }
    Ok(())
}

/// Weight of one payout with `live` policies in the contract, 1,000 of them on the outage's feeder.
pub(super) fn payout_case(figures: &mut Figures, live: u32) -> Result<()> {
    use outage_insurance::OutageInsurance;
    let on_feeder = 1_000.min(live);
    eprintln!("bench: building {live} live policies ({on_feeder} on the outage's feeder)...");
    let Insured {
        mut chain,
        grid,
        buy_policy,
    } = insured_grid(on_feeder, live - on_feeder)?;
    let outage = finalized_outage(&mut chain, &grid, u64::from(on_feeder), Some(figures))?;
    let mut api = call_builder::<OutageInsurance>(grid.insurance.address);
    let keeper = grid.utility;
    let one = chain.call(
        &grid.insurance.address,
        api.process_payouts(outage, 1),
        &keeper,
        0,
    )?;
    let many = chain.call(
        &grid.insurance.address,
        api.process_payouts(outage, PAYOUT_BATCH),
        &keeper,
        0,
    )?;
    ensure!(
        one.value.map(|p| p.paid) == Ok(1) && many.value.map(|p| p.paid) == Ok(PAYOUT_BATCH),
        "payout batches did not pay every policy: {:?} {:?}",
        one.value,
        many.value
    );
    // The call's fixed part (loading the contract, the outage record) is paid once per block's call.
    let (per_payout, fixed) = Cost::split(
        one.weight_consumed,
        many.weight_consumed,
        u64::from(PAYOUT_BATCH - 1),
    );
    let by_ref = fit(NORMAL_REF_TIME, fixed.ref_time, per_payout.ref_time);
    let by_proof = fit(NORMAL_PROOF_SIZE, fixed.proof_size, per_payout.proof_size);
    figures
        .payouts_per_block
        .insert(live, (per_payout, by_ref.min(by_proof)));
    if live == 1_000 {
        figures.record("outage_insurance", "buy_policy", buy_policy);
        figures.record("outage_insurance", "payout_batch_per_policy", per_payout);
        figures.record("outage_insurance", "process_payouts_fixed", fixed);
    }
    Ok(())
}

/// 10,000 policies on one feeder, one outage: how many calls, each within a block, pay them all.
pub(super) fn settle_ten_thousand(figures: &mut Figures) -> Result<()> {
    use outage_insurance::{OutageInsurance, MAX_PAYOUT_BATCH};
    const POLICIES: u32 = 10_000;
    eprintln!("bench: building {POLICIES} policies on one feeder...");
    let Insured {
        mut chain, grid, ..
    } = insured_grid(POLICIES, 0)?;
    let outage = finalized_outage(&mut chain, &grid, u64::from(POLICIES), None)?;
    let (per_payout, _) = *figures
        .payouts_per_block
        .get(&1_000)
        .context("the 1,000-policy case runs first")?;
    // Fill a call to 90 % of the largest extrinsic, leaving room for the fixed part.
    let max_call = gridtrust_chain::sandbox::MAX_CALL_WEIGHT.ref_time();
    let batch = u32::try_from(max_call / 10 * 9 / per_payout.ref_time.max(1))
        .unwrap_or(u32::MAX)
        .min(MAX_PAYOUT_BATCH);
    let mut api = call_builder::<OutageInsurance>(grid.insurance.address);
    let (mut calls, mut heaviest, mut paid) = (
        0u32,
        Cost {
            ref_time: 0,
            proof_size: 0,
        },
        0u32,
    );
    loop {
        let out = chain.call(
            &grid.insurance.address,
            api.process_payouts(outage, batch),
            &grid.utility,
            0,
        )?;
        let progress = out
            .value
            .map_err(ContractError::from)
            .context("process_payouts")?;
        calls += 1;
        paid += progress.paid;
        if out.weight_required.ref_time() > heaviest.ref_time {
            heaviest = out.weight_required.into();
        }
        chain.next_block();
        if progress.remaining == 0 {
            break;
        }
    }
    ensure!(paid == POLICIES, "paid {paid} of {POLICIES} policies");
    ensure!(
        heaviest.ref_time <= NORMAL_REF_TIME,
        "a call exceeded the block: {heaviest:?}"
    );
    figures.settle = Some((POLICIES, batch, calls, heaviest));
    Ok(())
}
