//! The keeper sizes each payout call from the chain's own limits: on a chain whose transactions may
//! carry little proof (a parachain's budget, narrowed here on the sandbox, which then fails any call
//! heavier than that), one feeder's outage is paid in more, smaller calls, and every covered
//! customer is paid exactly once.

use gridtrust_chain::{
    encode::call_builder, named_account, sizing::BATCH_FILL_PERCENT, AccountId, Chain, Effects,
    Grid, Request, SandboxChain, Weight,
};
use gridtrust_common::{committee::VoteOutcome, tiers::Tier};
use gridtrust_oracle::{
    outages::OutageRule,
    settings::{DemandRule, WorkerConfig},
    trigger::payout_batch,
    worker::round,
    Store,
};
use gridtrust_tests::{
    fixtures::{committee_grid, whole_feeder_outage},
    HOUR_MS, MINUTE_MS, UNIT,
};
use outage_insurance::{OutageInsurance, PoolTerms};

/// Covered customers on the feeder that goes dark.
const POLICIES: u32 = 40;
const FEEDER: u32 = 3;
/// What each covered customer is owed for the outage.
const PAYOUT: u128 = 5 * UNIT;

/// A sandbox chain where `POLICIES` customers hold cover on [`FEEDER`] and a 2-hour outage of it is
/// final; returns the outage's id and the customers.
fn insured_outage() -> (SandboxChain, Grid, u64, Vec<AccountId>) {
    let (mut chain, grid) = committee_grid();
    let insurance = grid.insurance.address;
    let mut api = call_builder::<OutageInsurance>(insurance);
    let insurer = named_account("insurer");
    chain.fund(&insurer, 10_000 * UNIT);
    let terms = PoolTerms {
        tiers: vec![Tier {
            min_minutes: 60,
            payout: PAYOUT,
        }],
        premium: UNIT,
        coverage_ms: 30 * 24 * HOUR_MS,
        waiting_ms: 0,
        exclude_planned: false,
        aggregate_limit: PAYOUT,
        feeder_cap: u128::MAX / 4,
        collateral_bps: 10_000,
        max_oracle_silence_ms: u64::MAX,
    };
    let pool = chain
        .call(&insurance, api.create_pool(terms), &insurer, 1_000 * UNIT)
        .unwrap()
        .value
        .unwrap();
    let holders: Vec<_> = (0..POLICIES)
        .map(|i| {
            (
                named_account(&format!("customer-{i}")),
                u64::from(i),
                FEEDER,
            )
        })
        .collect();
    grid.attest_meters(&mut chain, &holders).unwrap();
    for (who, meter, feeder) in &holders {
        chain.fund(who, 10 * UNIT);
        chain
            .call(&insurance, api.buy_policy(pool, *meter, *feeder), who, UNIT)
            .unwrap()
            .value
            .unwrap();
    }
    let start = chain.now_ms() + MINUTE_MS;
    let report = whole_feeder_outage(FEEDER, start, start + 2 * HOUR_MS, [7; 32]);
    chain.set_time(report.end_ms + MINUTE_MS);
    let operators = grid.operators.clone();
    chain
        .call(
            &insurance,
            api.report_outage_start(FEEDER, start),
            &operators[0],
            0,
        )
        .unwrap()
        .value
        .unwrap();
    let id = chain
        .query(&insurance, api.outage_count(), &insurer)
        .unwrap();
    for operator in [0, 1] {
        let vote = chain
            .call(
                &insurance,
                api.report_outage_end(report.clone()),
                &operators[operator],
                0,
            )
            .unwrap()
            .value
            .unwrap();
        assert_eq!(vote == VoteOutcome::Finalized, operator == 1, "{vote:?}");
    }
    let customers = holders.into_iter().map(|(who, ..)| who).collect();
    (chain, grid, id, customers)
}

fn keeper(grid: &Grid) -> WorkerConfig {
    WorkerConfig {
        operator: grid.operators[2],
        outages: OutageRule::default(),
        demand: DemandRule::default(),
        keeper: true,
        heartbeat_ms: 0,
    }
}

#[test]
fn a_small_proof_budget_splits_the_payouts_and_pays_everyone_once() {
    let (mut chain, grid, outage, customers) = insured_outage();
    let insurance = grid.insurance.address;
    let mut api = call_builder::<OutageInsurance>(insurance);
    let operator = grid.operators[2];

    // Under contracts-node's limits one call pays the whole feeder.
    let roomy = payout_batch(&mut chain, insurance, operator, outage).unwrap();
    assert!(roomy >= POLICIES, "{roomy}");

    // A chain whose largest transaction carries only the proof of an 8-policy call: the keeper's
    // calls visit fewer policies each, and any call heavier than that would fail here.
    let eight = chain
        .execute(
            Request::new(&insurance, api.process_payouts(outage, 8), &operator, 0),
            Effects::Discard,
        )
        .unwrap()
        .weight_required;
    let ref_time = gridtrust_chain::sandbox::MAX_CALL_WEIGHT.ref_time();
    chain.set_max_call_weight(Weight::from_parts(ref_time, eight.proof_size()));
    let narrow = payout_batch(&mut chain, insurance, operator, outage).unwrap();
    assert!(
        (1..8).contains(&narrow),
        "a batch within {BATCH_FILL_PERCENT} % of an 8-policy call's proof: {narrow}"
    );
    let calls = POLICIES.div_ceil(narrow);
    assert!(calls > 5, "{calls} calls of {narrow}");

    // The keeper's round pays them all under the narrow limit, one call per block.
    let before: Vec<u128> = customers.iter().map(|c| chain.balance(c)).collect();
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("keeper.db")).unwrap();
    let first_block = chain.block_number();
    let done = round(&mut chain, &mut store, &grid.contracts(), &keeper(&grid)).unwrap();
    assert_eq!(done.policies_paid, POLICIES);
    assert_eq!(
        chain.block_number() - first_block + 1,
        calls,
        "one payout call per block, {narrow} policies per call"
    );
    assert_eq!(
        chain
            .query(&insurance, api.payouts_remaining(outage), &operator)
            .unwrap(),
        Some(0)
    );
    for (customer, before) in customers.iter().zip(before) {
        assert_eq!(
            chain.balance(customer) - before,
            PAYOUT,
            "paid exactly once"
        );
    }

    // Another round pays nobody twice.
    let again = round(&mut chain, &mut store, &grid.contracts(), &keeper(&grid)).unwrap();
    assert_eq!(again.policies_paid, 0);
}
