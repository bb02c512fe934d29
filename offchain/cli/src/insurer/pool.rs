//! An insurer's (or any capital provider's) pool work: create, fund, withdraw, close, release
//! expired policies, and the pool's status.

use std::collections::BTreeMap;

use gridtrust_chain::{sizing::list_per_call, CallError, Chain};
use outage_insurance::{Capital, Pool, PoolTerms, MAX_RELEASE_BATCH, SETTLEMENT_GRACE_MS};
use serde::Serialize;

use crate::actor::Actor;

/// How much to take out of a pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Take {
    /// Every share the provider holds.
    All,
    /// Shares worth at most this amount at the pool's current capital per share.
    Amount(u128),
}

/// What releasing a pool's expired policies did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Released {
    /// Policies released: their remaining liability no longer locks the pool's capital.
    pub released: u32,
    /// Calls sent, each sized from the chain's limits.
    pub calls: u32,
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

impl<C: Chain> Actor<'_, C> {
    /// Creates a pool with `terms` as its insurer, funding it with `capital` (may be 0); returns
    /// its id.
    pub fn create_pool(&mut self, terms: PoolTerms, capital: u128) -> Result<u32, CallError> {
        self.send("create_pool", self.insurance().create_pool(terms), capital)
    }

    /// Adds `amount` to `pool` as a provider; returns the shares minted.
    pub fn fund_pool(&mut self, pool: u32, amount: u128) -> Result<u128, CallError> {
        self.send("fund", self.insurance().fund(pool), amount)
    }

    /// Withdraws from `pool` as a provider; returns (amount paid, shares burned).
    pub fn withdraw_capital(&mut self, pool: u32, take: Take) -> Result<(u128, u128), CallError> {
        let held = self.ask(self.insurance().shares_of(pool, self.who))?;
        let shares = match take {
            Take::All => held,
            Take::Amount(amount) => {
                let p = self.pool(pool)?;
                // Rounded down, as the contract rounds what shares are worth: never more than asked.
                if p.capital == 0 {
                    0
                } else {
                    gridtrust_common::math::mul_div(amount, p.shares, p.capital).unwrap_or(0)
                }
            }
        };
        let paid = self.send("withdraw", self.insurance().withdraw(pool, shares), 0)?;
        Ok((paid, shares))
    }

    /// Stops `pool` selling, as its insurer.
    pub fn close_pool(&mut self, pool: u32) -> Result<(), CallError> {
        self.send("close_pool", self.insurance().close_pool(pool), 0)
    }

    /// Releases every policy of `pool` whose settlement grace ([`SETTLEMENT_GRACE_MS`] after its
    /// end) has passed (anyone may), in calls sized from the chain's limits. Reads every policy
    /// once to find them, as [`Actor::pool_status`] does.
    pub fn release_expired(&mut self, pool: u32) -> Result<Released, CallError> {
        let mut api = self.insurance();
        self.pool(pool)?;
        let now = self.chain.now_ms()?;
        let mut due = Vec::new();
        for id in 0..self.ask(api.policy_count())? {
            let Some(p) = self.ask(api.policy(id))? else {
                continue;
            };
            if p.pool == pool && !p.released && p.ends_at.saturating_add(SETTLEMENT_GRACE_MS) <= now
            {
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
            self.chain,
            &self.contracts.insurance,
            &self.who,
            &due,
            MAX_RELEASE_BATCH,
            "release_expired",
            |ids| api.release_expired(ids),
        )?;
        for ids in due.chunks(per_call as usize) {
            done.released += self.send("release_expired", api.release_expired(ids.to_vec()), 0)?;
            done.calls += 1;
        }
        Ok(done)
    }

    /// `pool`'s status as this account sees it. Reads every policy once to find the pool's: fine
    /// for the thousands of policies a pool sells, not for millions.
    pub fn pool_status(&mut self, pool: u32) -> Result<PoolStatus, CallError> {
        let api = self.insurance();
        let p = self.pool(pool)?;
        let capital: Capital = self.ask_or_refused("pool_capital", api.pool_capital(pool))?;
        let shares_held = self.ask(api.shares_of(pool, self.who))?;
        let mut feeders: BTreeMap<u32, u32> = BTreeMap::new();
        let (mut sold, mut paid_out) = (0u32, 0u128);
        for id in 0..self.ask(api.policy_count())? {
            let Some(policy) = self.ask(api.policy(id))? else {
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
            let exposure = self.ask(api.exposure_on(pool, feeder))?;
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

    /// `pool`, or the contract's refusal when it has none by that id.
    pub(crate) fn pool(&mut self, pool: u32) -> Result<Pool, CallError> {
        self.ask(self.insurance().pool(pool))?
            .ok_or_else(|| CallError::refused("pool", outage_insurance::Error::PoolNotFound))
    }
}
