//! A random walk of 10,000 operations over the outage insurance contract's real Wasm, checking after
//! each step what must always hold:
//! - the contract's balance covers every pool's capital plus everything owed to holders;
//! - no policy is paid twice for one outage, and none beyond its aggregate limit;
//! - a fully collateralized pool's capital always covers its policies' liability;
//! - with a 2-of-3 committee, nothing finalizes on one member's vote;
//! - a deposit never mints zero shares (tiny deposits are part of the walk).
//!
//! The walk is seeded: set `GRIDTRUST_SEED` to replay or explore another one (the seed is printed on
//! failure).

use std::collections::{BTreeMap, BTreeSet};

use gridtrust_chain::{Chain, Message};
use gridtrust_common::{committee::VoteOutcome, owed::OwedPayments, tiers::Tier};
use gridtrust_tests::{
    decode_all, walk, AccountId, Grid, RandomWalk, Rng, Scenario, World, DAY_MS, HOUR_MS,
    MILLI_UNIT,
};
use outage_insurance::{
    events::{OwedClaimed, PaymentDeferred},
    Affected, OutageInsurance, OutageReport, PoolTerms,
};

const STEPS: usize = 10_000;
const FEEDERS: u32 = 3;
const CUSTOMERS: u64 = 12;

fn terms(collateral_bps: u32, exclude_planned: bool) -> PoolTerms {
    PoolTerms {
        tiers: vec![
            Tier {
                min_minutes: 30,
                payout: 5 * MILLI_UNIT,
            },
            Tier {
                min_minutes: 180,
                payout: 20 * MILLI_UNIT,
            },
        ],
        premium: MILLI_UNIT,
        coverage_ms: 10 * DAY_MS,
        waiting_ms: HOUR_MS,
        exclude_planned,
        aggregate_limit: 30 * MILLI_UNIT,
        feeder_cap: 200 * MILLI_UNIT,
        collateral_bps,
        max_oracle_silence_ms: 30 * DAY_MS,
    }
}

struct Walk {
    world: World,
    grid: Grid,
    rng: Rng,
    providers: Vec<AccountId>,
    customers: Vec<(AccountId, u64, u32)>,
    pools: Vec<u32>,
    policies: u64,
    /// Off-chain tally of end-report votes: content → voters.
    votes: BTreeMap<Vec<u8>, BTreeSet<AccountId>>,
    /// Outage starts per feeder that were voted on, to build end reports from.
    starts: Vec<(u32, u64)>,
    owed: u128,
    finalized: u64,
}

gridtrust_tests::scenario!(Walk, OutageInsurance, |s| s.grid.insurance.address);

impl Walk {
    fn new(seed: u64) -> Self {
        let mut world = World::new();
        let grid = world.deploy_grid();
        let providers: Vec<_> = (0..3)
            .map(|i| world.actor(&format!("provider-{i}")))
            .collect();
        let customers: Vec<_> = (0..CUSTOMERS)
            .map(|meter| {
                let who = world.actor(&format!("customer-{meter}"));
                let feeder = (meter % u64::from(FEEDERS)) as u32;
                world.attest_meter(&grid, who, meter, feeder);
                (who, meter, feeder)
            })
            .collect();
        let mut walk = Self {
            world,
            grid,
            rng: Rng::new(seed),
            providers,
            customers,
            pools: Vec::new(),
            policies: 0,
            votes: BTreeMap::new(),
            starts: Vec::new(),
            owed: 0,
            finalized: 0,
        };
        for (bps, exclude) in [(10_000, true), (5_000, false)] {
            let insurer = walk.providers[walk.pools.len()];
            let m = walk.api().create_pool(terms(bps, exclude));
            let id = walk
                .send(insurer, m, 300 * MILLI_UNIT)
                .expect("pool created");
            walk.pools.push(id);
        }
        walk
    }

    /// `Scenario::send`, also tallying what the pool owes from its `PaymentDeferred` and `OwedClaimed`
    /// events (an inherent method, so it is the one `walk.send` calls).
    fn send<R: scale::Decode>(
        &mut self,
        who: AccountId,
        msg: impl Into<Message<R>>,
        value: u128,
    ) -> R {
        let out = self
            .world
            .chain
            .call(&self.grid.insurance.address, msg, &who, value)
            .expect("the chain accepts the call");
        for d in decode_all::<PaymentDeferred>(&out.events) {
            self.owed += d.amount;
        }
        for c in decode_all::<OwedClaimed>(&out.events) {
            self.owed -= c.amount;
        }
        out.value
    }
}

impl RandomWalk for Walk {
    fn step(&mut self) {
        let now = self.world.chain.now_ms();
        match self.rng.below(100) {
            0..=9 => {
                let (who, pool) = (self.rng.pick(&self.providers), self.rng.pick(&self.pools));
                // One deposit in four is a few planks: less than a share may be worth.
                let amount = if self.rng.below(4) == 0 {
                    u128::from(1 + self.rng.below(5_000))
                } else {
                    (1 + self.rng.below(50)) as u128 * MILLI_UNIT
                };
                let m = self.api().fund(pool);
                let minted = self.send(who, m, amount);
                assert_ne!(minted, Ok(0), "a deposit of {amount} minted no shares");
            }
            10..=17 => {
                let (who, pool) = (self.rng.pick(&self.providers), self.rng.pick(&self.pools));
                let held = self.read(self.api().shares_of(pool, who));
                let shares = held * u128::from(1 + self.rng.below(4) as u32) / 4;
                let m = self.api().withdraw(pool, shares);
                let _ = self.send(who, m, 0);
            }
            18..=37 => {
                let (who, meter, feeder) = self.rng.pick(&self.customers);
                let pool = self.rng.pick(&self.pools);
                let m = self.api().buy_policy(pool, meter, feeder);
                if self.send(who, m, MILLI_UNIT).is_ok() {
                    self.policies += 1;
                }
            }
            38..=47 => {
                let feeder = self.rng.below(u64::from(FEEDERS)) as u32;
                let start = now.saturating_sub(self.rng.below(4) * HOUR_MS);
                let op = self.rng.pick(&self.grid.operators);
                let m = self.api().report_outage_start(feeder, start);
                if let Ok(VoteOutcome::Finalized) = self.send(op, m, 0) {
                    self.starts.push((feeder, start));
                } else if self.starts.len() < 64 {
                    self.starts.push((feeder, start));
                }
            }
            48..=69 if !self.starts.is_empty() => {
                let (feeder, start) = self.rng.pick(&self.starts);
                // A few candidate contents per outage, so members sometimes agree and sometimes not.
                let minutes = [45, 200, 45][self.rng.below(3) as usize];
                let end = start + minutes * 60_000;
                if end > now {
                    return;
                }
                let affected = if self.rng.below(4) == 0 {
                    Affected::Meters(vec![
                        u64::from(feeder),
                        u64::from(feeder) + u64::from(FEEDERS),
                    ])
                } else {
                    Affected::WholeFeeder
                };
                let report = OutageReport {
                    feeder,
                    start_ms: start,
                    end_ms: end,
                    planned: self.rng.below(5) == 0,
                    affected,
                    min_dark_meters: 3,
                    // Operators disagree on the evidence a fifth of the time: different content.
                    evidence_root: [u8::from(self.rng.below(5) == 0); 32],
                };
                let op = self.rng.pick(&self.grid.operators);
                let key = scale::Encode::encode(&report);
                let m = self.api().report_outage_end(report);
                match self.send(op, m, 0) {
                    Ok(VoteOutcome::Finalized) => {
                        let voters = self.votes.entry(key).or_default();
                        voters.insert(op);
                        assert!(voters.len() >= 2, "finalized on {} vote(s)", voters.len());
                        self.finalized += 1;
                    }
                    Ok(VoteOutcome::Pending { .. }) => {
                        self.votes.entry(key).or_default().insert(op);
                    }
                    Err(_) => {}
                }
            }
            70..=84 if self.finalized > 0 => {
                let outage = self.rng.below(self.finalized);
                let max = 1 + self.rng.below(6) as u32;
                let keeper = self.rng.pick(&self.providers);
                let m = self.api().process_payouts(outage, max);
                let _ = self.send(keeper, m, 0);
            }
            85..=94 => {
                self.world.chain.advance_time(self.rng.below(36) * HOUR_MS);
                self.world.chain.next_block();
            }
            95..=98 if self.policies > 0 => {
                let ids: Vec<u64> = (0..1 + self.rng.below(5))
                    .map(|_| self.rng.below(self.policies))
                    .collect();
                let m = self.api().release_expired(ids);
                let who = self.rng.pick(&self.providers);
                let _ = self.send(who, m, 0);
            }
            _ => {
                let (who, _, _) = self.rng.pick(&self.customers);
                let m = self.api().claim_owed();
                let _ = self.send(who, m, 0);
            }
        }
    }

    fn check_money(&mut self) {
        let mut capital = 0;
        for pool in self.pools.clone() {
            let p = self.read(self.api().pool(pool)).expect("pool exists");
            capital += p.capital;
            if p.terms.collateral_bps >= 10_000 {
                assert!(
                    p.capital >= p.exposure,
                    "pool {pool} under-collateralized: {p:?}"
                );
            }
        }
        let balance = self.world.chain.balance(&self.grid.insurance.address);
        assert!(
            balance >= capital + self.owed,
            "balance {balance} < capital {capital} + owed {}",
            self.owed
        );
    }

    fn sweep(&mut self) {
        for id in 0..self.policies {
            let policy = self.read(self.api().policy(id)).expect("policy exists");
            let limit = self
                .read(self.api().pool(policy.pool))
                .unwrap()
                .terms
                .aggregate_limit;
            assert!(
                policy.paid <= limit,
                "policy {id} paid {} > limit {limit}",
                policy.paid
            );
            let payouts = self.read(self.api().policy_payouts(id));
            let outages: BTreeSet<u64> = payouts.iter().map(|p| p.outage).collect();
            assert_eq!(
                outages.len(),
                payouts.len(),
                "policy {id} paid twice for one outage"
            );
            assert_eq!(payouts.iter().map(|p| p.amount).sum::<u128>(), policy.paid);
        }
    }
}

#[test]
fn ten_thousand_random_operations_keep_the_books_straight() {
    let mut walk = walk(0x6772_6964_7472_7573, STEPS, 500, Walk::new);
    let paid: u128 = (0..walk.policies)
        .map(|id| walk.read(walk.api().policy(id)).unwrap().paid)
        .sum();
    println!(
        "walk: {STEPS} steps, {} policies sold, {} outages finalized, {paid} paid in total",
        walk.policies, walk.finalized
    );
    assert!(paid > 0, "no payout happened");
    // The walk must have exercised the interesting paths, or it proves little.
    assert!(walk.policies > 20, "only {} policies sold", walk.policies);
    assert!(
        walk.finalized > 5,
        "only {} outages finalized",
        walk.finalized
    );
}
