//! A customer's actions: cover, demand-response participation, consent and what is owed.

use gridtrust_chain::{encode::call_builder, AccountId, CallError, Chain};
use gridtrust_common::{
    committee::{self, Oracle},
    owed::OwedPayments,
};
use outage_insurance::{OutageInsurance, PoolTerms};

use crate::actor::Actor;

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

/// What a claim collected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Claimed {
    /// Outage payouts.
    pub insurance: u128,
    /// Demand-response subsidies.
    pub demand: u128,
}

impl<C: Chain> Actor<'_, C> {
    /// What `pool` offers, and whether it sells now (on `feeder`, when given): a closed pool, a
    /// frozen feeder or a silent oracle committee stop sales, and are named.
    pub fn cover_quote(&mut self, pool: u32, feeder: Option<u32>) -> Result<Quote, CallError> {
        let p = self.pool(pool)?;
        let mut why_not = p.closed.then(|| "the pool is closed".to_owned());
        if why_not.is_none() {
            if let Some(f) = feeder {
                if self.ask(self.insurance().sales_frozen(f))? {
                    why_not = Some(format!(
                        "an outage is open on feeder {f}: no sales until it ends"
                    ));
                }
            }
        }
        if why_not.is_none() {
            let (_, threshold) = self.ask(self.insurance().committee())?;
            let now = self.chain.now_ms()?;
            let heard = self.ask(self.insurance().last_heard())?;
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

    /// Buys `pool`'s cover for `meter` on `feeder`, paying the premium; returns the policy's id and
    /// the premium paid.
    pub fn buy_cover(
        &mut self,
        pool: u32,
        meter: u64,
        feeder: u32,
    ) -> Result<(u64, u128), CallError> {
        let premium = self.pool(pool)?.terms.premium;
        let policy = self.send(
            "buy_policy",
            self.insurance().buy_policy(pool, meter, feeder),
            premium,
        )?;
        Ok((policy, premium))
    }

    /// Claims what both contracts keep as owed to this account (skipping one that owes nothing).
    pub fn claim_owed(&mut self) -> Result<Claimed, CallError> {
        let mut claimed = Claimed::default();
        let contracts = [self.contracts.insurance, self.contracts.demand];
        for (contract, slot) in contracts
            .into_iter()
            .zip([&mut claimed.insurance, &mut claimed.demand])
        {
            // Both contracts answer `OwedPayments` with the same selectors.
            let mut api = call_builder::<OutageInsurance>(contract);
            if self.ask(api.owed_to(self.who))? == 0 {
                continue;
            }
            *slot = self.send("claim_owed", api.claim_owed(), 0)?;
        }
        Ok(claimed)
    }

    /// Enrolls `meter` on `feeder` in `program`.
    pub fn enroll(&mut self, program: u32, meter: u64, feeder: u32) -> Result<(), CallError> {
        self.send("enroll", self.demand().enroll(program, meter, feeder), 0)
    }

    /// Takes `meter` out of `program`.
    pub fn leave(&mut self, program: u32, meter: u64) -> Result<(), CallError> {
        self.send("unenroll", self.demand().unenroll(program, meter), 0)
    }

    /// Opts `meter` out of `event`.
    pub fn opt_out(&mut self, event: u64, meter: u64) -> Result<(), CallError> {
        self.send("opt_out", self.demand().opt_out(event, meter), 0)
    }

    /// Disputes `meter`'s entry in `event` (as its customer, or a regulator).
    pub fn dispute(&mut self, event: u64, meter: u64) -> Result<(), CallError> {
        self.send("dispute", self.demand().dispute(event, meter), 0)
    }

    /// Lets `verifier` record checks of this account's attestations of `schema` until `until` (ms).
    pub fn grant_consent(
        &mut self,
        verifier: AccountId,
        schema: u32,
        until: u64,
    ) -> Result<(), CallError> {
        let message = self.attestations().grant_consent(verifier, schema, until);
        self.send("grant_consent", message, 0)
    }

    /// Withdraws `verifier`'s consent for this account's attestations of `schema`.
    pub fn withdraw_consent(&mut self, verifier: AccountId, schema: u32) -> Result<(), CallError> {
        self.send(
            "revoke_consent",
            self.attestations().revoke_consent(verifier, schema),
            0,
        )
    }
}
