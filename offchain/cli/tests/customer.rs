//! The customer's command handlers on the real contract Wasm in the sandbox: a quote that says whether
//! and why cover is on sale, buying it (and being refused without an attestation), taking part in a
//! demand-response program (enroll, opt out of an event, leave), disputing and claiming (refused when
//! there is nothing to dispute or claim).

use demand_response::DemandResponse;
use gridtrust::{customer::Claimed, insurer::terms};
use gridtrust_chain::{encode::call_builder, named_account, Chain, ContractError};
use gridtrust_tests::{
    fixtures::{committee_heard, funded, minute_program_terms},
    refusal, DAY_MS, MINUTE_MS, UNIT,
};

mod support;

use support::Stage;

/// The example terms users start from.
const TERMS: &str = include_str!("../../../deploy/pool.toml");

#[test]
fn a_customer_quotes_buys_takes_part_and_is_told_why_not() {
    let mut stage = Stage::new();
    let meter_schema = stage.grid.meter_schema;
    let [insurer, alice, mallory] = funded(
        &mut stage.chain,
        ["insurer", "customer-1001", "not-a-holder"],
        1_000,
    );
    let pool = stage
        .by(insurer)
        .create_pool(terms::parse(TERMS).unwrap(), 500 * UNIT)
        .unwrap();

    // A day and more without a word from the committee: the quote says why there is no sale.
    stage.chain.advance_time(2 * DAY_MS);
    stage.chain.next_block();
    let q = stage.by(alice).cover_quote(pool, Some(2)).unwrap();
    assert!(!q.selling);
    assert!(q.why_not.unwrap().contains("silent"));
    committee_heard(&mut stage.chain, &stage.grid);
    let q = stage.by(alice).cover_quote(pool, Some(2)).unwrap();
    assert!(q.selling, "{:?}", q.why_not);
    assert_eq!(q.terms.premium, 2 * UNIT);

    stage
        .grid
        .attest_meter(&mut stage.chain, alice, 1001, 2)
        .unwrap();
    let err = stage.by(mallory).buy_cover(pool, 1001, 2).unwrap_err();
    assert_eq!(refusal(err), "NotMeterHolder");
    let before = stage.chain.balance(&alice);
    let (policy, premium) = stage.by(alice).buy_cover(pool, 1001, 2).unwrap();
    assert_eq!((policy, premium), (0, 2 * UNIT));
    assert!(before - stage.chain.balance(&alice) >= 2 * UNIT);
    let err = stage.by(alice).buy_cover(pool, 1001, 2).unwrap_err();
    assert_eq!(refusal(err), "AlreadyCovered");
    stage.by(insurer).close_pool(pool).unwrap();
    let q = stage.by(alice).cover_quote(pool, None).unwrap();
    assert_eq!(q.why_not.as_deref(), Some("the pool is closed"));

    // Consent for a bank to record checks of the meter-holder attestation, then withdrawn.
    let bank = named_account("a-bank");
    let until = stage.chain.now_ms() + 30 * DAY_MS;
    stage
        .by(alice)
        .grant_consent(bank, meter_schema, until)
        .unwrap();
    stage
        .by(alice)
        .withdraw_consent(bank, meter_schema)
        .unwrap();
    let err = stage
        .by(alice)
        .withdraw_consent(bank, meter_schema)
        .unwrap_err();
    assert_eq!(refusal(err), "NoConsent");

    // Nothing owed: a claim sends nothing and collects nothing.
    assert_eq!(stage.by(alice).claim_owed().unwrap(), Claimed::default());

    // Demand response.
    let demand = stage.contracts.demand;
    let mut dr = call_builder::<DemandResponse>(demand);
    let terms = minute_program_terms();
    let program = stage
        .chain
        .call(&demand, dr.create_program(terms), &stage.grid.utility, UNIT)
        .unwrap()
        .value
        .unwrap();
    let err = stage.by(mallory).enroll(program, 1001, 2).unwrap_err();
    assert_eq!(refusal(err), "NotMeterHolder");
    stage.by(alice).enroll(program, 1001, 2).unwrap();
    let start = stage.chain.now_ms() + DAY_MS;
    let event = stage
        .chain
        .call(
            &demand,
            dr.announce_event(program, start, start + 60 * MINUTE_MS, start - MINUTE_MS, 0),
            &stage.grid.utility,
            0,
        )
        .unwrap()
        .value
        .unwrap();
    stage.by(alice).opt_out(event, 1001).unwrap();
    let err = stage.by(alice).opt_out(event, 1001).unwrap_err();
    assert_eq!(refusal(err), "AlreadyOptedOut");
    assert!(stage
        .chain
        .query(&demand, dr.opted_out(event, 1001), &alice)
        .unwrap());
    let err = stage.by(alice).dispute(event, 1001).unwrap_err();
    assert_eq!(refusal(err), "EntryNotFound");
    stage.by(alice).leave(program, 1001).unwrap();
    let err = stage.by(alice).leave(program, 1001).unwrap_err();
    assert_eq!(refusal(err), "NotEnrolled");
    assert!(matches!(
        ContractError::from(demand_response::Error::NotEnrolled)
            .words()
            .as_str(),
        "not enrolled"
    ));
}
