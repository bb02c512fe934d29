//! An insurer's (or any capital provider's) pool work over the `Chain` trait, so the same handlers
//! run on the sandbox in tests and against a node from the command line.

use std::collections::BTreeMap;

use gridtrust_chain::{
    encode::call_builder, sizing::list_per_call, AccountId, Answer, CallError, Chain, Contracts,
};
use outage_insurance::{
    Capital, OutageInsurance, Pool, PoolTerms, MAX_RELEASE_BATCH, SETTLEMENT_GRACE_MS,
};
use serde::Serialize;

/// Creates a pool with `terms` as `insurer`, funding it with `capital` (may be 0); returns its id.
pub fn create(
    chain: &mut impl Chain,
    contracts: &Contracts,
    insurer: &AccountId,
    terms: PoolTerms,
    capital: u128,
) -> Result<u32, CallError> {
    let mut api = call_builder::<OutageInsurance>(contracts.insurance);
    chain
        .call(
            &contracts.insurance,
            api.create_pool(terms),
            insurer,
            capital,
        )
        .or_refused("create_pool")
}

/// Adds `amount` to `pool` as `provider`; returns the shares minted.
pub fn fund(
    chain: &mut impl Chain,
    contracts: &Contracts,
    provider: &AccountId,
    pool: u32,
    amount: u128,
) -> Result<u128, CallError> {
    let mut api = call_builder::<OutageInsurance>(contracts.insurance);
    chain
        .call(&contracts.insurance, api.fund(pool), provider, amount)
        .or_refused("fund")
}

/// How much to take out of a pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Take {
    /// Every share the provider holds.
    All,
    /// Shares worth at most this amount at the pool's current capital per share.
    Amount(u128),
}

/// Withdraws from `pool` as `provider`; returns (amount paid, shares burned).
pub fn withdraw(
    chain: &mut impl Chain,
    contracts: &Contracts,
    provider: &AccountId,
    pool: u32,
    take: Take,
) -> Result<(u128, u128), CallError> {
    let insurance = contracts.insurance;
    let mut api = call_builder::<OutageInsurance>(insurance);
    let held = chain.query(&insurance, api.shares_of(pool, *provider), provider)?;
    let shares = match take {
        Take::All => held,
        Take::Amount(amount) => {
            let p = pool_or_missing(chain, contracts, provider, pool)?;
            // Rounded down, as the contract rounds what shares are worth: never more than asked.
            if p.capital == 0 {
                0
            } else {
                gridtrust_common::math::mul_div(amount, p.shares, p.capital).unwrap_or(0)
            }
        }
    };
    let paid = chain
        .call(&insurance, api.withdraw(pool, shares), provider, 0)
        .or_refused("withdraw")?;
    Ok((paid, shares))
}

/// Stops `pool` selling, as its insurer.
pub fn close(
    chain: &mut impl Chain,
    contracts: &Contracts,
    insurer: &AccountId,
    pool: u32,
) -> Result<(), CallError> {
    let mut api = call_builder::<OutageInsurance>(contracts.insurance);
    chain
        .call(&contracts.insurance, api.close_pool(pool), insurer, 0)
        .or_refused("close_pool")
}

/// What releasing a pool's expired policies did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Released {
    /// Policies released: their remaining liability no longer locks the pool's capital.
    pub released: u32,
    /// Calls sent, each sized from the chain's limits.
    pub calls: u32,
}

/// Releases every policy of `pool` whose settlement grace ([`SETTLEMENT_GRACE_MS`] after its end) has
/// passed, as `caller` (anyone may), in calls sized from the chain's limits. Reads every policy once
/// to find them, as [`status`] does.
pub fn release_expired(
    chain: &mut impl Chain,
    contracts: &Contracts,
    caller: &AccountId,
    pool: u32,
) -> Result<Released, CallError> {
    let insurance = contracts.insurance;
    let mut api = call_builder::<OutageInsurance>(insurance);
    pool_or_missing(chain, contracts, caller, pool)?;
    let now = chain.now_ms()?;
    let mut due = Vec::new();
    for id in 0..chain.query(&insurance, api.policy_count(), caller)? {
        let Some(p) = chain.query(&insurance, api.policy(id), caller)? else {
            continue;
        };
        if p.pool == pool && !p.released && p.ends_at.saturating_add(SETTLEMENT_GRACE_MS) <= now {
            due.push(id);
        }
    }
    let mut done = Released {
        released: 0,
        calls: 0,
    };
    if due.is_empty() {
        return Ok(done);
    }
    let per_call = list_per_call(
        chain,
        &insurance,
        caller,
        &due,
        MAX_RELEASE_BATCH,
        "release_expired",
        |ids| api.release_expired(ids),
    )?;
    for ids in due.chunks(per_call as usize) {
        done.released += chain
            .call(&insurance, api.release_expired(ids.to_vec()), caller, 0)
            .or_refused("release_expired")?;
        done.calls += 1;
    }
    Ok(done)
}

fn pool_or_missing(
    chain: &mut impl Chain,
    contracts: &Contracts,
    asker: &AccountId,
    pool: u32,
) -> Result<Pool, CallError> {
    let api = call_builder::<OutageInsurance>(contracts.insurance);
    chain
        .query(&contracts.insurance, api.pool(pool), asker)?
        .ok_or(CallError::Refused {
            message: "pool",
            error: outage_insurance::Error::PoolNotFound.into(),
        })
}

/// One feeder of a pool's book.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeederBook {
    /// The feeder.
    pub feeder: u32,
    /// Policies sold on it.
    pub policies: u32,
    /// Liability the pool carries on it (amounts as strings in `--json`).
    #[serde(serialize_with = "crate::inspect::amount")]
    pub exposure: u128,
}

/// A pool as its insurer and providers see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PoolStatus {
    /// The pool's id.
    pub pool: u32,
    /// Its insurer (SS58).
    pub insurer: String,
    /// Whether it stopped selling.
    pub closed: bool,
    /// Capital: all of it.
    #[serde(serialize_with = "crate::inspect::amount")]
    pub capital: u128,
    /// Capital backing live policies.
    #[serde(serialize_with = "crate::inspect::amount")]
    pub locked: u128,
    /// Capital providers may withdraw.
    #[serde(serialize_with = "crate::inspect::amount")]
    pub free: u128,
    /// Shares outstanding.
    #[serde(serialize_with = "crate::inspect::amount")]
    pub shares: u128,
    /// Shares the asking account holds.
    #[serde(serialize_with = "crate::inspect::amount")]
    pub shares_held: u128,
    /// Liability of unreleased policies.
    #[serde(serialize_with = "crate::inspect::amount")]
    pub exposure: u128,
    /// Policies sold.
    pub policies_sold: u32,
    /// Premiums earned.
    #[serde(serialize_with = "crate::inspect::amount")]
    pub premiums: u128,
    /// Paid out to policies (including amounts kept for their holders to claim).
    #[serde(serialize_with = "crate::inspect::amount")]
    pub paid_out: u128,
    /// The book per feeder.
    pub feeders: Vec<FeederBook>,
}

/// `pool`'s status as `asker` sees it. Reads every policy once to find the pool's: fine for the
/// thousands of policies a pool sells, not for millions.
pub fn status(
    chain: &mut impl Chain,
    contracts: &Contracts,
    asker: &AccountId,
    pool: u32,
) -> Result<PoolStatus, CallError> {
    let insurance = contracts.insurance;
    let api = call_builder::<OutageInsurance>(insurance);
    let p = pool_or_missing(chain, contracts, asker, pool)?;
    let capital: Capital = chain
        .query(&insurance, api.pool_capital(pool), asker)?
        .map_err(|e| CallError::Refused {
            message: "pool_capital",
            error: e.into(),
        })?;
    let shares_held = chain.query(&insurance, api.shares_of(pool, *asker), asker)?;
    let mut feeders: BTreeMap<u32, u32> = BTreeMap::new();
    let (mut sold, mut paid_out) = (0u32, 0u128);
    for id in 0..chain.query(&insurance, api.policy_count(), asker)? {
        let Some(policy) = chain.query(&insurance, api.policy(id), asker)? else {
            continue;
        };
        if policy.pool == pool {
            sold += 1;
            paid_out += policy.paid;
            *feeders.entry(policy.feeder).or_default() += 1;
        }
    }
    let mut book = Vec::new();
    for (feeder, policies) in feeders {
        let exposure = chain.query(&insurance, api.exposure_on(pool, feeder), asker)?;
        book.push(FeederBook {
            feeder,
            policies,
            exposure,
        });
    }
    Ok(PoolStatus {
        pool,
        insurer: gridtrust_chain::ss58(&p.insurer),
        closed: p.closed,
        capital: capital.total,
        locked: capital.locked,
        free: capital.free,
        shares: p.shares,
        shares_held,
        exposure: p.exposure,
        policies_sold: sold,
        premiums: p.terms.premium.saturating_mul(u128::from(sold)),
        paid_out,
        feeders: book,
    })
}
