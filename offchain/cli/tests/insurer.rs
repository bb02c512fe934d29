//! The insurer's command handlers on the real contract Wasm in the sandbox: a pool from a terms file,
//! funded, selling a policy, its book, free capital withdrawn, closed; and the refusals an insurer
//! meets (terms the contract would refuse, caught before signing; another account closing the pool;
//! withdrawing capital that backs live policies).

use gridtrust::insurer::{terms, Released, Take};
use gridtrust_chain::{encode::call_builder, named_account, AccountId, Chain, SandboxChain};
use gridtrust_tests::{
    fixtures::{committee_heard, funded},
    refusal, DAY_MS, UNIT,
};
use outage_insurance::OutageInsurance;

mod support;

use support::Stage;

/// The example terms users start from.
const TERMS: &str = include_str!("../../../deploy/pool.toml");

/// A stage.grid whose committee was heard, `names` funded, and a pool on the example terms with `capital`,
/// created by the first of them.
fn pool_from_terms<const N: usize>(
    names: [&str; N],
    capital: u128,
) -> (Stage, [AccountId; N], u32) {
    let mut stage = Stage::new();
    let accounts = funded(&mut stage.chain, names, 10_000);
    committee_heard(&mut stage.chain, &stage.grid);
    let terms = terms::parse(TERMS).unwrap();
    let pool = stage.by(accounts[0]).create_pool(terms, capital).unwrap();
    (stage, accounts, pool)
}

#[test]
fn an_insurer_runs_a_pool_from_terms_to_withdrawal_and_close() {
    let (mut stage, [insurer, other, customer], pool) =
        pool_from_terms(["insurer", "other-provider", "customer-1001"], 100 * UNIT);
    let mut api = call_builder::<OutageInsurance>(stage.contracts.insurance);
    let minted = stage.by(other).fund_pool(pool, 50 * UNIT).unwrap();
    assert_eq!(
        minted,
        50 * UNIT,
        "one share per plank while nothing was earned"
    );

    stage
        .grid
        .attest_meters(&mut stage.chain, &[(customer, 1001, 2)])
        .unwrap();
    stage
        .chain
        .call(
            &stage.contracts.insurance,
            api.buy_policy(pool, 1001, 2),
            &customer,
            2 * UNIT,
        )
        .unwrap()
        .value
        .unwrap();

    let st = stage.by(insurer).pool_status(pool).unwrap();
    assert_eq!(
        (st.capital, st.locked, st.free),
        (152 * UNIT, 60 * UNIT, 92 * UNIT)
    );
    assert_eq!(
        (st.policies_sold, st.premiums, st.paid_out),
        (1, 2 * UNIT, 0)
    );
    assert_eq!(st.shares_held, 100 * UNIT);
    assert_eq!(st.feeders.len(), 1);
    assert_eq!(
        (st.feeders[0].feeder, st.feeders[0].exposure),
        (2, 60 * UNIT)
    );

    // Another account cannot close it; capital behind the live policy cannot leave (the insurer's
    // shares are worth 101.33 tokens, 92 are free).
    let err = stage.by(other).close_pool(pool).unwrap_err();
    assert_eq!(refusal(err), "NotInsurer");
    let err = stage
        .by(insurer)
        .withdraw_capital(pool, Take::All)
        .unwrap_err();
    assert_eq!(refusal(err), "InsufficientFreeCapital");

    // Free capital can: shares worth at most what was asked are burned.
    let before = stage.chain.balance(&other);
    let (paid, burned) = stage
        .by(other)
        .withdraw_capital(pool, Take::Amount(40 * UNIT))
        .unwrap();
    assert!(paid <= 40 * UNIT && paid > 39 * UNIT, "{paid}");
    assert_eq!(stage.chain.balance(&other) - before, paid);
    assert!(burned > 0);

    stage.by(insurer).close_pool(pool).unwrap();
    let st = stage.by(insurer).pool_status(pool).unwrap();
    assert!(st.closed);
    let err = stage.by(insurer).close_pool(pool).unwrap_err();
    assert_eq!(refusal(err), "PoolClosed");
}

/// Cover over, the settlement grace passed: the insurer's command releases the policy, and the
/// capital that backed it is free; a policy still within its grace, and a second run, release none.
#[test]
fn expired_policies_are_released_and_their_capital_freed() {
    let (mut stage, [insurer, early, late], pool) =
        pool_from_terms(["insurer", "customer-2001", "customer-2002"], 200 * UNIT);
    let mut api = call_builder::<OutageInsurance>(stage.contracts.insurance);
    stage
        .grid
        .attest_meters(&mut stage.chain, &[(early, 2001, 2), (late, 2002, 2)])
        .unwrap();
    let mut buy = |chain: &mut SandboxChain, who, meter| {
        chain
            .call(
                &stage.contracts.insurance,
                api.buy_policy(pool, meter, 2),
                &who,
                2 * UNIT,
            )
            .unwrap()
            .value
            .unwrap()
    };
    buy(&mut stage.chain, early, 2001);
    // 30 days of cover and 7 of grace later the first policy is releasable; the second, bought
    // 10 days after it, is not.
    stage.chain.advance_time(10 * DAY_MS);
    stage.chain.next_block();
    committee_heard(&mut stage.chain, &stage.grid);
    buy(&mut stage.chain, late, 2002);
    stage.chain.advance_time(28 * DAY_MS);
    stage.chain.next_block();
    let before = stage.by(insurer).pool_status(pool).unwrap();
    assert_eq!(before.locked, 120 * UNIT);

    let done = stage.by(insurer).release_expired(pool).unwrap();
    assert_eq!(
        done,
        Released {
            released: 1,
            calls: 1
        }
    );
    let after = stage.by(insurer).pool_status(pool).unwrap();
    assert_eq!(after.locked, 60 * UNIT);
    assert_eq!(after.free, before.free + 60 * UNIT);
    let again = stage.by(insurer).release_expired(pool).unwrap();
    assert_eq!(
        again,
        Released {
            released: 0,
            calls: 0
        }
    );
}

#[test]
fn terms_the_contract_would_refuse_never_reach_it() {
    let bad = TERMS.replace("feeder_cap = \"5000\"", "feeder_cap = \"10\"");
    assert_ne!(bad, TERMS);
    let err = terms::parse(&bad).unwrap_err().to_string();
    assert!(err.contains("feeder cap"), "{err}");
    // The contract itself says the same about the same terms.
    let mut stage = Stage::new();
    let insurer = named_account("insurer");
    stage.chain.fund(&insurer, 100 * UNIT);
    let mut t = terms::parse(TERMS).unwrap();
    t.feeder_cap = 10 * UNIT;
    assert!(t.problem().is_some());
    let err = stage.by(insurer).create_pool(t, 0).unwrap_err();
    assert_eq!(refusal(err), "InvalidTerms");
}
