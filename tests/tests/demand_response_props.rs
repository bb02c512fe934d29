//! A random walk of 10,000 operations (events announced, opt-outs, committee batches, closing,
//! disputes, resolutions, settlements, funding, time passing) over the demand-response contract's real
//! Wasm, against a model kept in this file. After every step:
//! - money is conserved: everything funded = everything paid + budget + every event's reserve, and the
//!   contract's balance covers budget and reserves — so nothing paid ever exceeds what was funded;
//! - every settlement paid exactly what the model predicts: undisputed entries once each, scaled
//!   `owed × allocation / total` rounded down, never a disputed or an already paid entry;
//! - per event, the pro-rata payments of entries never corrected after settlement opened add up to at
//!   most the event's allocation, and all its payments to at most the allocation plus what corrections
//!   after settlement opened drew from the budget minus what they returned (a raise is paid only
//!   from money moved for it, never from other entries' shares);
//! - meters change hands (each has two attested holders who enroll, re-enroll and leave at any
//!   time, before, during and after events), and who took part in every event still open to
//!   measurements is always who was enrolled at its start: the contract's `participants` answers
//!   what the model's full enrollment history says, and each entry pays that customer.
//!
//! The walk is seeded: set `GRIDTRUST_SEED` to replay or explore another one (the seed is printed on
//! failure).

use std::collections::BTreeMap;

use demand_response::{
    DemandResponse, EntryStatus, Error, Measurement, MeasurementBatch, ProgramTerms, REGULATOR,
};
use gridtrust_common::{baseline::BaselineParams, committee::VoteOutcome};
use gridtrust_tests::{
    walk, AccountId, Grid, RandomWalk, Rng, Scenario, World, HOUR_MS, MILLI_UNIT,
};

const STEPS: usize = 10_000;
const METERS: u64 = 8;
const RATE: u128 = 3 * MILLI_UNIT;
const CAP: u128 = 20 * MILLI_UNIT;
const WINDOW_MS: u64 = 6 * HOUR_MS;

struct EntryModel {
    /// Who took part for the meter, and is paid.
    customer: AccountId,
    subsidy: u128,
    status: EntryStatus,
    /// Corrected after settlement opened (its payment may exceed its original share).
    corrected_late: bool,
    /// What settlement pays it, once a correction after settlement opened fixed that.
    payable: Option<u128>,
}

struct EventModel {
    id: u64,
    start: u64,
    end: u64,
    deadline: u64,
    opted_out: Vec<u64>,
    next_batch: u32,
    closed_at: Option<u64>,
    entries: BTreeMap<u64, EntryModel>,
    /// (allocation, total owed then), once settlement opened.
    allocation: Option<(u128, u128)>,
    reserve: u128,
    /// Paid to entries not corrected late.
    paid_plain: u128,
    /// Paid to all entries.
    paid_all: u128,
    /// Net moved from the budget into the reserve by corrections after settlement opened.
    moved_in: i128,
    settled: bool,
    /// Settled by the last step: read once more from the chain.
    just_settled: bool,
    /// Settled, and its entries checked on chain since.
    entries_checked: bool,
}

impl EventModel {
    fn owed(&self) -> u128 {
        self.entries.values().map(|e| e.subsidy).sum()
    }
}

fn subsidy(baseline: u64, actual: u64) -> u128 {
    (u128::from(baseline.saturating_sub(actual)) * RATE / 1_000).min(CAP)
}

fn share(owed: u128, (allocation, total): (u128, u128)) -> u128 {
    if allocation >= total {
        owed
    } else {
        owed * allocation / total
    }
}

/// One enrollment of a meter in the model: who, from when, until when (open while in force).
struct Period {
    customer: AccountId,
    from: u64,
    to: Option<u64>,
}

struct Walk {
    world: World,
    grid: Grid,
    rng: Rng,
    regulator: AccountId,
    stranger: AccountId,
    /// Per meter, the two accounts attested as its holders (the first enrolled it at the start).
    holders: Vec<[AccountId; 2]>,
    /// Per meter, every enrollment it had, oldest first.
    periods: Vec<Vec<Period>>,
    program: u32,
    budget: u128,
    funded: u128,
    paid: u128,
    events: Vec<EventModel>,
    counts: BTreeMap<&'static str, u32>,
}

gridtrust_tests::scenario!(Walk, DemandResponse, |s| s.grid.demand.address);

impl Walk {
    fn new(seed: u64) -> Self {
        let mut world = World::new();
        let grid = world.deploy_grid();
        let regulator = world.actor("regulator");
        let stranger = world.actor("stranger");
        let mut walk = Self {
            world,
            grid,
            rng: Rng::new(seed),
            regulator,
            stranger,
            holders: Vec::new(),
            periods: Vec::new(),
            program: 0,
            budget: 0,
            funded: 0,
            paid: 0,
            events: Vec::new(),
            counts: BTreeMap::new(),
        };
        let utility = walk.grid.utility;
        let m = walk.api().grant_role(REGULATOR, regulator);
        walk.send(utility, m, 0).unwrap();
        let terms = ProgramTerms {
            rate_per_kwh: RATE,
            cap_per_event: CAP,
            baseline: BaselineParams {
                highest: 3,
                lookback: 5,
                adjustment_cap_bps: 2_000,
            },
            dispute_window_ms: WINDOW_MS,
            min_reduction: demand_response::MinReduction::NONE,
            utc_offset: 0,
        };
        // A small budget, so events often owe more than it holds.
        let m = walk.api().create_program(terms);
        walk.program = walk.send(utility, m, 40 * MILLI_UNIT).unwrap();
        walk.budget = 40 * MILLI_UNIT;
        walk.funded = 40 * MILLI_UNIT;
        for meter in 0..METERS {
            let who = walk.world.actor(&format!("customer-{meter}"));
            let next = walk.world.actor(&format!("tenant-{meter}"));
            walk.world.attest_meter(&walk.grid, who, meter, 1);
            walk.world.attest_meter(&walk.grid, next, meter, 1);
            let m = walk.api().enroll(walk.program, meter, 1);
            walk.send(who, m, 0).unwrap();
            walk.holders.push([who, next]);
            walk.periods.push(vec![Period {
                customer: who,
                from: walk.now(),
                to: None,
            }]);
        }
        walk.world.chain.advance_time(1);
        walk
    }

    fn now(&self) -> u64 {
        self.world.chain.now_ms()
    }

    /// Who the model says took part for `meter` in an event starting at `start`: enrolled before
    /// it, and not left before it.
    fn participant(&self, meter: u64, start: u64) -> Option<AccountId> {
        self.periods[meter as usize]
            .iter()
            .rev()
            .find(|p| p.from < start && p.to.is_none_or(|to| to >= start))
            .map(|p| p.customer)
    }

    /// The meter's enrollment in force now, if any.
    fn enrolled(&self, meter: u64) -> Option<AccountId> {
        self.periods[meter as usize]
            .last()
            .filter(|p| p.to.is_none())
            .map(|p| p.customer)
    }

    /// Every account that may be paid.
    fn accounts(&self) -> Vec<AccountId> {
        self.holders.iter().flatten().copied().collect()
    }

    /// A meter changes hands, or its holder leaves or comes back: one of its two holders enrolls
    /// (again), or its enrolled holder leaves.
    fn rehome(&mut self) {
        let meter = self.rng.below(METERS);
        let who = self.holders[meter as usize][self.rng.below(2) as usize];
        let now = self.now();
        let enrolled = self.enrolled(meter);
        if self.rng.below(3) == 0 {
            let m = self.api().unenroll(self.program, meter);
            let got = self.send(who, m, 0);
            if enrolled == Some(who) {
                assert_eq!(got, Ok(()), "unenroll");
                if let Some(p) = self.periods[meter as usize].last_mut() {
                    p.to = Some(now);
                }
                self.count("leavings");
            } else {
                assert_eq!(got, Err(Error::NotEnrolled), "unenroll");
            }
            return;
        }
        let m = self.api().enroll(self.program, meter, 1);
        let got = self.send(who, m, 0);
        if enrolled == Some(who) {
            assert_eq!(got, Ok(()), "enrolling again changes nothing");
            self.count("enrollments repeated");
            return;
        }
        match got {
            Ok(()) => {
                let periods = &mut self.periods[meter as usize];
                if let Some(p) = periods.last_mut() {
                    p.to.get_or_insert(now);
                }
                periods.push(Period {
                    customer: who,
                    from: now,
                    to: None,
                });
                self.count("changes of holder");
            }
            Err(Error::EnrollmentInUse) => {
                // Refused only while an event is open to measurements and one started no later
                // than the enrollment it would forget ended.
                let periods = &self.periods[meter as usize];
                let forgotten = periods.len().checked_sub(2).map(|i| &periods[i]);
                let ended = forgotten
                    .and_then(|p| p.to)
                    .expect("a forgotten enrollment");
                assert!(self.events.iter().any(|e| e.closed_at.is_none()));
                assert!(self.events.iter().any(|e| e.start <= ended));
                self.count("changes refused while an event is open");
            }
            other => panic!("enroll: {other:?}"),
        }
    }

    fn count(&mut self, what: &'static str) {
        *self.counts.entry(what).or_insert(0) += 1;
    }

    fn pass_time(&mut self) {
        let ms = (1 + self.rng.below(8)) * HOUR_MS / 2;
        self.world.chain.advance_time(ms);
        self.world.chain.next_block();
    }

    /// An event index whose model satisfies `fits`, if any.
    fn pick_event(&mut self, fits: impl Fn(&EventModel, u64) -> bool) -> Option<usize> {
        let now = self.now();
        let fitting: Vec<usize> = (0..self.events.len())
            .filter(|&i| fits(&self.events[i], now))
            .collect();
        if fitting.is_empty() {
            None
        } else {
            Some(self.rng.pick(&fitting))
        }
    }

    fn announce(&mut self) {
        let unsettled = self.events.iter().filter(|e| !e.settled).count();
        if unsettled >= 4 {
            return;
        }
        let start = self.now() + HOUR_MS;
        let end = start + (1 + self.rng.below(4)) * HOUR_MS;
        let deadline = start - HOUR_MS / 2;
        let m = self
            .api()
            .announce_event(self.program, start, end, deadline, 0);
        let id = self.send(self.grid.utility, m, 0).unwrap();
        self.events.push(EventModel {
            id,
            start,
            end,
            deadline,
            opted_out: Vec::new(),
            next_batch: 0,
            closed_at: None,
            entries: BTreeMap::new(),
            allocation: None,
            reserve: 0,
            paid_plain: 0,
            paid_all: 0,
            moved_in: 0,
            settled: false,
            just_settled: false,
            entries_checked: false,
        });
    }

    fn opt_out(&mut self) {
        let Some(i) = self.pick_event(|e, now| now < e.start) else {
            return;
        };
        let meter = self.rng.below(METERS);
        let enrolled = self.enrolled(meter);
        let who = enrolled.unwrap_or(self.holders[meter as usize][0]);
        let e = &self.events[i];
        let expected = if enrolled.is_none() {
            Err(Error::NotEnrolled)
        } else if self.now() > e.deadline {
            Err(Error::OptOutClosed)
        } else if e.opted_out.contains(&meter) {
            Err(Error::AlreadyOptedOut)
        } else {
            Ok(())
        };
        let m = self.api().opt_out(e.id, meter);
        assert_eq!(self.send(who, m, 0), expected, "opt_out");
        if expected.is_ok() {
            self.events[i].opted_out.push(meter);
            self.count("opt-outs");
        }
    }

    fn submit(&mut self) {
        let Some(i) = self.pick_event(|e, now| e.closed_at.is_none() && now >= e.end) else {
            return;
        };
        let e = &self.events[i];
        let free: Vec<u64> = (0..METERS)
            .filter(|m| !e.opted_out.contains(m) && !e.entries.contains_key(m))
            .filter(|&m| self.participant(m, e.start).is_some())
            .collect();
        if free.is_empty() {
            return;
        }
        let mut entries = Vec::new();
        for meter in free {
            if self.rng.below(2) == 0 {
                let baseline_wh = self.rng.below(12_000);
                let actual_wh = self.rng.below(12_000);
                entries.push(Measurement {
                    meter,
                    baseline_wh,
                    actual_wh,
                });
            }
        }
        if entries.is_empty() {
            return;
        }
        let batch = MeasurementBatch {
            event: e.id,
            index: e.next_batch,
            entries: entries.clone(),
            readings_root: [7; 32],
        };
        let (a, b) = (self.grid.operators[0], self.grid.operators[2]);
        let m = self.api().submit_measurements(batch.clone());
        assert!(matches!(
            self.send(a, m, 0),
            Ok(VoteOutcome::Pending { .. })
        ));
        let m = self.api().submit_measurements(batch);
        assert_eq!(self.send(b, m, 0), Ok(VoteOutcome::Finalized));
        let start = self.events[i].start;
        let customers: Vec<AccountId> = entries
            .iter()
            .map(|m| self.participant(m.meter, start).expect("a participant"))
            .collect();
        let e = &mut self.events[i];
        e.next_batch += 1;
        for (m, customer) in entries.into_iter().zip(customers) {
            e.entries.insert(
                m.meter,
                EntryModel {
                    customer,
                    subsidy: subsidy(m.baseline_wh, m.actual_wh),
                    status: EntryStatus::Pending,
                    corrected_late: false,
                    payable: None,
                },
            );
        }
        self.count("batches");
    }

    fn close(&mut self) {
        let Some(i) = self.pick_event(|e, now| e.closed_at.is_none() && now >= e.end) else {
            return;
        };
        let who = if self.rng.below(2) == 0 {
            self.grid.utility
        } else {
            self.regulator
        };
        let m = self.api().close_event(self.events[i].id);
        let now = self.now();
        assert_eq!(self.send(who, m, 0), Ok(now + WINDOW_MS));
        self.events[i].closed_at = Some(now);
    }

    fn dispute(&mut self) {
        let Some(i) = self.pick_event(|e, _| !e.entries.is_empty() && e.allocation.is_none())
        else {
            return;
        };
        let meters: Vec<u64> = self.events[i].entries.keys().copied().collect();
        let meter = self.rng.pick(&meters);
        let who = match self.rng.below(5) {
            0 => self.stranger,
            1 => self.regulator,
            _ => self.events[i].entries[&meter].customer,
        };
        let now = self.now();
        let e = &self.events[i];
        let status = e.entries[&meter].status;
        let expected = if who == self.stranger {
            Err(Error::NotCustomerOrRegulator)
        } else if e.closed_at.is_some_and(|c| now >= c + WINDOW_MS) {
            Err(Error::DisputeWindowClosed)
        } else if status != EntryStatus::Pending {
            Err(Error::WrongStatus)
        } else {
            Ok(())
        };
        let m = self.api().dispute(e.id, meter);
        assert_eq!(self.send(who, m, 0), expected, "dispute");
        if expected.is_ok() {
            self.events[i].entries.get_mut(&meter).unwrap().status = EntryStatus::Disputed;
            self.count("disputes");
        }
    }

    fn resolve(&mut self) {
        let Some(i) = self.pick_event(|e, _| {
            e.entries
                .values()
                .any(|x| x.status == EntryStatus::Disputed)
        }) else {
            return;
        };
        let disputed: Vec<u64> = self.events[i]
            .entries
            .iter()
            .filter(|(_, x)| x.status == EntryStatus::Disputed)
            .map(|(m, _)| *m)
            .collect();
        let meter = self.rng.pick(&disputed);
        let correction = if self.rng.below(2) == 0 {
            Some((self.rng.below(15_000), self.rng.below(5_000)))
        } else {
            None
        };
        let who = if self.rng.below(2) == 0 {
            self.grid.utility
        } else {
            self.regulator
        };
        let id = self.events[i].id;
        let old = self.events[i].entries[&meter].subsidy;
        let new = correction.map_or(old, |(b, a)| subsidy(b, a));
        let m = self.api().resolve(id, meter, correction);
        let e = &mut self.events[i];
        if let (Some(fixed), Some(_)) = (e.allocation, correction) {
            let entry = e.entries.get_mut(&meter).unwrap();
            let before = entry.payable.unwrap_or_else(|| share(old, fixed));
            let after = share(new, fixed);
            entry.payable = Some(if after > before {
                let extra = (after - before).min(self.budget);
                self.budget -= extra;
                e.reserve += extra;
                e.moved_in += extra as i128;
                before + extra
            } else {
                let freed = (before - after).min(e.reserve);
                e.reserve -= freed;
                self.budget += freed;
                e.moved_in -= freed as i128;
                after
            });
            entry.corrected_late = true;
            *self
                .counts
                .entry("corrections after settlement opened")
                .or_insert(0) += 1;
        }
        let entry = e.entries.get_mut(&meter).unwrap();
        entry.subsidy = new;
        entry.status = EntryStatus::Pending;
        assert_eq!(self.send(who, m, 0), Ok(new), "resolve");
        self.count("resolutions");
    }

    fn settle(&mut self) {
        let Some(i) = self.pick_event(|e, _| e.closed_at.is_some() && !e.settled) else {
            return;
        };
        let now = self.now();
        let mut meters: Vec<u64> = (0..METERS).filter(|_| self.rng.below(3) > 0).collect();
        if self.rng.below(4) == 0 {
            meters.push(meters.first().copied().unwrap_or(0)); // a duplicate must not pay twice
        }
        let e = &self.events[i];
        let id = e.id;
        if now < e.closed_at.unwrap() + WINDOW_MS {
            let m = self.api().settle(id, meters);
            assert_eq!(
                self.send(self.stranger, m, 0),
                Err(Error::DisputeWindowOpen)
            );
            return;
        }
        // The model's settlement.
        let e = &mut self.events[i];
        if e.allocation.is_none() {
            let owed = e.owed();
            let allocation = owed.min(self.budget);
            self.budget -= allocation;
            e.reserve = allocation;
            e.allocation = Some((allocation, owed));
            *self.counts.entry("settlements opened").or_insert(0) += 1;
            if allocation < owed {
                *self.counts.entry("short settlements").or_insert(0) += 1;
            }
        }
        let fixed = e.allocation.unwrap();
        let mut expected_paid = 0;
        let mut gains: BTreeMap<AccountId, u128> = BTreeMap::new();
        for &meter in &meters {
            let Some(entry) = e.entries.get_mut(&meter) else {
                continue;
            };
            if entry.status != EntryStatus::Pending {
                continue;
            }
            let amount = entry
                .payable
                .unwrap_or_else(|| share(entry.subsidy, fixed))
                .min(e.reserve);
            e.reserve -= amount;
            e.paid_all += amount;
            entry.status = EntryStatus::Paid;
            if !entry.corrected_late {
                e.paid_plain += amount;
            }
            *gains.entry(entry.customer).or_insert(0) += amount;
            self.paid += amount;
            expected_paid += 1;
        }
        assert!(
            e.paid_plain <= fixed.0,
            "pro-rata payments exceed the allocation"
        );
        assert!(
            e.paid_all as i128 <= fixed.0 as i128 + e.moved_in,
            "payments exceed the allocation plus what corrections moved in"
        );
        if e.entries.values().all(|x| x.status == EntryStatus::Paid) {
            self.budget += e.reserve;
            e.reserve = 0;
            e.settled = true;
            e.just_settled = true;
        }
        let accounts = self.accounts();
        let before: Vec<u128> = accounts
            .iter()
            .map(|w| self.world.chain.balance(w))
            .collect();
        let m = self.api().settle(id, meters);
        assert_eq!(self.send(self.stranger, m, 0), Ok(expected_paid), "settle");
        for (who, before) in accounts.iter().zip(before) {
            assert_eq!(
                self.world.chain.balance(who) - before,
                gains.get(who).copied().unwrap_or(0),
                "{who:?} paid"
            );
        }
        if expected_paid > 0 {
            self.count("payment calls");
        }
    }

    fn fund(&mut self) {
        let amount = (1 + self.rng.below(10) as u128) * MILLI_UNIT;
        let m = self.api().fund_program(self.program);
        let who = self.stranger;
        assert_eq!(self.send(who, m, amount), Ok(self.budget + amount));
        self.budget += amount;
        self.funded += amount;
    }
}

impl RandomWalk for Walk {
    fn step(&mut self) {
        match self.rng.below(100) {
            0..=7 => self.announce(),
            8..=13 => self.opt_out(),
            14..=33 => self.submit(),
            34..=41 => self.close(),
            42..=51 => self.dispute(),
            52..=59 => self.resolve(),
            60..=77 => self.settle(),
            78..=80 => self.fund(),
            81..=88 => self.rehome(),
            _ => self.pass_time(),
        }
    }

    /// Money is conserved and the contract can pay everything it holds for others.
    fn check_money(&mut self) {
        let program = self.read(self.api().program(self.program)).unwrap();
        assert_eq!(program.budget, self.budget, "budget");
        // Settled events hold nothing (checked when they settle, and by `check_entries`); the open
        // ones are read every step.
        let mut reserves = 0;
        for i in 0..self.events.len() {
            if self.events[i].settled && self.events[i].reserve == 0 && !self.events[i].just_settled
            {
                continue;
            }
            self.events[i].just_settled = false;
            let id = self.events[i].id;
            let e = self.read(self.api().event(id)).unwrap();
            assert_eq!(e.reserve, self.events[i].reserve, "event {id} reserve");
            assert_eq!(e.settled, self.events[i].settled, "event {id} settled");
            reserves += e.reserve;
        }
        assert_eq!(
            self.paid + self.budget + reserves,
            self.funded,
            "conservation"
        );
        let contract = self.grid.demand.address;
        assert!(self.world.chain.balance(&contract) >= self.budget + reserves);
        // Who took part in each event still open to measurements is fixed at its start.
        for i in 0..self.events.len() {
            let (id, start) = (self.events[i].id, self.events[i].start);
            if self.events[i].closed_at.is_some() || self.now() < start {
                continue;
            }
            let model: Vec<Option<AccountId>> = (0..METERS)
                .map(|m| {
                    let opted = self.events[i].opted_out.contains(&m);
                    self.participant(m, start).filter(|_| !opted)
                })
                .collect();
            let asked = self.read(self.api().participants(id, (0..METERS).collect()));
            assert_eq!(asked, Ok(model), "event {id}'s participants");
        }
    }

    /// Every entry's status on chain matches the model (disputed ones unpaid, paid ones once).
    fn sweep(&mut self) {
        for i in 0..self.events.len() {
            if self.events[i].entries_checked {
                continue;
            }
            // A settled event's entries can no longer change: checked once more, then never again.
            self.events[i].entries_checked = self.events[i].settled;
            let id = self.events[i].id;
            let model: Vec<(u64, EntryStatus)> = self.events[i]
                .entries
                .iter()
                .map(|(m, x)| (*m, x.status))
                .collect();
            for (meter, status) in model {
                let entry = self.read(self.api().entry(id, meter)).unwrap();
                assert_eq!(entry.status, status, "event {id} meter {meter}");
                if status != EntryStatus::Paid {
                    assert_eq!(entry.paid, 0);
                }
            }
        }
    }
}

#[test]
fn ten_thousand_random_operations_never_pay_beyond_the_budget_or_twice() {
    let walk = walk(0x6465_6d61_6e64_5f72, STEPS, 250, Walk::new);
    println!(
        "walk: {STEPS} steps, {} events, {} paid of {} funded, {:?}",
        walk.events.len(),
        walk.paid,
        walk.funded,
        walk.counts
    );
    for what in [
        "batches",
        "disputes",
        "resolutions",
        "settlements opened",
        "short settlements",
        "payment calls",
        "opt-outs",
        "changes of holder",
        "leavings",
        "enrollments repeated",
    ] {
        let n = walk.counts.get(what).copied().unwrap_or(0);
        assert!(n >= 20, "only {n} {what}");
    }
}
