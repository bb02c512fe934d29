//! A customer's actions over the `Chain` trait, so the same handlers run on the sandbox in tests and
//! against a node from the command line.

use demand_response::DemandResponse;
use gridtrust_chain::{
    encode::call_builder, AccountId, Answer, CallError, Chain, ContractError, Contracts,
};
use gridtrust_common::{
    committee::{self, Oracle},
    owed::OwedPayments,
};
use outage_insurance::{OutageInsurance, PoolTerms};

/// A pool's offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    /// The pool.
    pub pool: u32,
    /// Its terms.
    pub terms: PoolTerms,
    /// Whether it sells now (on the feeder asked about, if any).
    pub selling: bool,
    /// Why it does not, in words.
    pub why_not: Option<String>,
}

fn refused(message: &'static str, error: impl Into<ContractError>) -> CallError {
    CallError::Refused {
        message,
        error: error.into(),
    }
}

/// What `pool` offers, and whether it sells now (on `feeder`, when given): a closed pool, a frozen
/// feeder or a silent oracle committee stop sales, and are named.
pub fn quote(
    chain: &mut impl Chain,
    contracts: &Contracts,
    asker: &AccountId,
    pool: u32,
    feeder: Option<u32>,
) -> Result<Quote, CallError> {
    let insurance = contracts.insurance;
    let api = call_builder::<OutageInsurance>(insurance);
    let p = chain
        .query(&insurance, api.pool(pool), asker)?
        .ok_or_else(|| refused("pool", outage_insurance::Error::PoolNotFound))?;
    let mut why_not = p.closed.then(|| "the pool is closed".to_owned());
    if why_not.is_none() {
        if let Some(f) = feeder {
            if chain.query(&insurance, api.sales_frozen(f), asker)? {
                why_not = Some(format!(
                    "an outage is open on feeder {f}: no sales until it ends"
                ));
            }
        }
    }
    if why_not.is_none() {
        let (_, threshold) = chain.query(&insurance, api.committee(), asker)?;
        let now = chain.now_ms()?;
        let heard = chain.query(&insurance, api.last_heard(), asker)?;
        let heard = heard.into_iter().map(|(_, at)| at);
        if !committee::live(heard, threshold, now, p.terms.max_oracle_silence_ms) {
            why_not = Some(
                "the oracle committee has been silent too long: no sales until it reports again"
                    .to_owned(),
            );
        }
    }
    Ok(Quote {
        pool,
        selling: why_not.is_none(),
        terms: p.terms,
        why_not,
    })
}

/// Buys `pool`'s cover for `meter` on `feeder` as `customer`, paying the premium; returns the
/// policy's id and the premium paid.
pub fn buy_cover(
    chain: &mut impl Chain,
    contracts: &Contracts,
    customer: &AccountId,
    pool: u32,
    meter: u64,
    feeder: u32,
) -> Result<(u64, u128), CallError> {
    let insurance = contracts.insurance;
    let mut api = call_builder::<OutageInsurance>(insurance);
    let premium = chain
        .query(&insurance, api.pool(pool), customer)?
        .ok_or_else(|| refused("pool", outage_insurance::Error::PoolNotFound))?
        .terms
        .premium;
    let policy = chain
        .call(
            &insurance,
            api.buy_policy(pool, meter, feeder),
            customer,
            premium,
        )
        .or_refused("buy_policy")?;
    Ok((policy, premium))
}

/// What a claim collected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Claimed {
    /// Outage payouts.
    pub insurance: u128,
    /// Demand-response subsidies.
    pub demand: u128,
}

/// Claims what both contracts keep as owed to `customer` (skipping one that owes nothing).
pub fn claim_owed(
    chain: &mut impl Chain,
    contracts: &Contracts,
    customer: &AccountId,
) -> Result<Claimed, CallError> {
    let mut claimed = Claimed::default();
    for (contract, slot) in [
        (contracts.insurance, &mut claimed.insurance),
        (contracts.demand, &mut claimed.demand),
    ] {
        let mut api = call_builder::<OutageInsurance>(contract);
        if chain.query(&contract, api.owed_to(*customer), customer)? == 0 {
            continue;
        }
        *slot = chain
            .call(&contract, api.claim_owed(), customer, 0)
            .or_refused("claim_owed")?;
    }
    Ok(claimed)
}

/// Enrolls `meter` on `feeder` in `program` as `customer`.
pub fn enroll(
    chain: &mut impl Chain,
    contracts: &Contracts,
    customer: &AccountId,
    program: u32,
    meter: u64,
    feeder: u32,
) -> Result<(), CallError> {
    let mut api = call_builder::<DemandResponse>(contracts.demand);
    chain
        .call(
            &contracts.demand,
            api.enroll(program, meter, feeder),
            customer,
            0,
        )
        .or_refused("enroll")
}

/// Takes `meter` out of `program` as `customer`.
pub fn leave(
    chain: &mut impl Chain,
    contracts: &Contracts,
    customer: &AccountId,
    program: u32,
    meter: u64,
) -> Result<(), CallError> {
    let mut api = call_builder::<DemandResponse>(contracts.demand);
    chain
        .call(&contracts.demand, api.unenroll(program, meter), customer, 0)
        .or_refused("unenroll")
}

/// Opts `meter` out of `event` as `customer`.
pub fn opt_out(
    chain: &mut impl Chain,
    contracts: &Contracts,
    customer: &AccountId,
    event: u64,
    meter: u64,
) -> Result<(), CallError> {
    let mut api = call_builder::<DemandResponse>(contracts.demand);
    chain
        .call(&contracts.demand, api.opt_out(event, meter), customer, 0)
        .or_refused("opt_out")
}

/// Disputes `meter`'s entry in `event` as `who` (its customer, or a regulator).
pub fn dispute(
    chain: &mut impl Chain,
    contracts: &Contracts,
    who: &AccountId,
    event: u64,
    meter: u64,
) -> Result<(), CallError> {
    let mut api = call_builder::<DemandResponse>(contracts.demand);
    chain
        .call(&contracts.demand, api.dispute(event, meter), who, 0)
        .or_refused("dispute")
}

/// Lets `verifier` record checks of `subject`'s attestations of `schema` until `until` (ms).
pub fn grant_consent(
    chain: &mut impl Chain,
    contracts: &Contracts,
    subject: &AccountId,
    verifier: AccountId,
    schema: u32,
    until: u64,
) -> Result<(), CallError> {
    let mut api = call_builder::<attestations::Attestations>(contracts.attestations);
    chain
        .call(
            &contracts.attestations,
            api.grant_consent(verifier, schema, until),
            subject,
            0,
        )
        .or_refused("grant_consent")
}

/// Withdraws `verifier`'s consent for `subject`'s attestations of `schema`.
pub fn withdraw_consent(
    chain: &mut impl Chain,
    contracts: &Contracts,
    subject: &AccountId,
    verifier: AccountId,
    schema: u32,
) -> Result<(), CallError> {
    let mut api = call_builder::<attestations::Attestations>(contracts.attestations);
    chain
        .call(
            &contracts.attestations,
            api.revoke_consent(verifier, schema),
            subject,
            0,
        )
        .or_refused("revoke_consent")
}
