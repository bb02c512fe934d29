//! A random walk of 10,000 operations over the outage insurance contract's real Wasm, checking after
//! each step what must always hold:
//! - the contract's balance covers every pool's capital plus everything owed to holders;
//! - no policy is paid twice for one outage, and none beyond its aggregate limit;
//! - a fully collateralized pool's capital always covers its policies' liability;
//! - with a 2-of-3 committee, nothing finalizes on one member's vote;
//! - a deposit never mints zero shares (tiny deposits are part of the walk), and every provider's
//!   holding is none or at least `MIN_SHARES` (deposits and withdrawals at that minimum are too);
//! - no withdrawal succeeds while an outage is open (within its freeze) or a final one still has
//!   payouts to process, and every one tried then is refused with `OutagePending`;
//! - no policy is released while an outage of its feeder that started before its end is open, or a
//!   final one of its feeder still has payouts to process (releases are tried at random, so also
//!   during open outages).
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
    events::{
        OutageFinalized, OutageStarted, OwedClaimed, PaymentDeferred, PayoutBatchProcessed,
        PolicyReleased,
    },
    Affected, Error, OutageInsurance, OutageReport, PoolTerms, MAX_FREEZE_MS, MIN_SHARES,
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
    /// Outage starts the committee confirmed whose final report has not come: (feeder, start).
    open: BTreeSet<(u32, u64)>,
    /// The latest start ever confirmed: open outages freeze until it plus `MAX_FREEZE_MS`.
    latest_start: Option<u64>,
    /// Per finalized outage: its feeder and the targets its payouts have still to visit.
    outages: BTreeMap<u64, (u32, u32)>,
    /// Policies released since the last check.
    released: Vec<u64>,
    counts: BTreeMap<&'static str, u32>,
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
            open: BTreeSet::new(),
            latest_start: None,
            outages: BTreeMap::new(),
            released: Vec::new(),
            counts: BTreeMap::new(),
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
        for started in decode_all::<OutageStarted>(&out.events) {
            self.open.insert((started.feeder, started.start_ms));
            self.latest_start = self.latest_start.max(Some(started.start_ms));
        }
        for o in decode_all::<OutageFinalized>(&out.events) {
            self.open.remove(&(o.feeder, o.start_ms));
            self.outages.insert(o.outage, (o.feeder, o.targets));
        }
        for b in decode_all::<PayoutBatchProcessed>(&out.events) {
            if let Some(o) = self.outages.get_mut(&b.outage) {
                o.1 = b.remaining;
            }
        }
        self.released.extend(
            decode_all::<PolicyReleased>(&out.events)
                .iter()
                .map(|r| r.policy),
        );
        out.value
    }

    fn count(&mut self, what: &'static str) {
        *self.counts.entry(what).or_insert(0) += 1;
    }

    /// Whether the model says outages hold capital now: one open within its freeze, or a final
    /// one with payouts to process.
    fn capital_held(&self) -> bool {
        let now = self.world.chain.now_ms();
        let frozen = !self.open.is_empty()
            && self
                .latest_start
                .is_some_and(|s| now < s.saturating_add(MAX_FREEZE_MS));
        frozen || self.outages.values().any(|&(_, left)| left > 0)
    }

    /// Whether an outage of `feeder` may still pay a policy that ended at `ends_at`, as the model
    /// sees it.
    fn may_pay(&self, feeder: u32, ends_at: u64) -> bool {
        self.open.iter().any(|&(f, s)| f == feeder && s < ends_at)
            || self
                .outages
                .values()
                .any(|&(f, left)| f == feeder && left > 0)
    }
}

impl RandomWalk for Walk {
    fn step(&mut self) {
        let now = self.world.chain.now_ms();
        match self.rng.below(100) {
            0..=9 => {
                let (who, pool) = (self.rng.pick(&self.providers), self.rng.pick(&self.pools));
                let p = self.read(self.api().pool(pool)).expect("pool exists");
                // One deposit in four is a few planks: less than a share may be worth; one in
                // four is just enough for `MIN_SHARES` shares.
                let amount = match self.rng.below(4) {
                    0 => u128::from(1 + self.rng.below(5_000)),
                    1 if p.shares > 0 && p.capital > 0 => {
                        (MIN_SHARES * p.capital).div_ceil(p.shares)
                    }
                    _ => (1 + self.rng.below(50)) as u128 * MILLI_UNIT,
                };
                let m = self.api().fund(pool);
                let minted = self.send(who, m, amount);
                assert_ne!(minted, Ok(0), "a deposit of {amount} minted no shares");
                if minted.is_ok() {
                    self.count("deposits");
                }
            }
            10..=17 => {
                let (who, pool) = (self.rng.pick(&self.providers), self.rng.pick(&self.pools));
                let held = self.read(self.api().shares_of(pool, who));
                // One in four keeps exactly the minimum; the rest take a quarter to all.
                let shares = if self.rng.below(4) == 0 && held > MIN_SHARES {
                    held - MIN_SHARES
                } else {
                    held * u128::from(1 + self.rng.below(4) as u32) / 4
                };
                // Refused for the outages once the shares themselves may be withdrawn.
                let kept = held - shares;
                let held_back =
                    self.capital_held() && shares > 0 && (kept == 0 || kept >= MIN_SHARES);
                let m = self.api().withdraw(pool, shares);
                let got = self.send(who, m, 0);
                if held_back {
                    assert_eq!(got, Err(Error::OutagePending), "withdrawn while held");
                    self.count("withdrawals refused while outages held capital");
                } else {
                    assert_ne!(got, Err(Error::OutagePending), "refused while nothing held");
                    if got.is_ok() {
                        self.count("withdrawals");
                    }
                }
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
                let refused: Vec<u64> = ids
                    .iter()
                    .copied()
                    .filter(|&id| {
                        let p = self.read(self.api().policy(id)).expect("policy exists");
                        self.may_pay(p.feeder, p.ends_at)
                    })
                    .collect();
                let m = self.api().release_expired(ids);
                let who = self.rng.pick(&self.providers);
                let _ = self.send(who, m, 0);
                for id in std::mem::take(&mut self.released) {
                    assert!(
                        !refused.contains(&id),
                        "policy {id} released while an outage may still pay it"
                    );
                    self.count("releases");
                }
                if !refused.is_empty() {
                    self.count("releases tried while an outage may pay");
                }
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
        for pool in self.pools.clone() {
            for who in self.providers.clone() {
                let held = self.read(self.api().shares_of(pool, who));
                assert!(
                    held == 0 || held >= MIN_SHARES,
                    "pool {pool}: a holding of {held} shares"
                );
            }
        }
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
    println!("walk: {:?}", walk.counts);
    for what in [
        "deposits",
        "withdrawals",
        "withdrawals refused while outages held capital",
        "releases",
        "releases tried while an outage may pay",
    ] {
        let n = walk.counts.get(what).copied().unwrap_or(0);
        assert!(n >= 5, "only {n} {what}");
    }
}
