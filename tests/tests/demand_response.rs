//! The demand-response contract's real Wasm on the sandbox chain: enrollment checked against the real
//! attestations contract, measurements through the real 2-of-3 committee, disputes and settlement.

use demand_response::{
    events::{EntryPaid, SettlementOpened},
    DemandResponse, EntryStatus, Error, Measurement, MeasurementBatch, MinReduction, ProgramTerms,
    MAX_PARTICIPANT_QUERY, REGULATOR, UTILITY,
};
use gridtrust_common::{
    access::AccessError,
    baseline::{self, BaselineError, BaselineInput, BaselineParams, DayReadings},
    committee::{CommitteeError, Oracle, VoteOutcome},
    demand, merkle,
};
use gridtrust_tests::{decode_all, AccountId, Chain, Grid, Scenario, World, DAY_MS, HOUR_MS, UNIT};

/// 2 tokens per kWh reduced, at most 10 tokens per customer per event, highest 3 of 5 days ±20 %,
/// disputes for 2 days after closing.
fn terms() -> ProgramTerms {
    ProgramTerms {
        rate_per_kwh: 2 * UNIT,
        cap_per_event: 10 * UNIT,
        baseline: BaselineParams {
            highest: 3,
            lookback: 5,
            adjustment_cap_bps: 2_000,
        },
        dispute_window_ms: 2 * DAY_MS,
        min_reduction: demand_response::MinReduction::NONE,
        utc_offset: 0,
    }
}

fn measurement(meter: u64, baseline_wh: u64, actual_wh: u64) -> Measurement {
    Measurement {
        meter,
        baseline_wh,
        actual_wh,
    }
}

struct Setup {
    world: World,
    grid: Grid,
    utility: AccountId,
    regulator: AccountId,
}

gridtrust_tests::scenario!(Setup, DemandResponse, |s| s.grid.demand.address);

impl Setup {
    fn new() -> Self {
        let mut world = World::new();
        let grid = world.deploy_grid();
        let utility = grid.utility;
        let regulator = world.actor("regulator");
        let mut s = Self {
            world,
            grid,
            utility,
            regulator,
        };
        let m = s.api().grant_role(REGULATOR, regulator);
        s.send(utility, m, 0).expect("regulator appointed");
        s
    }

    fn balance(&mut self, who: AccountId) -> u128 {
        self.world.chain.balance(&who)
    }

    fn now(&self) -> u64 {
        self.world.chain.now_ms()
    }

    fn wait(&mut self, ms: u64) {
        self.world.chain.advance_time(ms);
        self.world.chain.next_block();
    }

    fn program(&mut self, budget: u128) -> u32 {
        let m = self.api().create_program(terms());
        self.send(self.utility, m, budget).expect("program created")
    }

    /// A customer attested for `meter` on feeder 1 and enrolled in `program`.
    fn customer(&mut self, name: &str, program: u32, meter: u64) -> AccountId {
        let who = self.world.actor(name);
        self.world.attest_meter(&self.grid, who, meter, 1);
        let m = self.api().enroll(program, meter, 1);
        self.send(who, m, 0).expect("enrolled");
        who
    }

    /// An event of `program` from an hour from now, 3 hours long, opt-outs until 30 minutes before.
    fn announce(&mut self, program: u32) -> u64 {
        let start = self.now() + HOUR_MS;
        let m =
            self.api()
                .announce_event(program, start, start + 3 * HOUR_MS, start - HOUR_MS / 2, 0);
        self.send(self.utility, m, 0).expect("event announced")
    }

    /// A program with `budget`, ann (meter 1) and bob (meter 2) enrolled, and one of its events
    /// announced and over: what a batch of their measurements needs. Returns (program, ann, bob, event).
    fn ann_and_bob_after_an_event(&mut self, budget: u128) -> (u32, AccountId, AccountId, u64) {
        let program = self.program(budget);
        let ann = self.customer("ann", program, 1);
        let bob = self.customer("bob", program, 2);
        let event = self.announce(program);
        self.wait(4 * HOUR_MS);
        (program, ann, bob, event)
    }

    fn batch(event: u64, index: u32, entries: Vec<Measurement>) -> MeasurementBatch {
        MeasurementBatch {
            event,
            index,
            entries,
            readings_root: [index as u8; 32],
        }
    }

    /// Operators 1 and 2 submit `batch`; returns the second vote's outcome.
    fn submit(&mut self, batch: MeasurementBatch) -> Result<VoteOutcome, Error> {
        let (a, b) = (self.grid.operators[0], self.grid.operators[1]);
        let m = self.api().submit_measurements(batch.clone());
        let first = self.send(a, m, 0)?;
        assert!(matches!(first, VoteOutcome::Pending { .. }));
        let m = self.api().submit_measurements(batch);
        self.send(b, m, 0)
    }

    /// Customers ann, bob and cat (meters 1, 2, 3) in `program`, an event of it, and the committee's
    /// final batch of their (baseline, actual) Wh.
    fn three_measured(&mut self, program: u32, entries: [(u64, u64); 3]) -> (Vec<AccountId>, u64) {
        let customers: Vec<_> = ["ann", "bob", "cat"]
            .iter()
            .enumerate()
            .map(|(i, n)| self.customer(n, program, i as u64 + 1))
            .collect();
        let event = self.announce(program);
        self.wait(4 * HOUR_MS);
        let entries = (1..)
            .zip(entries)
            .map(|(meter, (b, a))| measurement(meter, b, a))
            .collect();
        self.submit(Setup::batch(event, 0, entries)).unwrap();
        (customers, event)
    }

    /// Closes `event` as the utility and waits out the dispute window.
    fn close_and_wait(&mut self, event: u64) {
        let m = self.api().close_event(event);
        self.send(self.utility, m, 0).expect("closed");
        self.wait(2 * DAY_MS);
    }
}

#[test]
fn only_utilities_create_programs_and_terms_must_make_sense() {
    let mut s = Setup::new();
    let stranger = s.world.actor("stranger");
    let m = s.api().create_program(terms());
    assert_eq!(
        s.send(stranger, m, 0),
        Err(Error::Access(AccessError::MissingRole(UTILITY)))
    );
    let m = s.api().grant_role(UTILITY, stranger);
    assert_eq!(
        s.send(stranger, m, 0),
        Err(Error::Access(AccessError::NotOwner))
    );
    let mut bad = Vec::new();
    for f in [
        |t: &mut ProgramTerms| t.rate_per_kwh = 0,
        |t: &mut ProgramTerms| t.cap_per_event = 0,
        |t: &mut ProgramTerms| t.baseline.highest = 6,
        |t: &mut ProgramTerms| t.dispute_window_ms = 0,
        |t: &mut ProgramTerms| t.dispute_window_ms = 31 * DAY_MS,
        |t: &mut ProgramTerms| t.min_reduction.share_bps = 10_001,
    ] {
        let mut t = terms();
        f(&mut t);
        bad.push(t);
    }
    for t in bad {
        let m = s.api().create_program(t);
        assert_eq!(s.send(s.utility, m, 0), Err(Error::InvalidTerms));
    }
    let program = s.program(100 * UNIT);
    assert_eq!(
        s.send(stranger, s.api().fund_program(program), 0),
        Err(Error::ZeroAmount)
    );
    assert_eq!(
        s.send(stranger, s.api().fund_program(program), 50 * UNIT),
        Ok(150 * UNIT)
    );
    let m = s.api().withdraw_budget(program, UNIT);
    assert_eq!(s.send(stranger, m, 0), Err(Error::NotUtility));
    let m = s.api().withdraw_budget(program, 151 * UNIT);
    assert_eq!(s.send(s.utility, m, 0), Err(Error::InsufficientBudget));
    let m = s.api().withdraw_budget(program, 50 * UNIT);
    assert_eq!(s.send(s.utility, m, 0), Ok(100 * UNIT));
}

#[test]
fn enrollment_needs_the_meter_holder_attestation_and_opt_outs_the_deadline() {
    let mut s = Setup::new();
    let program = s.program(100 * UNIT);
    let eve = s.world.actor("eve");
    // Eve holds meter 7, not meter 8.
    s.world.attest_meter(&s.grid, eve, 7, 1);
    let m = s.api().enroll(program, 8, 1);
    assert_eq!(s.send(eve, m, 0), Err(Error::NotMeterHolder));
    let m = s.api().enroll(program, 7, 2);
    assert_eq!(s.send(eve, m, 0), Err(Error::NotMeterHolder));
    let m = s.api().enroll(program, 7, 1);
    assert_eq!(s.send(eve, m, 0), Ok(()));
    assert_eq!(
        s.read(s.api().enrollment(program, 7)).unwrap().customer,
        eve
    );

    let stranger = s.world.actor("stranger");
    let event = s.announce(program);
    let m = s.api().opt_out(event, 7);
    assert_eq!(s.send(stranger, m, 0), Err(Error::NotEnrolled));
    assert_eq!(s.send(eve, s.api().opt_out(event, 7), 0), Ok(()));
    assert_eq!(
        s.send(eve, s.api().opt_out(event, 7), 0),
        Err(Error::AlreadyOptedOut)
    );
    assert!(s.read(s.api().opted_out(event, 7)));
    let later = s.announce(program);
    s.wait(HOUR_MS / 2 + 1);
    assert_eq!(
        s.send(eve, s.api().opt_out(later, 7), 0),
        Err(Error::OptOutClosed)
    );
    let m = s.api().unenroll(program, 7);
    assert_eq!(s.send(stranger, m, 0), Err(Error::NotEnrolled));
    assert_eq!(s.send(eve, s.api().unenroll(program, 7), 0), Ok(()));
    let left = s.read(s.api().enrollment(program, 7)).unwrap();
    assert!(
        left.left_at.is_some(),
        "the enrollment is kept, marked as left"
    );
    assert_eq!(
        s.send(eve, s.api().unenroll(program, 7), 0),
        Err(Error::NotEnrolled)
    );
}

#[test]
fn events_are_the_utilitys_and_must_be_well_formed() {
    let mut s = Setup::new();
    let program = s.program(0);
    let stranger = s.world.actor("stranger");
    let now = s.now();
    let m = s
        .api()
        .announce_event(program, now + HOUR_MS, now + 2 * HOUR_MS, now, 0);
    assert_eq!(s.send(stranger, m, 0), Err(Error::NotUtility));
    for (start, end, deadline) in [
        (now, now + HOUR_MS, now),                // starts now, not in the future
        (now + HOUR_MS, now + HOUR_MS, now),      // empty
        (now + HOUR_MS, now + 26 * HOUR_MS, now), // longer than a day
        (now + HOUR_MS, now + 2 * HOUR_MS, now + 2 * HOUR_MS), // opt-out after the start
    ] {
        let m = s.api().announce_event(program, start, end, deadline, 0);
        assert_eq!(s.send(s.utility, m, 0), Err(Error::InvalidEvent));
    }
    let m = s
        .api()
        .announce_event(99, now + HOUR_MS, now + 2 * HOUR_MS, now, 0);
    assert_eq!(s.send(s.utility, m, 0), Err(Error::ProgramNotFound));
}

#[test]
fn measurements_count_after_two_of_three_operators_and_only_for_participants() {
    let mut s = Setup::new();
    let program = s.program(1_000 * UNIT);
    let ann = s.customer("ann", program, 1);
    s.customer("bob", program, 2);
    let cat = s.customer("cat", program, 3);
    let event = s.announce(program);
    s.send(cat, s.api().opt_out(event, 3), 0).unwrap();
    s.wait(HOUR_MS);
    // Enrolled once the event started: does not take part.
    s.customer("dan", program, 4);

    let early = Setup::batch(event, 0, vec![measurement(1, 9_000, 6_000)]);
    let m = s.api().submit_measurements(early);
    assert_eq!(s.send(s.grid.operators[0], m, 0), Err(Error::EventNotEnded));
    s.wait(3 * HOUR_MS);

    let stranger = s.world.actor("stranger");
    let one = Setup::batch(event, 0, vec![measurement(1, 9_000, 6_000)]);
    let m = s.api().submit_measurements(one.clone());
    assert_eq!(
        s.send(stranger, m, 0),
        Err(Error::Committee(CommitteeError::NotMember))
    );
    for (entries, error) in [
        (vec![], Error::InvalidBatch),
        (
            vec![measurement(2, 1, 0), measurement(1, 1, 0)],
            Error::InvalidBatch,
        ),
        (
            vec![measurement(3, 9_000, 0)],
            Error::NotParticipating { meter: 3 },
        ),
        (
            vec![measurement(4, 9_000, 0)],
            Error::NotParticipating { meter: 4 },
        ),
        (
            vec![measurement(9, 9_000, 0)],
            Error::NotParticipating { meter: 9 },
        ),
    ] {
        let m = s.api().submit_measurements(Setup::batch(event, 1, entries));
        assert_eq!(s.send(s.grid.operators[0], m, 0), Err(error));
    }

    // One vote records nothing; the second finalizes.
    let m = s.api().submit_measurements(one.clone());
    assert!(matches!(
        s.send(s.grid.operators[0], m, 0),
        Ok(VoteOutcome::Pending {
            votes: 1,
            threshold: 2
        })
    ));
    assert_eq!(s.read(s.api().entry(event, 1)), None);
    // A second operator sends other figures for the same batch: a conflict, kept on record.
    let other = Setup::batch(event, 0, vec![measurement(1, 9_000, 7_000)]);
    let m = s.api().submit_measurements(other);
    assert!(matches!(
        s.send(s.grid.operators[1], m, 0),
        Ok(VoteOutcome::Pending { votes: 1, .. })
    ));
    let m = s.api().submit_measurements(one);
    assert_eq!(
        s.send(s.grid.operators[2], m, 0),
        Ok(VoteOutcome::Finalized)
    );
    // Who voted what: operators 1 and 3 backed the content that counts, operator 2 did not.
    let report = demand_response::batch_report_id(event, 0);
    let counted = s.read(Oracle::report_finalized(&s.api(), report)).unwrap();
    let ballots = s.read(Oracle::ballots(&s.api(), report));
    let ops = &s.grid.operators;
    assert_eq!(ballots.len(), 3);
    assert_eq!(ballots[0], (ops[0], Some(counted)));
    assert_eq!(ballots[2], (ops[2], Some(counted)));
    assert!(ballots[1].0 == ops[1] && ballots[1].1.is_some_and(|c| c != counted));
    let unseen = demand_response::batch_report_id(event, 7);
    assert!(s
        .read(Oracle::ballots(&s.api(), unseen))
        .iter()
        .all(|(_, b)| b.is_none()));
    let entry = s.read(s.api().entry(event, 1)).unwrap();
    // 3 kWh reduced at 2 tokens.
    assert_eq!(
        (entry.customer, entry.subsidy, entry.status),
        (ann, 6 * UNIT, EntryStatus::Pending)
    );
    // Bob used more than his baseline (0); a second batch naming Ann again is refused.
    let again = Setup::batch(
        event,
        1,
        vec![measurement(1, 5, 0), measurement(2, 9_000, 9_500)],
    );
    let m = s.api().submit_measurements(again);
    assert_eq!(
        s.send(s.grid.operators[0], m, 0),
        Err(Error::AlreadyMeasured { meter: 1 })
    );
    let bob = Setup::batch(event, 1, vec![measurement(2, 9_000, 9_500)]);
    assert_eq!(s.submit(bob), Ok(VoteOutcome::Finalized));
    assert_eq!(s.read(s.api().entry(event, 2)).unwrap().subsidy, 0);
    let e = s.read(s.api().event(event)).unwrap();
    assert_eq!((e.entries, e.batches, e.owed), (2, 2, 6 * UNIT));

    // Closed: no more batches.
    let m = s.api().close_event(event);
    assert_eq!(s.send(stranger, m, 0), Err(Error::NotUtilityOrRegulator));
    let m = s.api().close_event(event);
    assert!(s.send(s.regulator, m, 0).is_ok());
    let late = Setup::batch(event, 5, vec![measurement(3, 1, 0)]);
    let m = s.api().submit_measurements(late);
    assert_eq!(s.send(s.grid.operators[0], m, 0), Err(Error::EventClosed));
}

#[test]
fn anyone_checks_a_reading_against_the_batch_root_and_recomputes_a_baseline() {
    let mut s = Setup::new();
    let program = s.program(100 * UNIT);
    s.customer("ann", program, 1);
    let event = s.announce(program);
    s.wait(4 * HOUR_MS);

    // Twelve 15-minute readings of the event for meter 1, committed by their root.
    let start = s.read(s.api().event(event)).unwrap().start_ms;
    let readings: Vec<(u64, u64)> = (0..12)
        .map(|i| (start + i * 900_000, 400 + i * 7))
        .collect();
    let leaves: Vec<_> = readings
        .iter()
        .map(|&(t, wh)| demand::reading_leaf(1, t, wh))
        .collect();
    let root = merkle::root(&leaves).unwrap();
    let actual: u64 = readings.iter().map(|r| r.1).sum();

    // The baseline the oracle computed from ten days of history.
    let history: Vec<DayReadings> = (0..10u32)
        .map(|d| DayReadings {
            day: 100 + d,
            day_type: (d % 7 >= 5) as u8,
            event_day: d == 3,
            window: vec![600 + u64::from(d) * 10; 12],
            adjustment_window: vec![500; 8],
        })
        .collect();
    let day_of = vec![550; 8];
    let expected = baseline::compute(
        &terms().baseline,
        &BaselineInput {
            day_type: 0,
            history: history.clone(),
            adjustment_window: day_of.clone(),
        },
    )
    .unwrap();
    let m = s
        .api()
        .compute_baseline(event, history.clone(), day_of.clone());
    let on_chain = s.read(m).unwrap();
    assert_eq!(on_chain, expected);
    // +10 % adjustment on the highest 3 of the last 5 weekdays (days 109, 108, 107, 104, 102).
    assert_eq!(on_chain.selected_days, vec![109, 108, 107]);
    assert_eq!(on_chain.adjustment_bps, 11_000);

    let batch = MeasurementBatch {
        event,
        index: 0,
        entries: vec![measurement(1, on_chain.baseline_wh, actual)],
        readings_root: root,
    };
    assert_eq!(s.submit(batch), Ok(VoteOutcome::Finalized));
    assert_eq!(s.read(s.api().readings_root(event, 0)), Some(root));

    let proof = merkle::proof(&leaves, 5).unwrap();
    let (t, wh) = readings[5];
    let check = |s: &mut Setup, meter, t, wh, proof: merkle::MerkleProof, index| {
        s.read(s.api().verify_reading(event, index, meter, t, wh, proof))
    };
    assert!(check(&mut s, 1, t, wh, proof.clone(), 0));
    assert!(
        !check(&mut s, 1, t, wh + 1, proof.clone(), 0),
        "forged value"
    );
    assert!(!check(&mut s, 2, t, wh, proof.clone(), 0), "another meter");
    assert!(
        !check(&mut s, 1, readings[4].0, wh, proof.clone(), 0),
        "another interval"
    );
    assert!(!check(&mut s, 1, t, wh, proof.clone(), 1), "no such batch");
    let mut moved = proof;
    moved.index = 4;
    assert!(
        !check(&mut s, 1, t, wh, moved, 0),
        "proof for another position"
    );
    // Reading 8 of 12 is promoted past an odd level; its siblings also fit leaf 4 of an 8-leaf tree.
    // The root commits to the count, so that second reading of the same proof fails.
    let proof = merkle::proof(&leaves, 8).unwrap();
    let (t, wh) = readings[8];
    assert!(check(&mut s, 1, t, wh, proof.clone(), 0));
    let recounted = merkle::MerkleProof {
        index: 4,
        leaf_count: 8,
        siblings: proof.siblings,
    };
    assert!(
        !check(&mut s, 1, t, wh, recounted, 0),
        "the same siblings at another (index, count)"
    );

    // Too little history is a typed error, not a trap.
    let m = s
        .api()
        .compute_baseline(event, history[..4].to_vec(), day_of);
    assert_eq!(
        s.read(m),
        Err(Error::Baseline(BaselineError::NotEnoughDays))
    );
}

#[test]
fn disputed_entries_wait_for_resolution_and_nothing_is_paid_twice() {
    let mut s = Setup::new();
    let (program, ann, bob, event) = s.ann_and_bob_after_an_event(1_000 * UNIT);
    let batch = Setup::batch(
        event,
        0,
        vec![measurement(1, 9_000, 6_000), measurement(2, 8_000, 7_000)],
    );
    s.submit(batch).unwrap();
    let stranger = s.world.actor("stranger");
    assert_eq!(
        s.send(stranger, s.api().dispute(event, 1), 0),
        Err(Error::NotCustomerOrRegulator)
    );
    assert_eq!(
        s.send(bob, s.api().dispute(event, 1), 0),
        Err(Error::NotCustomerOrRegulator)
    );
    assert_eq!(s.send(ann, s.api().dispute(event, 1), 0), Ok(()));
    assert_eq!(
        s.send(ann, s.api().dispute(event, 1), 0),
        Err(Error::WrongStatus)
    );
    assert_eq!(
        s.send(stranger, s.api().settle(event, vec![1, 2]), 0),
        Err(Error::EventNotClosed)
    );
    let m = s.api().close_event(event);
    s.send(s.utility, m, 0).unwrap();
    assert_eq!(
        s.send(stranger, s.api().settle(event, vec![1, 2]), 0),
        Err(Error::DisputeWindowOpen)
    );
    // The regulator may dispute too, within the window.
    assert_eq!(s.send(s.regulator, s.api().dispute(event, 2), 0), Ok(()));
    let m = s.api().resolve(event, 2, None);
    assert_eq!(s.send(stranger, m, 0), Err(Error::NotUtilityOrRegulator));
    assert_eq!(
        s.send(s.utility, s.api().resolve(event, 2, None), 0),
        Ok(2 * UNIT)
    );
    s.wait(2 * DAY_MS);
    assert_eq!(
        s.send(bob, s.api().dispute(event, 2), 0),
        Err(Error::DisputeWindowClosed)
    );

    // Settlement pays Bob and holds Ann's disputed entry.
    let before = [ann, bob].map(|w| s.balance(w));
    let out = s
        .world
        .chain
        .call(
            &s.grid.demand.address,
            s.api().settle(event, vec![1, 2, 99]),
            &stranger,
            0,
        )
        .unwrap();
    assert_eq!(out.value, Ok(1));
    let opened = &decode_all::<SettlementOpened>(&out.events)[0];
    assert_eq!((opened.owed, opened.allocation), (8 * UNIT, 8 * UNIT));
    assert_eq!(s.balance(bob), before[1] + 2 * UNIT);
    assert_eq!(s.balance(ann), before[0]);
    assert_eq!(s.send(stranger, s.api().settle(event, vec![2]), 0), Ok(0));
    assert_eq!(s.balance(bob), before[1] + 2 * UNIT);

    // The regulator corrects Ann's baseline upward (capped at 10 tokens) and she is paid.
    let m = s.api().resolve(event, 1, Some((20_000, 6_000)));
    assert_eq!(s.send(s.regulator, m, 0), Ok(10 * UNIT));
    let out = s
        .world
        .chain
        .call(
            &s.grid.demand.address,
            s.api().settle(event, vec![1]),
            &stranger,
            0,
        )
        .unwrap();
    assert_eq!(decode_all::<EntryPaid>(&out.events)[0].amount, 10 * UNIT);
    assert_eq!(s.balance(ann), before[0] + 10 * UNIT);
    let e = s.read(s.api().event(event)).unwrap();
    assert!(e.settled);
    assert_eq!(e.paid, 12 * UNIT);
    assert_eq!(s.read(s.api().program(program)).unwrap().budget, 988 * UNIT);
    assert_eq!(
        s.send(s.utility, s.api().resolve(event, 1, None), 0),
        Err(Error::WrongStatus)
    );
}

/// A programme that pays only cuts of at least 10 % of the baseline and 500 Wh: a dip short of either
/// is recorded and earns nothing, settlement pays it nothing, and a cut that reaches both is paid for
/// all of it.
#[test]
fn a_cut_short_of_the_programs_minimum_earns_nothing() {
    let mut s = Setup::new();
    let floor = MinReduction {
        share_bps: 1_000,
        wh: 500,
    };
    let m = s.api().create_program(ProgramTerms {
        min_reduction: floor,
        utc_offset: 0,
        ..terms()
    });
    let program = s.send(s.utility, m, 100 * UNIT).expect("program created");
    let (customers, event) = s.three_measured(
        program,
        [
            // 9 % of the baseline: short of the share.
            (10_000, 9_100),
            // 10 % of a small baseline, but 400 Wh: short of the amount.
            (4_000, 3_600),
            // 12 % and 1 200 Wh: paid for all 1.2 kWh at 2 tokens.
            (10_000, 8_800),
        ],
    );
    let recorded: Vec<u128> = (1..=3)
        .map(|meter| s.read(s.api().entry(event, meter)).unwrap().subsidy)
        .collect();
    assert_eq!(recorded, vec![0, 0, 2 * UNIT * 12 / 10]);
    for (meter, (b, a)) in [(10_000, 9_100), (4_000, 3_600), (10_000, 8_800)]
        .into_iter()
        .enumerate()
    {
        let shared = demand::subsidy(b, a, 2 * UNIT, 10 * UNIT, floor);
        assert_eq!(recorded[meter], shared, "the contract and common agree");
    }
    s.close_and_wait(event);
    let before: Vec<_> = customers.iter().map(|w| s.balance(*w)).collect();
    let keeper = s.world.actor("keeper");
    assert_eq!(
        s.send(keeper, s.api().settle(event, vec![1, 2, 3]), 0),
        Ok(3)
    );
    let gained: Vec<u128> = customers
        .iter()
        .zip(before)
        .map(|(w, before)| s.balance(*w) - before)
        .collect();
    assert_eq!(gained, recorded);
}

#[test]
fn a_short_budget_pays_every_customer_the_same_fraction() {
    let mut s = Setup::new();
    // 7 tokens against 6 + 10 + 3 = 19 owed.
    let program = s.program(7 * UNIT);
    let (customers, event) = s.three_measured(program, [(9_000, 6_000), (20_000, 0), (2_000, 500)]);
    s.close_and_wait(event);
    let m = s.api().withdraw_budget(program, UNIT);
    assert_eq!(s.send(s.utility, m, 0), Err(Error::BudgetCommitted));
    let before: Vec<_> = customers.iter().map(|w| s.balance(*w)).collect();
    let keeper = s.world.actor("keeper");
    assert_eq!(
        s.send(keeper, s.api().settle(event, vec![1, 2, 3]), 0),
        Ok(3)
    );
    let owed = [6 * UNIT, 10 * UNIT, 3 * UNIT];
    let mut total = 0;
    for ((who, before), owed) in customers.iter().zip(before).zip(owed) {
        let expected = owed * 7 / 19; // rounded down
        assert_eq!(s.balance(*who) - before, expected);
        total += expected;
    }
    assert!(total <= 7 * UNIT);
    // The rounding remainder is back in the budget and the budget is free again.
    let p = s.read(s.api().program(program)).unwrap();
    assert_eq!(p.budget, 7 * UNIT - total);
    assert_eq!(p.unsettled_events, 0);
    let m = s.api().withdraw_budget(program, p.budget);
    assert_eq!(s.send(s.utility, m, 0), Ok(0));
}

#[test]
fn a_paused_program_pays_nothing_until_resumed() {
    let mut s = Setup::new();
    let program = s.program(100 * UNIT);
    let ann = s.customer("ann", program, 1);
    let event = s.announce(program);
    s.wait(4 * HOUR_MS);
    s.submit(Setup::batch(event, 0, vec![measurement(1, 9_000, 6_000)]))
        .unwrap();
    s.close_and_wait(event);
    let stranger = s.world.actor("stranger");
    let m = s.api().set_paused(program, true);
    assert_eq!(s.send(stranger, m, 0), Err(Error::NotUtilityOrRegulator));
    let m = s.api().set_paused(program, true);
    assert_eq!(s.send(s.regulator, m, 0), Ok(()));
    assert_eq!(
        s.send(stranger, s.api().settle(event, vec![1]), 0),
        Err(Error::ProgramPaused)
    );
    let m = s.api().enroll(program, 1, 1);
    assert_eq!(s.send(ann, m, 0), Err(Error::ProgramPaused));
    let now = s.now();
    let m = s
        .api()
        .announce_event(program, now + HOUR_MS, now + 2 * HOUR_MS, now, 0);
    assert_eq!(s.send(s.utility, m, 0), Err(Error::ProgramPaused));
    let m = s.api().set_paused(program, false);
    assert_eq!(s.send(s.utility, m, 0), Ok(()));
    let before = s.balance(ann);
    assert_eq!(s.send(stranger, s.api().settle(event, vec![1]), 0), Ok(1));
    assert_eq!(s.balance(ann), before + 6 * UNIT);
}

/// Ann (meter 1, 6 tokens) and Bob (meter 2, 2 tokens) share a budget of exactly 8; the regulator
/// disputes the entries of `disputed` meters, and settlement opens with the whole 8 reserved for the
/// two shares.
fn disputed_when_settlement_opens(s: &mut Setup, disputed: &[u64]) -> (u64, AccountId, AccountId) {
    let (_, ann, bob, event) = s.ann_and_bob_after_an_event(8 * UNIT);
    let batch = Setup::batch(
        event,
        0,
        vec![measurement(1, 3_000, 0), measurement(2, 1_000, 0)],
    );
    s.submit(batch).unwrap();
    for &meter in disputed {
        assert_eq!(
            s.send(s.regulator, s.api().dispute(event, meter), 0),
            Ok(())
        );
    }
    s.close_and_wait(event);
    // An empty settle call opens settlement: the allocation is fixed at 8.
    assert_eq!(s.send(bob, s.api().settle(event, vec![]), 0), Ok(0));
    assert_eq!(
        s.read(s.api().event(event)).unwrap().allocation,
        Some((8 * UNIT, 8 * UNIT))
    );
    (event, ann, bob)
}

#[test]
fn a_raise_after_settlement_opened_is_paid_only_from_money_moved_for_it() {
    let mut s = Setup::new();
    let (event, ann, bob) = disputed_when_settlement_opens(&mut s, &[1]);
    // Ann is corrected to 10 tokens, but the budget holds nothing more to fund the raise.
    let m = s.api().resolve(event, 1, Some((5_000, 0)));
    assert_eq!(s.send(s.regulator, m, 0), Ok(10 * UNIT));
    let before = [ann, bob].map(|w| s.balance(w));
    assert_eq!(s.send(bob, s.api().settle(event, vec![1, 2]), 0), Ok(2));
    // Ann keeps her reserved 6; Bob's reserved 2 is his, not hers.
    assert_eq!(s.balance(ann), before[0] + 6 * UNIT);
    assert_eq!(s.balance(bob), before[1] + 2 * UNIT);
    assert!(s.read(s.api().event(event)).unwrap().settled);
}

#[test]
fn a_raise_is_paid_as_far_as_the_budget_adds_to_it() {
    let mut s = Setup::new();
    let (event, ann, bob) = disputed_when_settlement_opens(&mut s, &[1]);
    let program = s.read(s.api().event(event)).unwrap().program;
    // The utility adds 3 tokens: the raise of 4 is funded up to 3.
    assert_eq!(
        s.send(s.utility, s.api().fund_program(program), 3 * UNIT),
        Ok(3 * UNIT)
    );
    let m = s.api().resolve(event, 1, Some((5_000, 0)));
    assert_eq!(s.send(s.regulator, m, 0), Ok(10 * UNIT));
    assert_eq!(
        s.read(s.api().entry(event, 1)).unwrap().payable,
        Some(9 * UNIT)
    );
    let before = [ann, bob].map(|w| s.balance(w));
    assert_eq!(s.send(bob, s.api().settle(event, vec![2, 1]), 0), Ok(2));
    assert_eq!(s.balance(ann), before[0] + 9 * UNIT);
    assert_eq!(s.balance(bob), before[1] + 2 * UNIT);
    assert_eq!(s.read(s.api().program(program)).unwrap().budget, 0);
}

#[test]
fn a_cut_after_a_raise_was_paid_returns_money_instead_of_failing() {
    let mut s = Setup::new();
    let (event, ann, bob) = disputed_when_settlement_opens(&mut s, &[1, 2]);
    let program = s.read(s.api().event(event)).unwrap().program;
    // Ann is raised to 10 and paid; before the fix this drained the whole reserve, Bob's share too.
    let m = s.api().resolve(event, 1, Some((5_000, 0)));
    assert_eq!(s.send(s.regulator, m, 0), Ok(10 * UNIT));
    assert_eq!(s.send(ann, s.api().settle(event, vec![1]), 0), Ok(1));
    // Bob's entry is cut from 2 to 1 token: the freed token returns to the budget.
    let m = s.api().resolve(event, 2, Some((500, 0)));
    assert_eq!(s.send(s.regulator, m, 0), Ok(UNIT));
    let before = s.balance(bob);
    assert_eq!(s.send(bob, s.api().settle(event, vec![2]), 0), Ok(1));
    assert_eq!(s.balance(bob), before + UNIT);
    let e = s.read(s.api().event(event)).unwrap();
    assert!(e.settled);
    assert_eq!(e.paid, 7 * UNIT, "Ann 6, Bob 1");
    assert_eq!(s.read(s.api().program(program)).unwrap().budget, UNIT);
}

#[test]
fn a_keeper_learns_which_entries_await_payment_in_one_bounded_read() {
    let mut s = Setup::new();
    let (event, _ann, bob) = disputed_when_settlement_opens(&mut s, &[1]);
    let pending = |s: &mut Setup| s.read(s.api().pending_entries(event, vec![1, 2, 3]));
    assert_eq!(
        pending(&mut s),
        Ok(vec![2]),
        "1 is held, 3 was never measured"
    );
    let m = s.api().resolve(event, 1, None);
    assert!(s.send(s.regulator, m, 0).is_ok());
    assert_eq!(pending(&mut s), Ok(vec![1, 2]), "resolved: payable again");
    assert_eq!(s.send(bob, s.api().settle(event, vec![1, 2]), 0), Ok(2));
    assert_eq!(pending(&mut s), Ok(vec![]), "both paid");
    let too_many = vec![0; MAX_PARTICIPANT_QUERY as usize + 1];
    let m = s.api().pending_entries(event, too_many);
    assert_eq!(s.read(m), Err(Error::InvalidBatch));
}

#[test]
fn leaving_or_returning_between_votes_does_not_break_a_batch() {
    let mut s = Setup::new();
    let (program, ann, bob, event) = s.ann_and_bob_after_an_event(100 * UNIT);
    let batch = Setup::batch(
        event,
        0,
        vec![measurement(1, 3_000, 0), measurement(2, 1_000, 0)],
    );
    let (a, b) = (s.grid.operators[0], s.grid.operators[1]);
    let m = s.api().submit_measurements(batch.clone());
    assert!(matches!(s.send(a, m, 0), Ok(VoteOutcome::Pending { .. })));
    // Between the two votes Ann leaves and Bob leaves and comes back.
    assert_eq!(s.send(ann, s.api().unenroll(program, 1), 0), Ok(()));
    assert_eq!(s.send(bob, s.api().unenroll(program, 2), 0), Ok(()));
    assert_eq!(s.send(bob, s.api().enroll(program, 2, 1), 0), Ok(()));
    let asked = s.read(s.api().participants(event, vec![1, 2, 3])).unwrap();
    assert_eq!(asked, vec![Some(ann), Some(bob), None], "as of the event");
    let m = s.api().submit_measurements(batch);
    assert_eq!(s.send(b, m, 0), Ok(VoteOutcome::Finalized));
    assert_eq!(s.read(s.api().entry(event, 1)).unwrap().customer, ann);
    // In an event announced now, Ann (gone) takes no part and Bob (back) does.
    let later = s.announce(program);
    let asked = s.read(s.api().participants(later, vec![1, 2])).unwrap();
    assert_eq!(asked, vec![None, Some(bob)]);
}

#[test]
fn the_largest_baseline_query_the_limits_allow_answers() {
    let mut s = Setup::new();
    let program = s.program(100 * UNIT);
    let event = s.announce(program);
    let widest = |day: u32| DayReadings {
        day,
        day_type: 0,
        event_day: false,
        window: vec![u64::MAX / 1_000; baseline::MAX_INTERVALS],
        adjustment_window: vec![u64::MAX / 1_000; baseline::MAX_INTERVALS],
    };
    let history: Vec<DayReadings> = (0..baseline::MAX_HISTORY_DAYS as u32).map(widest).collect();
    let day_of = vec![u64::MAX / 1_000; baseline::MAX_INTERVALS];
    let m = s
        .api()
        .compute_baseline(event, history.clone(), day_of.clone());
    let answer = s.read(m);
    let expected = baseline::compute(
        &terms().baseline,
        &BaselineInput {
            day_type: 0,
            history,
            adjustment_window: day_of,
        },
    );
    assert_eq!(
        answer,
        expected.map_err(Error::Baseline),
        "answered, not trapped"
    );
}

#[test]
fn a_programs_holiday_calendar_is_its_utilitys_and_never_rewrites_the_past() {
    use demand_response::{events::HolidaysSet, Holidays};
    let mut s = Setup::new();
    let program = s.program(0);
    // A program in Shanghai: the contract's local day turns at 16:00 UTC.
    let mut shanghai = terms();
    shanghai.utc_offset = 480;
    let m = s.api().create_program(shanghai);
    let zhejiang = s.send(s.utility, m, 0).expect("program created");
    let mut bad = terms();
    bad.utc_offset = 15 * 60;
    let m = s.api().create_program(bad);
    assert_eq!(s.send(s.utility, m, 0), Err(Error::InvalidTerms));

    let today = (s.now() / DAY_MS) as u32;
    let calendar = |rest: Vec<u32>, work: Vec<u32>| Holidays {
        rest_days: rest,
        working_days: work,
    };
    let future = calendar(vec![today + 3, today + 4], vec![today + 9]);
    let m = s.api().set_holidays(program, future.clone());
    let stranger = s.regulator;
    assert_eq!(s.send(stranger, m, 0), Err(Error::NotUtility));
    let out = s
        .world
        .chain
        .call(
            &s.grid.demand.address,
            s.api().set_holidays(program, future.clone()),
            &s.utility,
            0,
        )
        .unwrap();
    assert_eq!(out.value, Ok(()));
    assert_eq!(decode_all::<HolidaysSet>(&out.events)[0].holidays, future);
    assert_eq!(s.read(s.api().holidays(program)), future);
    assert_eq!(s.read(s.api().holidays(zhejiang)), Holidays::default());

    let m = s
        .api()
        .set_holidays(program, calendar(vec![today + 4, today + 3], vec![]));
    assert_eq!(s.send(s.utility, m, 0), Err(Error::InvalidCalendar));
    // Today may not become a holiday after the fact; a day still to come may change.
    let m = s.api().set_holidays(
        program,
        calendar(vec![today, today + 3, today + 4], vec![today + 9]),
    );
    assert_eq!(s.send(s.utility, m, 0), Err(Error::CalendarPastChanged));
    let m = s
        .api()
        .set_holidays(program, calendar(vec![today + 3, today + 5], vec![]));
    s.send(s.utility, m, 0).expect("days to come may change");
    // Four days on, the 3rd is past: it stays a holiday.
    s.wait(4 * DAY_MS);
    let m = s
        .api()
        .set_holidays(program, calendar(vec![today + 5], vec![]));
    assert_eq!(s.send(s.utility, m, 0), Err(Error::CalendarPastChanged));
}

// ---- Second adversarial review: each finding, on the real Wasm ----------------------------------

/// Finding 4: after an event, the meter's new holder enrolls twice; the holder who took part keeps
/// her entry. A change that would forget her is refused until the event is closed.
#[test]
fn who_took_part_in_an_event_stays_fixed_while_the_meter_changes_hands() {
    let mut s = Setup::new();
    let (program, ann, _bob, event) = s.ann_and_bob_after_an_event(100 * UNIT);
    let newcomer = s.world.actor("newcomer");
    s.world.attest_meter(&s.grid, newcomer, 1, 1);
    for _ in 0..2 {
        assert_eq!(s.send(newcomer, s.api().enroll(program, 1, 1), 0), Ok(()));
    }
    assert_eq!(s.send(newcomer, s.api().unenroll(program, 1), 0), Ok(()));
    assert_eq!(
        s.send(newcomer, s.api().enroll(program, 1, 1), 0),
        Err(Error::EnrollmentInUse),
        "coming back would forget Ann while the event is open"
    );
    let asked = s.read(s.api().participants(event, vec![1])).unwrap();
    assert_eq!(asked, vec![Some(ann)]);
    let batch = Setup::batch(
        event,
        0,
        vec![measurement(1, 3_000, 0), measurement(2, 1_000, 1_000)],
    );
    assert_eq!(s.submit(batch), Ok(VoteOutcome::Finalized));
    assert_eq!(s.read(s.api().entry(event, 1)).unwrap().customer, ann);
    // Closed to measurements: the meter's enrollment may move on.
    let m = s.api().close_event(event);
    s.send(s.utility, m, 0).unwrap();
    assert_eq!(s.send(newcomer, s.api().enroll(program, 1, 1), 0), Ok(()));
}

/// Finding 9: a calendar full of days long past takes new ones: days more than
/// `calendar::KEPT_PAST_DAYS` ago are dropped, listed or not.
#[test]
fn a_full_calendar_takes_new_days_once_its_old_ones_are_long_past() {
    use demand_response::Holidays;
    use gridtrust_common::calendar::{KEPT_PAST_DAYS, MAX_CALENDAR_DAYS};
    let mut s = Setup::new();
    let program = s.program(0);
    let today = (s.now() / DAY_MS) as u32;
    let full: Vec<u32> = (1..=MAX_CALENDAR_DAYS as u32).map(|d| today + d).collect();
    let m = s.api().set_holidays(
        program,
        Holidays {
            rest_days: full.clone(),
            working_days: vec![],
        },
    );
    assert_eq!(s.send(s.utility, m, 0), Ok(()));
    let later = today + MAX_CALENDAR_DAYS as u32 + KEPT_PAST_DAYS + 1;
    s.wait(u64::from(later - today) * DAY_MS);
    // As a utility writes it: the whole list again, with next year's holiday added.
    let mut rest_days = full;
    rest_days.push(later + 30);
    let m = s.api().set_holidays(
        program,
        Holidays {
            rest_days,
            working_days: vec![],
        },
    );
    assert_eq!(s.send(s.utility, m, 0), Ok(()));
    assert_eq!(
        s.read(s.api().holidays(program)),
        Holidays {
            rest_days: vec![later + 30],
            working_days: vec![],
        }
    );
}

/// Finding 11: a `settle` naming `MAX_SETTLE_BATCH` meters is decoded and answered; one more is a
/// typed refusal. (Before, the bound sat above what ink!'s input buffer holds, and such a call
/// trapped.)
#[test]
fn a_settlement_as_long_as_its_bound_is_answered_not_trapped() {
    use demand_response::MAX_SETTLE_BATCH;
    let mut s = Setup::new();
    let (_, ann, bob, event) = s.ann_and_bob_after_an_event(100 * UNIT);
    let batch = Setup::batch(
        event,
        0,
        vec![measurement(1, 3_000, 0), measurement(2, 1_000, 0)],
    );
    s.submit(batch).unwrap();
    s.close_and_wait(event);
    let longest: Vec<u64> = (0..u64::from(MAX_SETTLE_BATCH)).collect();
    let m = s.api().settle(event, longest.clone());
    assert_eq!(s.send(ann, m, 0), Ok(2));
    let mut too_long = longest;
    too_long.push(u64::MAX);
    let m = s.api().settle(event, too_long);
    assert_eq!(s.send(bob, m, 0), Err(Error::InvalidSettleBatch));
}
