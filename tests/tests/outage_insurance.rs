//! The outage insurance contract's real Wasm on the sandbox chain, checking buyers against the real
//! attestations contract by cross-contract call.

use gridtrust_common::{
    access::{AccessError, Owned},
    committee::{CommitteeError, Oracle, VoteOutcome},
    meter_holders::MeterHolderSettings,
    outage::{decide, evidence_proof, outage_events, EventKind, MeterEvent, OutageRule},
    owed::{OwedError, OwedPayments},
    tiers::Tier,
};
use gridtrust_tests::{
    decode_all, AccountId, Chain, Grid, Scenario, World, DAY_MS, HOUR_MS, MINUTE_MS, UNIT,
};
use outage_insurance::{
    events::{OutageFinalized, OwnershipTransferred, PayoutMade},
    Affected, Error, OutageInsurance, OutageReport, Payout, PoolTerms, MAX_FREEZE_MS, MIN_SHARES,
    PAYOUTS_IN_PAGE, POLICIES_PER_PAGE,
};

fn terms() -> PoolTerms {
    PoolTerms {
        tiers: vec![
            Tier {
                min_minutes: 60,
                payout: 10 * UNIT,
            },
            Tier {
                min_minutes: 240,
                payout: 40 * UNIT,
            },
            Tier {
                min_minutes: 720,
                payout: 100 * UNIT,
            },
        ],
        premium: 2 * UNIT,
        coverage_ms: 30 * DAY_MS,
        waiting_ms: DAY_MS,
        exclude_planned: true,
        aggregate_limit: 120 * UNIT,
        feeder_cap: 1_200 * UNIT,
        collateral_bps: 10_000,
        max_oracle_silence_ms: 30 * DAY_MS,
    }
}

struct Setup {
    world: World,
    grid: Grid,
    insurer: AccountId,
}

gridtrust_tests::scenario!(Setup, OutageInsurance, |s| s.grid.insurance.address);

impl Setup {
    fn new() -> Self {
        let mut world = World::new();
        let grid = world.deploy_grid();
        let insurer = world.actor("insurer");
        Self {
            world,
            grid,
            insurer,
        }
    }

    /// A pool with `capital` from the insurer.
    fn pool(&mut self, terms: PoolTerms, capital: u128) -> u32 {
        let m = self.api().create_pool(terms);
        self.send(self.insurer, m, capital).expect("pool created")
    }

    /// A customer attested for `meter` on `feeder`, who buys a policy from `pool`.
    fn customer_with_policy(
        &mut self,
        name: &str,
        pool: u32,
        meter: u64,
        feeder: u32,
    ) -> (AccountId, u64) {
        let who = self.world.actor(name);
        self.world.attest_meter(&self.grid, who, meter, feeder);
        let premium = self.read(self.api().pool(pool)).unwrap().terms.premium;
        let m = self.api().buy_policy(pool, meter, feeder);
        let id = self.send(who, m, premium).expect("policy bought");
        (who, id)
    }

    /// Two operators report an outage start; returns the second vote's outcome.
    fn start(&mut self, feeder: u32, start_ms: u64) -> VoteOutcome {
        let (a, b) = (self.grid.operators[0], self.grid.operators[1]);
        let m = self.api().report_outage_start(feeder, start_ms);
        assert!(matches!(
            self.send(a, m, 0),
            Ok(VoteOutcome::Pending { .. })
        ));
        let m = self.api().report_outage_start(feeder, start_ms);
        self.send(b, m, 0).unwrap()
    }

    /// Two operators finalize `report`; returns the new outage id.
    fn end(&mut self, report: OutageReport) -> u64 {
        let (a, c) = (self.grid.operators[0], self.grid.operators[2]);
        let m = self.api().report_outage_end(report.clone());
        assert!(matches!(
            self.send(a, m, 0),
            Ok(VoteOutcome::Pending { .. })
        ));
        let m = self.api().report_outage_end(report);
        let out = self
            .world
            .chain
            .call(&self.grid.insurance.address, m, &c, 0)
            .unwrap();
        assert_eq!(out.value, Ok(VoteOutcome::Finalized));
        decode_all::<OutageFinalized>(&out.events)[0].outage
    }

    /// Processes every payout of `outage` in batches of `batch`; returns how many calls it took.
    fn settle(&mut self, outage: u64, batch: u32) -> u32 {
        let keeper = self.world.actor("keeper");
        let mut calls = 0;
        loop {
            let m = self.api().process_payouts(outage, batch);
            let progress = self.send(keeper, m, 0).expect("batch processes");
            calls += 1;
            if progress.remaining == 0 {
                return calls;
            }
        }
    }

    fn wait(&mut self, ms: u64) {
        self.world.chain.advance_time(ms);
        self.world.chain.next_block();
    }

    fn now(&self) -> u64 {
        self.world.chain.now_ms()
    }
}

fn report(
    feeder: u32,
    start_ms: u64,
    minutes: u64,
    planned: bool,
    affected: Affected,
) -> OutageReport {
    OutageReport {
        feeder,
        start_ms,
        end_ms: start_ms + minutes * MINUTE_MS,
        planned,
        affected,
        min_dark_meters: 3,
        evidence_root: [0; 32],
    }
}

#[test]
fn covered_customers_are_paid_by_tier_without_a_claim() {
    let mut s = Setup::new();
    let pool = s.pool(terms(), 1_000 * UNIT);
    let (alice, _) = s.customer_with_policy("alice", pool, 1, 7);
    let (bob, _) = s.customer_with_policy("bob", pool, 2, 7);
    let (carol, carol_policy) = s.customer_with_policy("carol", pool, 3, 8);
    s.wait(2 * DAY_MS);

    let start = s.now();
    assert_eq!(s.start(7, start), VoteOutcome::Finalized);
    assert!(s.read(s.api().sales_frozen(7)));
    s.wait(5 * HOUR_MS);
    let before = [alice, bob, carol].map(|w| s.world.chain.balance(&w));
    let outage = s.end(report(7, start, 300, false, Affected::WholeFeeder));
    assert!(!s.read(s.api().sales_frozen(7)));
    assert_eq!(s.read(s.api().payouts_remaining(outage)), Some(2));

    let keeper = s.world.actor("keeper");
    let m = s.api().process_payouts(outage, 10);
    let out = s
        .world
        .chain
        .call(&s.grid.insurance.address, m, &keeper, 0)
        .unwrap();
    let paid = decode_all::<PayoutMade>(&out.events);
    assert_eq!(paid.len(), 2);
    assert!(paid.iter().all(|p| p.amount == 40 * UNIT));
    assert_eq!(s.world.chain.balance(&alice), before[0] + 40 * UNIT);
    assert_eq!(s.world.chain.balance(&bob), before[1] + 40 * UNIT);
    assert_eq!(
        s.world.chain.balance(&carol),
        before[2],
        "other feeder, not paid"
    );
    assert!(s.read(s.api().policy_payouts(carol_policy)).is_empty());

    // Nothing is left, and processing again pays nobody twice.
    let m = s.api().process_payouts(outage, 10);
    let again = s.send(keeper, m, 0).unwrap();
    assert_eq!((again.visited, again.paid, again.remaining), (0, 0, 0));
    assert_eq!(s.world.chain.balance(&alice), before[0] + 40 * UNIT);

    // Capital: 1000 + 3 premiums − 80 paid; liability 3 × 120 − 80 locked.
    let capital = s.read(s.api().pool_capital(pool)).unwrap();
    assert_eq!(capital.total, 1_006 * UNIT - 80 * UNIT);
    assert_eq!(capital.locked, 360 * UNIT - 80 * UNIT);
    assert_eq!(capital.free, capital.total - capital.locked);
}

#[test]
fn replayed_and_conflicting_reports_change_nothing() {
    let mut s = Setup::new();
    let pool = s.pool(terms(), 1_000 * UNIT);
    s.customer_with_policy("alice", pool, 1, 7);
    s.wait(2 * DAY_MS);
    let start = s.now();
    s.wait(16 * HOUR_MS);
    let (a, b, c) = (
        s.grid.operators[0],
        s.grid.operators[1],
        s.grid.operators[2],
    );
    let honest = report(7, start, 120, false, Affected::WholeFeeder);
    let inflated = report(7, start, 900, false, Affected::WholeFeeder);

    // One member alone, even twice, finalizes nothing; a conflicting report stays separate.
    let m = s.api().report_outage_end(inflated.clone());
    assert!(matches!(
        s.send(a, m, 0),
        Ok(VoteOutcome::Pending { votes: 1, .. })
    ));
    let m = s.api().report_outage_end(inflated.clone());
    assert_eq!(
        s.send(a, m, 0),
        Err(Error::Committee(CommitteeError::AlreadyVoted))
    );
    let m = s.api().report_outage_end(honest.clone());
    assert!(matches!(
        s.send(b, m, 0),
        Ok(VoteOutcome::Pending { votes: 1, .. })
    ));
    assert_eq!(s.read(s.api().outage_count()), 0);
    let m = s.api().report_outage_end(honest.clone());
    assert_eq!(s.send(c, m, 0), Ok(VoteOutcome::Finalized));
    assert_eq!(s.read(s.api().outage(0)).unwrap().minutes, 120);

    // Replays are refused and create no second outage.
    let m = s.api().report_outage_end(honest);
    assert_eq!(
        s.send(a, m, 0),
        Err(Error::Committee(CommitteeError::AlreadyFinalized))
    );
    let m = s.api().report_outage_end(inflated);
    assert_eq!(
        s.send(a, m, 0),
        Err(Error::Committee(CommitteeError::FinalizedOtherContent))
    );
    assert_eq!(s.read(s.api().outage_count()), 1);

    // Outsiders cannot vote at all.
    let stranger = s.world.actor("stranger");
    let m = s.api().report_outage_start(9, start);
    assert_eq!(
        s.send(stranger, m, 0),
        Err(Error::Committee(CommitteeError::NotMember))
    );
}

#[test]
fn eligibility_waiting_period_expiry_and_planned_outages() {
    let mut s = Setup::new();
    let pool = s.pool(terms(), 1_000 * UNIT);
    let (fresh, _) = s.customer_with_policy("fresh", pool, 1, 7);

    // Still in its waiting period when the outage starts: not paid.
    let start = s.now() + HOUR_MS;
    s.wait(4 * HOUR_MS);
    let before = s.world.chain.balance(&fresh);
    let outage = s.end(report(7, start, 120, false, Affected::WholeFeeder));
    s.settle(outage, 10);
    assert_eq!(s.world.chain.balance(&fresh), before);

    // Past the waiting period, a planned outage pays nothing in a pool that excludes them.
    s.wait(2 * DAY_MS);
    let start = s.now();
    s.wait(3 * HOUR_MS);
    let outage = s.end(report(7, start, 120, true, Affected::WholeFeeder));
    s.settle(outage, 10);
    assert_eq!(s.world.chain.balance(&fresh), before);

    // An unplanned one pays.
    let start = s.now();
    s.wait(3 * HOUR_MS);
    let outage = s.end(report(7, start, 120, false, Affected::WholeFeeder));
    s.settle(outage, 10);
    assert_eq!(s.world.chain.balance(&fresh), before + 10 * UNIT);

    // After the policy ended, a new outage pays nothing.
    s.wait(30 * DAY_MS);
    let start = s.now();
    s.wait(3 * HOUR_MS);
    let outage = s.end(report(7, start, 120, false, Affected::WholeFeeder));
    s.settle(outage, 10);
    assert_eq!(s.world.chain.balance(&fresh), before + 10 * UNIT);
}

#[test]
fn aggregate_limit_caps_total_payouts() {
    let mut s = Setup::new();
    let pool = s.pool(terms(), 1_000 * UNIT);
    let (alice, policy) = s.customer_with_policy("alice", pool, 1, 7);
    s.wait(2 * DAY_MS);
    let before = s.world.chain.balance(&alice);
    let mut blocks = Vec::new();
    for _ in 0..2 {
        let start = s.now();
        s.wait(13 * HOUR_MS);
        let outage = s.end(report(7, start, 780, false, Affected::WholeFeeder));
        blocks.push(s.world.chain.block_number());
        s.settle(outage, 10);
    }
    // 100 for the first, then only the 20 left of the 120 limit.
    assert_eq!(s.world.chain.balance(&alice), before + 120 * UNIT);
    assert_eq!(
        s.read(s.api().policy_payouts(policy)),
        vec![
            Payout {
                outage: 0,
                amount: 100 * UNIT,
                block: blocks[0]
            },
            Payout {
                outage: 1,
                amount: 20 * UNIT,
                block: blocks[1]
            }
        ]
    );
    assert!(
        blocks[0] < blocks[1],
        "each outage is paid in its own block"
    );
    assert_eq!(s.read(s.api().policy(policy)).unwrap().paid, 120 * UNIT);
}

/// A feeder's policies are stored a page at a time, and a policy's first payouts in its page: a
/// policy on the second page, paid more often than its page keeps, still lists every payout in order,
/// and every policy on the feeder is paid once per outage.
#[test]
fn payouts_past_a_page_are_all_kept_and_listed() {
    let mut s = Setup::new();
    let wide = PoolTerms {
        feeder_cap: 10_000 * UNIT,
        ..terms()
    };
    let pool = s.pool(wide, 10_000 * UNIT);
    let customers: Vec<_> = (0..POLICIES_PER_PAGE + 3)
        .map(|i| s.customer_with_policy(&format!("c{i}"), pool, 100 + u64::from(i), 7))
        .collect();
    let (last, policy) = *customers.last().unwrap();
    s.wait(2 * DAY_MS);
    let before: Vec<_> = customers
        .iter()
        .map(|(who, _)| s.world.chain.balance(who))
        .collect();
    let outages = PAYOUTS_IN_PAGE + 3;
    let mut paid = Vec::new();
    for _ in 0..outages {
        let start = s.now();
        s.wait(90 * MINUTE_MS);
        let outage = s.end(report(7, start, 90, false, Affected::WholeFeeder));
        let block = s.world.chain.block_number();
        s.settle(outage, 5);
        paid.push(Payout {
            outage,
            amount: 10 * UNIT,
            block,
        });
    }
    let each = 10 * UNIT * u128::from(outages);
    for ((who, _), before) in customers.iter().zip(before) {
        assert_eq!(s.world.chain.balance(who), before + each);
    }
    let listed = s.read(s.api().policy_payouts(policy));
    assert_eq!(listed, paid);
    let stored = s.read(s.api().policy(policy)).unwrap();
    assert_eq!(
        (stored.payouts, stored.paid, stored.holder),
        (outages, each, last)
    );
}

#[test]
fn a_meter_level_outage_pays_only_the_listed_meters() {
    let mut s = Setup::new();
    let pool = s.pool(terms(), 1_000 * UNIT);
    let (alice, _) = s.customer_with_policy("alice", pool, 10, 7);
    let (bob, _) = s.customer_with_policy("bob", pool, 11, 7);
    s.wait(2 * DAY_MS);
    let start = s.now();
    s.wait(2 * HOUR_MS);
    let before = [alice, bob].map(|w| s.world.chain.balance(&w));
    let outage = s.end(report(7, start, 90, false, Affected::Meters(vec![10, 99])));
    assert_eq!(s.settle(outage, 1), 2, "one meter per call");
    assert_eq!(s.world.chain.balance(&alice), before[0] + 10 * UNIT);
    assert_eq!(s.world.chain.balance(&bob), before[1]);

    // Unsorted or duplicate meter lists are refused before any vote counts.
    let bad = report(7, start + 1, 90, false, Affected::Meters(vec![11, 10]));
    let m = s.api().report_outage_end(bad);
    assert_eq!(s.send(s.grid.operators[0], m, 0), Err(Error::InvalidReport));
}

#[test]
fn sales_are_refused_while_frozen_unattested_over_cap_or_underfunded() {
    let mut s = Setup::new();
    let pool = s.pool(terms(), 150 * UNIT);
    let premium = terms().premium;
    let dave = s.world.actor("dave");

    // No attestation, or an attestation for another feeder.
    let m = s.api().buy_policy(pool, 5, 7);
    assert_eq!(s.send(dave, m, premium), Err(Error::NotMeterHolder));
    s.world.attest_meter(&s.grid, dave, 5, 8);
    let m = s.api().buy_policy(pool, 5, 7);
    assert_eq!(s.send(dave, m, premium), Err(Error::NotMeterHolder));
    s.world.attest_meter(&s.grid, dave, 5, 7);
    let m = s.api().buy_policy(pool, 5, 7);
    assert_eq!(s.send(dave, m, premium - 1), Err(Error::WrongPremium));

    // Frozen while an outage is open on the feeder.
    let start = s.now();
    s.start(7, start);
    let m = s.api().buy_policy(pool, 5, 7);
    assert_eq!(s.send(dave, m, premium), Err(Error::SalesFrozen));
    s.wait(HOUR_MS);
    s.end(report(7, start, 30, false, Affected::WholeFeeder));
    let m = s.api().buy_policy(pool, 5, 7);
    assert!(s.send(dave, m, premium).is_ok());
    let m = s.api().buy_policy(pool, 5, 7);
    assert_eq!(s.send(dave, m, premium), Err(Error::AlreadyCovered));

    // A start whose end never comes freezes sales for at most MAX_FREEZE_MS.
    let stuck = s.now();
    s.start(9, stuck);
    assert!(s.read(s.api().sales_frozen(9)));
    s.wait(MAX_FREEZE_MS);
    assert!(!s.read(s.api().sales_frozen(9)));

    // 150 + 2 premium backs one 120 policy; a second would need 240.
    let erin = s.world.actor("erin");
    s.world.attest_meter(&s.grid, erin, 6, 7);
    let m = s.api().buy_policy(pool, 6, 7);
    assert_eq!(s.send(erin, m, premium), Err(Error::InsufficientCapital));

    // A feeder cap of one policy's limit refuses the second policy on that feeder.
    let mut capped = terms();
    capped.feeder_cap = capped.aggregate_limit;
    let pool2 = s.pool(capped, 1_000 * UNIT);
    let m = s.api().buy_policy(pool2, 5, 7);
    assert!(s.send(dave, m, premium).is_ok());
    let m = s.api().buy_policy(pool2, 6, 7);
    assert_eq!(s.send(erin, m, premium), Err(Error::FeederCapExceeded));

    // A closed pool sells nothing; only its insurer closes it.
    let m = s.api().close_pool(pool2);
    assert_eq!(s.send(erin, m, 0), Err(Error::NotInsurer));
    let m = s.api().close_pool(pool2);
    s.send(s.insurer, m, 0).unwrap();
    let m = s.api().buy_policy(pool2, 6, 7);
    assert_eq!(s.send(erin, m, premium), Err(Error::PoolClosed));
}

#[test]
fn capital_is_withdrawable_only_when_free_and_after_release() {
    let mut s = Setup::new();
    let pool = s.pool(terms(), 200 * UNIT);
    let investor = s.world.actor("investor");
    let m = s.api().fund(pool);
    assert_eq!(s.send(investor, m, 100 * UNIT), Ok(100 * UNIT));
    let (_, policy) = s.customer_with_policy("alice", pool, 1, 7);

    // 302 total, 120 locked: the insurer's 200 shares are worth 200 × 302 / 300 = 201.33.
    let insurer_shares = s.read(s.api().shares_of(pool, s.insurer));
    assert_eq!(insurer_shares, 200 * UNIT);
    let m = s.api().withdraw(pool, insurer_shares);
    assert_eq!(s.send(s.insurer, m, 0), Err(Error::InsufficientFreeCapital));
    let m = s.api().withdraw(pool, 200 * UNIT + 1);
    assert_eq!(s.send(investor, m, 0), Err(Error::InsufficientShares));
    let m = s.api().withdraw(pool, 50 * UNIT);
    let got = s.send(investor, m, 0).unwrap();
    assert_eq!(got, 50 * UNIT * 302 / 300);

    // Release is refused until the settlement grace has passed, then frees everything.
    s.wait(30 * DAY_MS);
    let m = s.api().release_expired(vec![policy]);
    assert_eq!(s.send(investor, m, 0), Ok(0));
    s.wait(7 * DAY_MS);
    let m = s.api().release_expired(vec![policy]);
    assert_eq!(s.send(investor, m, 0), Ok(1));
    let capital = s.read(s.api().pool_capital(pool)).unwrap();
    assert_eq!(capital.locked, 0);
    let before = s.world.chain.balance(&s.insurer);
    let m = s.api().withdraw(pool, insurer_shares);
    let got = s.send(s.insurer, m, 0).unwrap();
    assert_eq!(s.world.chain.balance(&s.insurer), before + got);
}

#[test]
fn owner_and_committee_messages_refuse_others() {
    let mut s = Setup::new();
    let stranger = s.world.actor("stranger");
    let m = s.api().set_attestations(stranger, 0);
    assert_eq!(s.send(stranger, m, 0), Err(AccessError::NotOwner));
    let m = s.api().propose_owner(stranger);
    assert_eq!(s.send(stranger, m, 0), Err(AccessError::NotOwner));
    let m = s.api().accept_ownership();
    assert_eq!(s.send(stranger, m, 0), Err(AccessError::NotPendingOwner));
    let mut bad = terms();
    bad.tiers[1].payout = 1;
    let m = s.api().create_pool(bad);
    assert_eq!(s.send(stranger, m, 0), Err(Error::InvalidTerms));
    let m = s.api().process_payouts(0, 10);
    assert_eq!(s.send(stranger, m, 0), Err(Error::OutageNotFound));
    let m = s.api().process_payouts(0, 0);
    assert_eq!(s.send(stranger, m, 0), Err(Error::InvalidBatch));
    let m = s.api().claim_owed();
    assert_eq!(s.send(stranger, m, 0), Err(OwedError::NothingOwed));
}

#[test]
fn only_the_committee_replaces_the_committee() {
    let mut s = Setup::new();
    let stranger = s.world.actor("stranger");
    let utility = s.grid.utility;
    // Not the owner, not an outsider: only members vote on their successors.
    for who in [utility, stranger] {
        let m = s.api().propose_committee(vec![stranger], 1);
        assert_eq!(s.send(who, m, 0), Err(CommitteeError::NotMember));
    }
    let m = s.api().propose_committee(vec![stranger], 2);
    assert_eq!(
        s.send(s.grid.operators[0], m, 0),
        Err(CommitteeError::InvalidThreshold)
    );
    // Two of the three operators agree: the committee becomes 1-of-1, and votes from the old
    // committee no longer count.
    let m = s.api().propose_committee(vec![stranger], 1);
    assert_eq!(
        s.send(s.grid.operators[0], m, 0),
        Ok(VoteOutcome::Pending {
            votes: 1,
            threshold: 2
        })
    );
    assert_eq!(s.read(s.api().committee()), (s.grid.operators.clone(), 2));
    let m = s.api().propose_committee(vec![stranger], 1);
    assert_eq!(
        s.send(s.grid.operators[1], m, 0),
        Ok(VoteOutcome::Finalized)
    );
    assert_eq!(s.read(s.api().committee()), (vec![stranger], 1));
    let m = s.api().report_outage_start(7, s.now());
    assert_eq!(
        s.send(s.grid.operators[0], m, 0),
        Err(Error::Committee(CommitteeError::NotMember))
    );
    let m = s.api().report_outage_start(7, s.now());
    assert_eq!(s.send(stranger, m, 0), Ok(VoteOutcome::Finalized));
}

#[test]
fn ownership_moves_in_two_steps_and_never_to_the_zero_account() {
    let mut s = Setup::new();
    let utility = s.grid.utility;
    let heir = s.world.actor("heir");
    let m = s.api().propose_owner(AccountId::from([0; 32]));
    assert_eq!(s.send(utility, m, 0), Err(AccessError::ZeroAccount));
    let m = s.api().propose_owner(heir);
    assert_eq!(s.send(utility, m, 0), Ok(()));
    assert_eq!(s.read(s.api().pending_owner()), Some(heir));
    assert_eq!(s.read(s.api().owner()), utility, "a proposal moves nothing");
    let m = s.api().accept_ownership();
    assert_eq!(s.send(utility, m, 0), Err(AccessError::NotPendingOwner));

    // Acceptance moves it with an event; the old owner loses its rights.
    let m = s.api().accept_ownership();
    let out = s
        .world
        .chain
        .call(&s.grid.insurance.address, m, &heir, 0)
        .unwrap();
    assert_eq!(out.value, Ok(()));
    let moved = decode_all::<OwnershipTransferred>(&out.events);
    assert_eq!((moved[0].from, moved[0].to), (utility, heir));
    assert_eq!(s.read(s.api().owner()), heir);
    assert_eq!(s.read(s.api().pending_owner()), None);
    let m = s.api().set_attestations(utility, 0);
    assert_eq!(s.send(utility, m, 0), Err(AccessError::NotOwner));
}

#[test]
fn an_undercollateralized_pool_pays_what_it_has_then_takes_no_new_capital() {
    let mut s = Setup::new();
    let mut thin = terms();
    thin.collateral_bps = 1_000;
    let pool = s.pool(thin, 20 * UNIT);
    let (alice, policy) = s.customer_with_policy("alice", pool, 1, 7);
    s.wait(2 * DAY_MS);
    let start = s.now();
    s.wait(5 * HOUR_MS);
    let before = s.world.chain.balance(&alice);
    let outage = s.end(report(7, start, 300, false, Affected::WholeFeeder));
    s.settle(outage, 10);
    // Due 40, but the pool only had 20 + the 2 premium.
    assert_eq!(s.world.chain.balance(&alice), before + 22 * UNIT);
    assert_eq!(s.read(s.api().policy(policy)).unwrap().paid, 22 * UNIT);
    assert_eq!(s.read(s.api().pool_capital(pool)).unwrap().total, 0);

    let investor = s.world.actor("investor");
    let m = s.api().fund(pool);
    assert_eq!(s.send(investor, m, 100 * UNIT), Err(Error::PoolDrained));
}

#[test]
fn a_deposit_that_would_mint_nothing_is_refused_and_no_lone_share_is_left() {
    let mut s = Setup::new();
    // A pool's first deposit must mint at least MIN_SHARES shares.
    let m = s.api().create_pool(terms());
    assert_eq!(s.send(s.insurer, m, 1), Err(Error::DepositTooSmall));
    let m = s.api().create_pool(terms());
    assert_eq!(
        s.send(s.insurer, m, MIN_SHARES - 1),
        Err(Error::DepositTooSmall)
    );

    // The smallest pool that can sell: MIN_SHARES planks backing a 10-token limit at 0.01 %.
    let mut thin = terms();
    thin.aggregate_limit = 10 * UNIT;
    thin.feeder_cap = 10 * UNIT;
    thin.collateral_bps = 1;
    let pool = s.pool(thin, MIN_SHARES);
    // Its provider buys cover from it: the 2-token premium lifts a share to about 2,001 planks.
    s.customer_with_policy("insider", pool, 1, 7);
    let victim = s.world.actor("victim");
    let m = s.api().fund(pool);
    assert_eq!(
        s.send(victim, m, 1_000),
        Err(Error::DepositTooSmall),
        "a deposit worth less than a share is refused, not swallowed"
    );
    let m = s.api().fund(pool);
    let minted = s.send(victim, m, 10 * UNIT).expect("a real deposit mints");
    let capital = s.read(s.api().pool_capital(pool)).unwrap().total;
    let shares = s.read(s.api().pool(pool)).unwrap().shares;
    // What the victim's shares are worth is what it paid, to within one share's value.
    let worth = minted * capital / shares;
    assert!(10 * UNIT - worth <= capital / shares + 1, "{worth}");

    // Nobody can shrink the pool to a lone, inflatable share.
    let held = s.read(s.api().shares_of(pool, victim));
    let m = s.api().withdraw(pool, held);
    assert!(s.send(victim, m, 0).is_ok());
    let held = s.read(s.api().shares_of(pool, s.insurer));
    let m = s.api().withdraw(pool, held - 1);
    assert_eq!(s.send(s.insurer, m, 0), Err(Error::SharesBelowMinimum));
}

#[test]
fn a_waiting_period_as_long_as_the_cover_is_refused() {
    let mut s = Setup::new();
    let mut never = terms();
    never.waiting_ms = never.coverage_ms;
    let m = s.api().create_pool(never);
    assert_eq!(s.send(s.insurer, m, 100 * UNIT), Err(Error::InvalidTerms));
}

#[test]
fn a_start_confirmed_after_its_outage_ended_freezes_nothing() {
    let mut s = Setup::new();
    let pool = s.pool(terms(), 1_000 * UNIT);
    s.wait(DAY_MS);
    let start = s.now();
    // One operator reports the start; the final report finalizes before the start does.
    let m = s.api().report_outage_start(7, start);
    let first = s.send(s.grid.operators[0], m, 0);
    assert!(matches!(first, Ok(VoteOutcome::Pending { .. })));
    s.wait(2 * HOUR_MS);
    s.end(report(7, start, 120, false, Affected::WholeFeeder));
    // The slow operator's start vote now finalizes the start report: sales stay open.
    let m = s.api().report_outage_start(7, start);
    assert_eq!(
        s.send(s.grid.operators[1], m, 0),
        Ok(VoteOutcome::Finalized)
    );
    assert!(!s.read(s.api().sales_frozen(7)));
    s.customer_with_policy("late-buyer", pool, 9, 7);
}

#[test]
fn a_pool_stops_selling_while_the_oracle_is_silent() {
    let mut s = Setup::new();
    let mut careful = terms();
    careful.max_oracle_silence_ms = DAY_MS;
    let pool = s.pool(careful, 1_000 * UNIT);
    let mut unbounded = terms();
    unbounded.max_oracle_silence_ms = 0;
    let m = s.api().create_pool(unbounded);
    assert_eq!(s.send(s.insurer, m, 100 * UNIT), Err(Error::InvalidTerms));

    s.customer_with_policy("early", pool, 1, 7);
    // Two days without a vote or a heartbeat from two of the three operators.
    s.wait(2 * DAY_MS);
    let late = s.world.actor("late");
    s.world.attest_meter(&s.grid, late, 2, 7);
    let m = s.api().buy_policy(pool, 2, 7);
    assert_eq!(s.send(late, m, 2 * UNIT), Err(Error::OracleSilent));
    // One heartbeat is not enough for a 2-of-3 committee; two are.
    let m = s.api().heartbeat();
    assert_eq!(s.send(s.grid.operators[2], m, 0), Ok(()));
    let m = s.api().buy_policy(pool, 2, 7);
    assert_eq!(s.send(late, m, 2 * UNIT), Err(Error::OracleSilent));
    let m = s.api().heartbeat();
    assert_eq!(s.send(late, m, 0), Err(CommitteeError::NotMember));
    let m = s.api().heartbeat();
    assert_eq!(s.send(s.grid.operators[0], m, 0), Ok(()));
    let m = s.api().buy_policy(pool, 2, 7);
    assert!(s.send(late, m, 2 * UNIT).is_ok());
    let heard = s.read(s.api().last_heard());
    assert_eq!(heard.len(), 3);
    assert!(
        heard[1].1 < heard[0].1,
        "operator 2 was last heard at appointment"
    );
}

/// The meter events of a storm on `feeder`: meters 1..=`meters` go dark a second apart from `start`
/// and come back after `minutes`, a second apart.
fn storm_events(feeder: u32, meters: u64, start: u64, minutes: u64) -> Vec<MeterEvent> {
    outage_events(
        feeder,
        1..=meters,
        start,
        start + minutes * MINUTE_MS,
        1_000,
    )
}

#[test]
fn an_outage_proves_the_events_behind_it_and_no_doctored_one() {
    let mut s = Setup::new();
    let start = s.now();
    s.wait(4 * HOUR_MS);
    let outage = decide(
        &storm_events(7, 5, start, 120),
        &OutageRule::default(),
        s.now(),
    )
    .remove(0);
    let mut r = report(
        7,
        outage.start_ms,
        0,
        false,
        Affected::Meters(outage.meters.clone()),
    );
    r.end_ms = outage.end_ms.unwrap();
    r.evidence_root = outage.evidence_root();
    let mut no_rule = r.clone();
    no_rule.min_dark_meters = 0;
    let m = s.api().report_outage_end(no_rule);
    assert_eq!(s.send(s.grid.operators[0], m, 0), Err(Error::InvalidReport));
    let id = s.end(r);
    assert_eq!(
        s.read(s.api().outage(id)).unwrap().report.evidence_root,
        outage.evidence_root()
    );

    let proves = |s: &mut Setup, event: MeterEvent, index: usize| {
        let proof = evidence_proof(&outage.evidence, index).unwrap();
        s.read(s.api().verify_outage_event(id, event, proof))
    };
    for (index, event) in outage.evidence.iter().enumerate() {
        assert!(proves(&mut s, *event, index), "event {index} proves");
    }
    let honest = outage.evidence[2];
    let doctored = [
        MeterEvent {
            at_ms: honest.at_ms + 60_000,
            ..honest
        },
        MeterEvent {
            meter: honest.meter + 100,
            ..honest
        },
        MeterEvent {
            kind: EventKind::Restore,
            ..honest
        },
        MeterEvent {
            feeder: 8,
            ..honest
        },
    ];
    for event in doctored {
        assert!(!proves(&mut s, event, 2), "{event:?} must not prove");
    }
    // The right event at the wrong index, or against an outage that does not exist, proves nothing.
    assert!(!proves(&mut s, honest, 3));
    let proof = evidence_proof(&outage.evidence, 2).unwrap();
    assert!(!s.read(s.api().verify_outage_event(id + 1, honest, proof)));
}

// ---- Second adversarial review: each finding, on the real Wasm ----------------------------------

/// Finding 1: a policy that ends one hour into an eight-day outage is not released while the outage
/// is open, so the provider cannot withdraw what backs it, and the final report pays the top tier.
#[test]
fn cover_that_took_in_an_open_outage_is_not_released_from_under_it() {
    let mut s = Setup::new();
    let pool = s.pool(terms(), 120 * UNIT);
    let (alice, policy) = s.customer_with_policy("alice", pool, 1, 7);
    let ends_at = s.read(s.api().policy(policy)).unwrap().ends_at;
    s.wait(ends_at - HOUR_MS - s.now());
    let start = s.now();
    assert_eq!(s.start(7, start), VoteOutcome::Finalized);
    // Eight days on: a week past the policy's end, and the outage still open.
    s.wait(8 * DAY_MS);
    let m = s.api().release_expired(vec![policy]);
    assert_eq!(
        s.send(s.insurer, m, 0),
        Ok(0),
        "released under an open outage"
    );
    // The freeze has lapsed, so the provider may withdraw what is free, but the policy's limit
    // stays locked behind it.
    let free = s.read(s.api().pool_capital(pool)).unwrap().free;
    let shares = s.read(s.api().shares_of(pool, s.insurer));
    let m = s.api().withdraw(pool, shares);
    assert_eq!(s.send(s.insurer, m, 0), Err(Error::InsufficientFreeCapital));
    assert_eq!(free, 2 * UNIT, "only the premium is free");
    let before = s.world.chain.balance(&alice);
    let outage = s.end(report(7, start, 8 * 24 * 60, false, Affected::WholeFeeder));
    s.settle(outage, 10);
    assert_eq!(s.world.chain.balance(&alice), before + 100 * UNIT);
    // Paid and over: now it is released.
    let m = s.api().release_expired(vec![policy]);
    assert_eq!(s.send(s.insurer, m, 0), Ok(1));
}

/// Finding 2: a holder moving out buys four century-long policies in pools of one plank; the next
/// holder of the meter still buys cover (and from those pools too).
#[test]
fn a_former_holders_policies_never_lock_the_next_holder_out() {
    let mut s = Setup::new();
    let pool = s.pool(terms(), 1_000 * UNIT);
    let century = PoolTerms {
        tiers: vec![Tier {
            min_minutes: 1,
            payout: 1,
        }],
        premium: 1,
        coverage_ms: 36_500 * DAY_MS,
        waiting_ms: 0,
        exclude_planned: false,
        aggregate_limit: 1,
        feeder_cap: 1,
        collateral_bps: 10_000,
        max_oracle_silence_ms: 36_500 * DAY_MS,
    };
    let mover = s.world.actor("mover");
    s.world.attest_meter(&s.grid, mover, 5, 7);
    let mut tiny = Vec::new();
    for _ in 0..4 {
        let m = s.api().create_pool(century.clone());
        let id = s.send(mover, m, MIN_SHARES).unwrap();
        let m = s.api().buy_policy(id, 5, 7);
        s.send(mover, m, 1).expect("the mover's policy");
        tiny.push(id);
    }
    // Their own fifth is refused: the cap still holds for each holder.
    let m = s.api().buy_policy(pool, 5, 7);
    assert_eq!(
        s.send(mover, m, terms().premium),
        Err(Error::TooManyPoliciesForMeter)
    );
    let newcomer = s.world.actor("newcomer");
    s.world.attest_meter(&s.grid, newcomer, 5, 7);
    let m = s.api().buy_policy(pool, 5, 7);
    assert!(s.send(newcomer, m, terms().premium).is_ok());
    // The mover's policies stay listed for the meter: they still pay the mover.
    assert_eq!(s.read(s.api().policies_of_meter(5)).len(), 5);
    assert_eq!(tiny.len(), 4);
}

/// Finding 3: between an outage becoming final and its payouts, no provider withdraws; holders of
/// a partly collateralized pool get all they were owed, then capital is free again.
#[test]
fn capital_owed_for_an_outage_stays_until_it_is_paid() {
    let mut s = Setup::new();
    let mut partial = terms();
    partial.collateral_bps = 3_000;
    let pool = s.pool(partial, 200 * UNIT);
    let holders: Vec<AccountId> = (0..5)
        .map(|i| {
            s.customer_with_policy(&format!("holder-{i}"), pool, 10 + i, 7)
                .0
        })
        .collect();
    s.wait(2 * DAY_MS);
    let start = s.now();
    s.start(7, start);
    // While the outage is open, nothing leaves the pool.
    let m = s.api().withdraw(pool, MIN_SHARES);
    assert_eq!(s.send(s.insurer, m, 0), Err(Error::OutagePending));
    s.wait(5 * HOUR_MS);
    let before: Vec<u128> = holders.iter().map(|h| s.world.chain.balance(h)).collect();
    let outage = s.end(report(7, start, 300, false, Affected::WholeFeeder));
    // Final, not yet paid: 5 × 40 is owed, more than the 30 that would otherwise be free.
    assert_eq!(s.read(s.api().outstanding(None)).unpaid, 1);
    let free = s.read(s.api().pool_capital(pool)).unwrap().free;
    let shares = free * s.read(s.api().pool(pool)).unwrap().shares
        / s.read(s.api().pool_capital(pool)).unwrap().total;
    let m = s.api().withdraw(pool, shares);
    assert_eq!(s.send(s.insurer, m, 0), Err(Error::OutagePending));
    s.settle(outage, 2);
    for (h, b) in holders.iter().zip(before) {
        assert_eq!(s.world.chain.balance(h), b + 40 * UNIT);
    }
    // Paid: the outage holds nothing back any more; only the collateral rule does.
    assert_eq!(s.read(s.api().outstanding(None)).unpaid, 0);
    let m = s.api().withdraw(pool, MIN_SHARES);
    assert_eq!(s.send(s.insurer, m, 0), Err(Error::InsufficientFreeCapital));
}

/// Finding 5: a pool that no provider backs sells nothing, so no first depositor can take its
/// premiums.
#[test]
fn a_pool_nobody_backs_sells_no_cover() {
    let mut s = Setup::new();
    let mut thin = terms();
    thin.collateral_bps = 1;
    let m = s.api().create_pool(thin);
    let pool = s.send(s.insurer, m, 0).unwrap();
    s.world.attest_meter(&s.grid, s.insurer, 1, 7);
    let m = s.api().buy_policy(pool, 1, 7);
    assert_eq!(
        s.send(s.insurer, m, terms().premium),
        Err(Error::InsufficientCapital)
    );
    let stranger = s.world.actor("stranger");
    let m = s.api().fund(pool);
    assert_eq!(s.send(stranger, m, MIN_SHARES), Ok(MIN_SHARES));
    assert_eq!(s.read(s.api().pool(pool)).unwrap().capital, MIN_SHARES);
}

/// Finding 6: a stranger's dust deposit is refused, and the last provider can always take every
/// share; every holding stays none or at least `MIN_SHARES`.
#[test]
fn a_dust_deposit_never_keeps_the_last_provider_in() {
    let mut s = Setup::new();
    let pool = s.pool(terms(), 100 * UNIT);
    let stranger = s.world.actor("stranger");
    let m = s.api().fund(pool);
    assert_eq!(s.send(stranger, m, 1), Err(Error::DepositTooSmall));
    let m = s.api().fund(pool);
    assert_eq!(
        s.send(stranger, m, MIN_SHARES - 1),
        Err(Error::DepositTooSmall)
    );
    // A deposit at the minimum is a provider like any other.
    let m = s.api().fund(pool);
    assert_eq!(s.send(stranger, m, MIN_SHARES), Ok(MIN_SHARES));
    let held = s.read(s.api().shares_of(pool, s.insurer));
    let m = s.api().withdraw(pool, held);
    assert!(s.send(s.insurer, m, 0).is_ok(), "the insurer leaves");
    let m = s.api().withdraw(pool, 1);
    assert_eq!(s.send(stranger, m, 0), Err(Error::SharesBelowMinimum));
    let m = s.api().withdraw(pool, MIN_SHARES);
    assert_eq!(s.send(stranger, m, 0), Ok(MIN_SHARES));
    assert_eq!(s.read(s.api().pool(pool)).unwrap().shares, 0);
}

/// Finding 8: a meter-listed outage final within the settlement grace still pays after the grace
/// has passed and the holder renewed (which prunes the meter's list of what nothing can pay).
#[test]
fn a_late_meter_listed_payout_survives_a_renewal() {
    let mut s = Setup::new();
    let pool = s.pool(terms(), 1_000 * UNIT);
    let (alice, policy) = s.customer_with_policy("alice", pool, 10, 7);
    s.wait(2 * DAY_MS);
    let start = s.now();
    s.wait(2 * HOUR_MS);
    let ends_at = s.read(s.api().policy(policy)).unwrap().ends_at;
    s.wait(ends_at + DAY_MS - s.now());
    let outage = s.end(report(7, start, 90, false, Affected::Meters(vec![10])));
    s.wait(7 * DAY_MS);
    let m = s.api().buy_policy(pool, 10, 7);
    s.send(alice, m, terms().premium).expect("renewed");
    let before = s.world.chain.balance(&alice);
    s.settle(outage, 1);
    assert_eq!(s.world.chain.balance(&alice), before + 10 * UNIT);
}

/// Finding 10: `ballots` shows only ballots that count: one cast before a committee change is none.
#[test]
fn ballots_show_no_vote_a_committee_change_voided() {
    let mut s = Setup::new();
    let ops = s.grid.operators.clone();
    let start = s.now();
    let m = s.api().report_outage_start(7, start);
    s.send(ops[0], m, 0).unwrap();
    let id = gridtrust_common::tiers::outage_start_id(7, start);
    let cast = |s: &mut Setup| -> Vec<bool> {
        let api = s.api();
        s.read(Oracle::ballots(&api, id))
            .into_iter()
            .map(|(_, b)| b.is_some())
            .collect()
    };
    assert_eq!(cast(&mut s), vec![true, false, false]);
    // The same three operators re-appointed: a new epoch voids the vote in flight.
    for op in &ops[..2] {
        let m = s.api().propose_committee(ops.clone(), 2);
        s.send(*op, m, 0).unwrap();
    }
    assert_eq!(cast(&mut s), vec![false, false, false]);
    for op in &ops[1..] {
        let m = s.api().report_outage_start(7, start);
        s.send(*op, m, 0).unwrap();
    }
    // Final in the new epoch: exactly the two ballots that finalized it show.
    assert_eq!(cast(&mut s), vec![false, true, true]);
}
