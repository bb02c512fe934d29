//! The customer's command handlers on the real contract Wasm in the sandbox: a quote that says whether
//! and why cover is on sale, buying it (and being refused without an attestation), taking part in a
//! demand-response program (enroll, opt out of an event, leave), disputing and claiming (refused when
//! there is nothing to dispute or claim).

use demand_response::DemandResponse;
use gridtrust::{actor::Actor, customer::Claimed, insurer::terms};
use gridtrust_chain::{encode::call_builder, named_account, Chain, ContractError};
use gridtrust_tests::{
    fixtures::{committee_grid, committee_heard, funded, minute_program_terms},
    refusal, DAY_MS, MINUTE_MS, UNIT,
};

/// The example terms users start from.
const TERMS: &str = include_str!("../../../deploy/pool.toml");

#[test]
fn a_customer_quotes_buys_takes_part_and_is_told_why_not() {
    let (mut chain, grid) = committee_grid();
    let contracts = grid.contracts();
    let [insurer, alice, mallory] = funded(
        &mut chain,
        ["insurer", "customer-1001", "not-a-holder"],
        1_000,
    );
    let pool = Actor::new(&mut chain, &contracts, insurer)
        .create_pool(terms::parse(TERMS).unwrap(), 500 * UNIT)
        .unwrap();

    // A day and more without a word from the committee: the quote says why there is no sale.
    chain.advance_time(2 * DAY_MS);
    chain.next_block();
    let q = Actor::new(&mut chain, &contracts, alice)
        .cover_quote(pool, Some(2))
        .unwrap();
    assert!(!q.selling);
    assert!(q.why_not.unwrap().contains("silent"));
    committee_heard(&mut chain, &grid);
    let q = Actor::new(&mut chain, &contracts, alice)
        .cover_quote(pool, Some(2))
        .unwrap();
    assert!(q.selling, "{:?}", q.why_not);
    assert_eq!(q.terms.premium, 2 * UNIT);

    grid.attest_meter(&mut chain, alice, 1001, 2).unwrap();
    let err = Actor::new(&mut chain, &contracts, mallory)
        .buy_cover(pool, 1001, 2)
        .unwrap_err();
    assert_eq!(refusal(err), "NotMeterHolder");
    let before = chain.balance(&alice);
    let (policy, premium) = Actor::new(&mut chain, &contracts, alice)
        .buy_cover(pool, 1001, 2)
        .unwrap();
    assert_eq!((policy, premium), (0, 2 * UNIT));
    assert!(before - chain.balance(&alice) >= 2 * UNIT);
    let err = Actor::new(&mut chain, &contracts, alice)
        .buy_cover(pool, 1001, 2)
        .unwrap_err();
    assert_eq!(refusal(err), "AlreadyCovered");
    Actor::new(&mut chain, &contracts, insurer)
        .close_pool(pool)
        .unwrap();
    let q = Actor::new(&mut chain, &contracts, alice)
        .cover_quote(pool, None)
        .unwrap();
    assert_eq!(q.why_not.as_deref(), Some("the pool is closed"));

    // Consent for a bank to record checks of the meter-holder attestation, then withdrawn.
    let bank = named_account("a-bank");
    let until = chain.now_ms() + 30 * DAY_MS;
    Actor::new(&mut chain, &contracts, alice)
        .grant_consent(bank, grid.meter_schema, until)
        .unwrap();
    Actor::new(&mut chain, &contracts, alice)
        .withdraw_consent(bank, grid.meter_schema)
        .unwrap();
    let err = Actor::new(&mut chain, &contracts, alice)
        .withdraw_consent(bank, grid.meter_schema)
        .unwrap_err();
    assert_eq!(refusal(err), "NoConsent");

    // Nothing owed: a claim sends nothing and collects nothing.
    assert_eq!(
        Actor::new(&mut chain, &contracts, alice)
            .claim_owed()
            .unwrap(),
        Claimed::default()
    );

    // Demand response.
    let demand = contracts.demand;
    let mut dr = call_builder::<DemandResponse>(demand);
    let terms = minute_program_terms();
    let program = chain
        .call(&demand, dr.create_program(terms), &grid.utility, UNIT)
        .unwrap()
        .value
        .unwrap();
    let err = Actor::new(&mut chain, &contracts, mallory)
        .enroll(program, 1001, 2)
        .unwrap_err();
    assert_eq!(refusal(err), "NotMeterHolder");
    Actor::new(&mut chain, &contracts, alice)
        .enroll(program, 1001, 2)
        .unwrap();
    let start = chain.now_ms() + DAY_MS;
    let event = chain
        .call(
            &demand,
            dr.announce_event(program, start, start + 60 * MINUTE_MS, start - MINUTE_MS, 0),
            &grid.utility,
            0,
        )
        .unwrap()
        .value
        .unwrap();
    Actor::new(&mut chain, &contracts, alice)
        .opt_out(event, 1001)
        .unwrap();
    let err = Actor::new(&mut chain, &contracts, alice)
        .opt_out(event, 1001)
        .unwrap_err();
    assert_eq!(refusal(err), "AlreadyOptedOut");
    assert!(chain
        .query(&demand, dr.opted_out(event, 1001), &alice)
        .unwrap());
    let err = Actor::new(&mut chain, &contracts, alice)
        .dispute(event, 1001)
        .unwrap_err();
    assert_eq!(refusal(err), "EntryNotFound");
    Actor::new(&mut chain, &contracts, alice)
        .leave(program, 1001)
        .unwrap();
    let err = Actor::new(&mut chain, &contracts, alice)
        .leave(program, 1001)
        .unwrap_err();
    assert_eq!(refusal(err), "NotEnrolled");
    assert!(matches!(
        ContractError::from(demand_response::Error::NotEnrolled)
            .words()
            .as_str(),
        "not enrolled"
    ));
}
