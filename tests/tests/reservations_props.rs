//! A random walk of 10,000 operations (book, guest and merchant cancel, check-in, no-show, settle,
//! capacity and bond changes, days passing) over the reservations contract's real Wasm, against a model
//! kept in this file. After every step:
//! - every outcome (result, refund, compensation, balances moved) is the one the model predicts;
//! - the contract's escrow and bond totals equal the model's, and its balance covers both;
//! - the nights a step touched have the model's counts, never above capacity (and every 500 steps, and
//!   at the end, every night ever booked is swept).
//!
//! The walk is seeded: set `GRIDTRUST_SEED` to replay or explore another one (the seed is printed on
//! failure).

use std::collections::BTreeMap;

use gridtrust_chain::Message;
use gridtrust_common::refunds::RefundTier;
use gridtrust_tests::{
    walk, AccountId, Lodging, RandomWalk, Rng, Scenario, World, DAY_MS, HOUR_MS, MILLI_UNIT,
};
use reservations::{BookingStatus, Error, Reservations, RoomTerms};

const STEPS: usize = 10_000;
const MIN_BOND: u128 = 300 * MILLI_UNIT;
const GUESTS: usize = 6;

struct PropertyModel {
    id: u32,
    merchant: AccountId,
    bond: u128,
    compensation_bps: u32,
    open_bookings: u32,
}

struct RoomModel {
    property: usize,
    id: u32,
    capacity: u32,
    price: u128,
    /// (min days before, refund bps), as the test states them, not as the contract stores them.
    tiers: Vec<(u32, u32)>,
    no_show_bps: u32,
}

struct BookingModel {
    guest: AccountId,
    room: usize,
    check_in: u32,
    nights: u32,
    amount: u128,
    status: BookingStatus,
}

impl BookingModel {
    fn check_out(&self) -> u32 {
        self.check_in + self.nights
    }
}

/// `bps` of `amount`, rounded down.
fn share(amount: u128, bps: u32) -> u128 {
    amount * u128::from(bps) / 10_000
}

struct Walk {
    world: World,
    lodging: Lodging,
    rng: Rng,
    guests: Vec<AccountId>,
    properties: Vec<PropertyModel>,
    rooms: Vec<RoomModel>,
    bookings: Vec<BookingModel>,
    /// (room index, night) → rooms booked.
    nights: BTreeMap<(usize, u32), u32>,
    escrow: u128,
    refunds_checked: u32,
    ended: BTreeMap<&'static str, u32>,
    /// What the last ending call moved to (guest, merchant).
    moved: (i128, i128),
}

gridtrust_tests::scenario!(Walk, Reservations, |s| s.lodging.reservations.address);

impl Walk {
    fn new(seed: u64) -> Self {
        let mut world = World::new();
        let grid = world.deploy_grid();
        let lodging = world.deploy_lodging(&grid, MIN_BOND);
        let guests = (0..GUESTS)
            .map(|i| world.actor(&format!("guest-{i}")))
            .collect();
        let mut walk = Self {
            world,
            lodging,
            rng: Rng::new(seed),
            guests,
            properties: Vec::new(),
            rooms: Vec::new(),
            bookings: Vec::new(),
            nights: BTreeMap::new(),
            escrow: 0,
            refunds_checked: 0,
            ended: BTreeMap::new(),
            moved: (0, 0),
        };
        // A generous hotel and a strict one that promises a lot of compensation on a thin bond.
        walk.property("hotel-a", 1_000, 3 * MIN_BOND);
        walk.property("hotel-b", 5_000, MIN_BOND);
        walk.room(
            0,
            2,
            10 * MILLI_UNIT,
            vec![(14, 10_000), (5, 7_500), (1, 2_500)],
            0,
        );
        walk.room(0, 1, 25 * MILLI_UNIT, vec![(3, 10_000)], 5_000);
        walk.room(1, 3, 7 * MILLI_UNIT + 3, vec![(7, 3_333)], 1_111);
        walk
    }

    fn property(&mut self, name: &str, compensation_bps: u32, bond: u128) {
        let merchant = self.world.actor(name);
        self.lodging
            .attest_merchant(&mut self.world.chain, merchant)
            .unwrap();
        let m = self
            .api()
            .register_property([0; 32], compensation_bps, false, 0);
        let id = self.send(merchant, m, bond).unwrap();
        self.properties.push(PropertyModel {
            id,
            merchant,
            bond,
            compensation_bps,
            open_bookings: 0,
        });
    }

    fn room(
        &mut self,
        property: usize,
        capacity: u32,
        price: u128,
        tiers: Vec<(u32, u32)>,
        no_show_bps: u32,
    ) {
        let terms = RoomTerms {
            price_per_night: price,
            refund_tiers: tiers
                .iter()
                .map(|&(min_days_before, refund_bps)| RefundTier {
                    min_days_before,
                    refund_bps,
                })
                .collect(),
            no_show_refund_bps: no_show_bps,
            rules_hash: [1; 32],
        };
        let (p, merchant) = (
            self.properties[property].id,
            self.properties[property].merchant,
        );
        let m = self.api().add_room_type(p, capacity, terms);
        let id = self.send(merchant, m, 0).unwrap();
        self.rooms.push(RoomModel {
            property,
            id,
            capacity,
            price,
            tiers,
            no_show_bps,
        });
    }

    fn today(&mut self) -> u32 {
        (self.world.chain.now_ms() / DAY_MS) as u32
    }

    fn balance(&mut self, who: AccountId) -> u128 {
        self.world.chain.balance(&who)
    }

    fn pass_time(&mut self) {
        let ms = if self.rng.below(3) == 0 {
            self.rng.below(12) * HOUR_MS
        } else {
            DAY_MS
        };
        self.world.chain.advance_time(ms);
        self.world.chain.next_block();
    }

    fn book(&mut self) {
        let guest = self.rng.pick(&self.guests);
        let room = self.rng.below(self.rooms.len() as u64) as usize;
        let check_in = self.today() + self.rng.below(15) as u32;
        let nights = 1 + self.rng.below(4) as u32;
        let (r, prop) = (
            &self.rooms[room],
            &self.properties[self.rooms[room].property],
        );
        let amount = r.price * u128::from(nights);
        let full = (check_in..check_in + nights)
            .find(|n| self.nights.get(&(room, *n)).copied().unwrap_or(0) >= r.capacity);
        let expected = if prop.bond < MIN_BOND {
            Err(Error::BondTooLow)
        } else if let Some(night) = full {
            Err(Error::SoldOut { night })
        } else {
            Ok(self.bookings.len() as u64)
        };
        let (p, rt) = (prop.id, r.id);
        let quote = self
            .read(self.api().quote(p, rt, check_in, nights))
            .unwrap();
        assert_eq!(quote.terms.amount, amount);
        let m = self.api().book(p, rt, check_in, nights, quote.terms_hash);
        let got = self.send(guest, m, amount);
        assert_eq!(got, expected, "book room {room} {check_in}+{nights}");
        if got.is_ok() {
            for night in check_in..check_in + nights {
                *self.nights.entry((room, night)).or_insert(0) += 1;
            }
            self.properties[self.rooms[room].property].open_bookings += 1;
            self.escrow += amount;
            self.bookings.push(BookingModel {
                guest,
                room,
                check_in,
                nights,
                amount,
                status: BookingStatus::Booked,
            });
        }
        self.check_nights(room, check_in, nights);
    }

    /// A booking id to act on, or None before the first booking: two times in three one for which
    /// `fits(booking, today)` holds (so the interesting paths are taken), else a recent one in any
    /// status (so the refusals are too).
    fn any_booking(&mut self, fits: impl Fn(&BookingModel, u32) -> bool) -> Option<usize> {
        if self.bookings.is_empty() {
            return None;
        }
        let today = self.today();
        if self.rng.below(3) > 0 {
            let fitting: Vec<usize> = (0..self.bookings.len())
                .filter(|&i| fits(&self.bookings[i], today))
                .collect();
            if !fitting.is_empty() {
                return Some(self.rng.pick(&fitting));
            }
        }
        let n = self.bookings.len() as u64;
        let back = self.rng.below(n.min(40));
        Some((n - 1 - back) as usize)
    }

    fn merchant_of(&self, id: usize) -> AccountId {
        self.properties[self.rooms[self.bookings[id].room].property].merchant
    }

    /// Someone other than `who` one time in six (a wrong caller), else `who`.
    fn maybe_wrong(&mut self, who: AccountId) -> AccountId {
        if self.rng.below(6) == 0 {
            let other = self.rng.pick(&self.guests);
            if other != who {
                return other;
            }
            return self.properties[0].merchant;
        }
        who
    }

    fn guest_cancel(&mut self) {
        let Some(id) =
            self.any_booking(|b, today| b.status == BookingStatus::Booked && today <= b.check_in)
        else {
            return;
        };
        let today = self.today();
        let b = &self.bookings[id];
        let caller = self.maybe_wrong(b.guest);
        let b = &self.bookings[id];
        let expected = if b.status != BookingStatus::Booked {
            Err(Error::WrongStatus)
        } else if caller != b.guest {
            Err(Error::NotGuest)
        } else if today > b.check_in {
            Err(Error::TooLate)
        } else {
            let days_before = b.check_in - today;
            let r = &self.rooms[b.room];
            let bps = r
                .tiers
                .iter()
                .find(|(days, _)| days_before >= *days)
                .map_or(0, |t| t.1);
            Ok(share(b.amount, bps))
        };
        let got = self.ended_by(id, caller, |api| api.cancel(id as u64));
        assert_eq!(got, expected, "cancel {id}");
        if let Ok(refund) = got {
            self.refunds_checked += 1;
            self.end(id, BookingStatus::CancelledByGuest, refund, 0, today);
        }
    }

    fn merchant_cancel(&mut self) {
        let Some(id) = self.any_booking(|b, _| b.status == BookingStatus::Booked) else {
            return;
        };
        let today = self.today();
        let merchant = self.merchant_of(id);
        let caller = self.maybe_wrong(merchant);
        let b = &self.bookings[id];
        let prop = &self.properties[self.rooms[b.room].property];
        let expected = if b.status != BookingStatus::Booked {
            Err(Error::WrongStatus)
        } else if caller != merchant {
            Err(Error::NotMerchant)
        } else {
            Ok(share(b.amount, prop.compensation_bps).min(prop.bond))
        };
        let got = self.ended_by(id, caller, |api| api.merchant_cancel(id as u64));
        assert_eq!(got, expected, "merchant_cancel {id}");
        if let Ok(compensation) = got {
            let amount = self.bookings[id].amount;
            self.end(
                id,
                BookingStatus::CancelledByMerchant,
                amount,
                compensation,
                today,
            );
        }
    }

    /// A merchant's act on booking `id` (check-in, no-show), made today by its merchant or, now and
    /// then, by someone else: who calls, and the refusals every such act shares (the booking must
    /// still be booked, and only its merchant may act).
    fn merchant_act(&mut self, id: usize) -> (u32, AccountId, Result<(), Error>) {
        let today = self.today();
        let merchant = self.merchant_of(id);
        let caller = self.maybe_wrong(merchant);
        let allowed = if self.bookings[id].status != BookingStatus::Booked {
            Err(Error::WrongStatus)
        } else if caller != merchant {
            Err(Error::NotMerchant)
        } else {
            Ok(())
        };
        (today, caller, allowed)
    }

    fn check_in(&mut self) {
        let Some(id) = self.any_booking(|b, today| {
            b.status == BookingStatus::Booked && b.check_in <= today && today < b.check_out()
        }) else {
            return;
        };
        let (today, caller, allowed) = self.merchant_act(id);
        let b = &self.bookings[id];
        let expected = allowed.and_then(|()| {
            if today < b.check_in {
                Err(Error::TooEarly)
            } else if today >= b.check_out() {
                Err(Error::TooLate)
            } else {
                Ok(())
            }
        });
        let m = self.api().check_in(id as u64);
        assert_eq!(self.send(caller, m, 0), expected, "check_in {id}");
        if expected.is_ok() {
            self.bookings[id].status = BookingStatus::CheckedIn;
        }
    }

    fn no_show(&mut self) {
        let Some(id) =
            self.any_booking(|b, today| b.status == BookingStatus::Booked && today > b.check_in)
        else {
            return;
        };
        let (today, caller, allowed) = self.merchant_act(id);
        let b = &self.bookings[id];
        let expected = allowed.and_then(|()| {
            if today <= b.check_in {
                Err(Error::TooEarly)
            } else {
                Ok(share(b.amount, self.rooms[b.room].no_show_bps))
            }
        });
        let got = self.ended_by(id, caller, |api| api.mark_no_show(id as u64));
        assert_eq!(got, expected, "mark_no_show {id}");
        if let Ok(refund) = got {
            self.refunds_checked += 1;
            self.end(id, BookingStatus::NoShow, refund, 0, today);
        }
    }

    fn settle(&mut self) {
        let Some(id) = self.any_booking(|b, today| {
            matches!(b.status, BookingStatus::Booked | BookingStatus::CheckedIn)
                && today >= b.check_out()
        }) else {
            return;
        };
        let today = self.today();
        let caller = self.rng.pick(&self.guests);
        let b = &self.bookings[id];
        let expected = if today < b.check_out() {
            Err(Error::TooEarly)
        } else {
            match b.status {
                BookingStatus::CheckedIn => Ok(BookingStatus::Completed),
                BookingStatus::Booked => Ok(BookingStatus::Lapsed),
                _ => Err(Error::WrongStatus),
            }
        };
        let got = self.ended_by(id, caller, |api| api.settle(id as u64));
        assert_eq!(got, expected, "settle {id}");
        if let Ok(status) = got {
            let refund = if status == BookingStatus::Lapsed {
                self.bookings[id].amount
            } else {
                0
            };
            self.end(id, status, refund, 0, today);
        }
    }

    /// Calls the message `msg` builds as `caller`, and when it succeeds, checks the guest and merchant
    /// received what the model says (`end` records the expectation, this checks the chain).
    fn ended_by<R: scale::Decode, M: Into<Message<Result<R, Error>>>>(
        &mut self,
        id: usize,
        caller: AccountId,
        msg: impl FnOnce(&mut <Reservations as ink::codegen::ContractCallBuilder>::Type) -> M,
    ) -> Result<R, Error> {
        let (guest, merchant) = (self.bookings[id].guest, self.merchant_of(id));
        let before = (self.balance(guest), self.balance(merchant));
        let mut api = self.api();
        let got = self.send(caller, msg(&mut api), 0);
        self.moved = (
            self.balance(guest) as i128 - before.0 as i128,
            self.balance(merchant) as i128 - before.1 as i128,
        );
        got
    }

    /// The model's side of ending booking `id`: money to each side, bond, escrow and nights.
    fn end(
        &mut self,
        id: usize,
        status: BookingStatus,
        refund: u128,
        compensation: u128,
        today: u32,
    ) {
        let b = &self.bookings[id];
        let (room, check_in, check_out, amount) = (b.room, b.check_in, b.check_out(), b.amount);
        let was_booked = b.status == BookingStatus::Booked;
        let to_guest = (refund + compensation) as i128;
        let to_merchant = (amount - refund) as i128;
        assert_eq!(
            self.moved,
            (to_guest, to_merchant),
            "money moved ending {id} as {status:?}"
        );
        let prop = &mut self.properties[self.rooms[room].property];
        prop.bond -= compensation;
        prop.open_bookings -= 1;
        self.escrow -= amount;
        if was_booked {
            for night in today.max(check_in)..check_out {
                *self.nights.get_mut(&(room, night)).unwrap() -= 1;
            }
        }
        self.bookings[id].status = status;
        *self.ended.entry(status_name(status)).or_insert(0) += 1;
        self.check_nights(room, check_in, check_out - check_in);
    }

    fn set_capacity(&mut self) {
        let room = self.rng.below(self.rooms.len() as u64) as usize;
        let capacity = 1 + self.rng.below(4) as u32;
        let today = self.today();
        let r = &self.rooms[room];
        let too_full = if capacity < r.capacity {
            self.nights
                .range((room, today)..(room + 1, 0))
                .find(|(_, n)| **n > capacity)
        } else {
            None
        };
        let expected = match too_full {
            Some((&(_, night), &booked)) => Err(Error::CapacityBelowBooked { night, booked }),
            None => Ok(()),
        };
        let prop = &self.properties[r.property];
        let (p, rt, merchant) = (prop.id, r.id, prop.merchant);
        let m = self.api().update_room_type(p, rt, Some(capacity), None);
        assert_eq!(
            self.send(merchant, m, 0),
            expected,
            "set_capacity {room} {capacity}"
        );
        if expected.is_ok() {
            self.rooms[room].capacity = capacity;
        }
    }

    /// A merchant tops the bond up when it fell below the minimum, else tries to withdraw some.
    fn bond(&mut self) {
        let i = self.rng.below(self.properties.len() as u64) as usize;
        let (id, merchant, bond) = (
            self.properties[i].id,
            self.properties[i].merchant,
            self.properties[i].bond,
        );
        if bond < MIN_BOND {
            let m = self.api().add_bond(id);
            assert_eq!(self.send(merchant, m, MIN_BOND), Ok(bond + MIN_BOND));
            self.properties[i].bond += MIN_BOND;
            return;
        }
        let amount = 1 + self.rng.below((bond / MILLI_UNIT) as u64) as u128 * MILLI_UNIT;
        let keep = if self.properties[i].open_bookings > 0 {
            MIN_BOND
        } else {
            0
        };
        let expected = if amount > bond || bond - amount < keep {
            Err(Error::InsufficientBond)
        } else {
            Ok(bond - amount)
        };
        let m = self.api().withdraw_bond(id, amount);
        assert_eq!(self.send(merchant, m, 0), expected, "withdraw_bond {i}");
        if let Ok(rest) = expected {
            self.properties[i].bond = rest;
        }
    }

    fn check_nights(&mut self, room: usize, check_in: u32, nights: u32) {
        let (p, rt) = (
            self.properties[self.rooms[room].property].id,
            self.rooms[room].id,
        );
        for night in check_in..check_in + nights {
            let model = self.nights.get(&(room, night)).copied().unwrap_or(0);
            let chain = self.read(self.api().booked(p, rt, night));
            assert_eq!(chain, model, "room {room} night {night}");
        }
    }
}

impl RandomWalk for Walk {
    fn step(&mut self) {
        match self.rng.below(100) {
            0..=39 => self.book(),
            40..=51 => self.guest_cancel(),
            52..=57 => self.merchant_cancel(),
            58..=69 => self.check_in(),
            70..=75 => self.no_show(),
            76..=85 => self.settle(),
            86..=88 => self.set_capacity(),
            89..=90 => self.bond(),
            _ => self.pass_time(),
        }
    }

    fn check_money(&mut self) {
        let bonds: u128 = self.properties.iter().map(|p| p.bond).sum();
        let (escrow, bonded) = self.read(self.api().liabilities());
        assert_eq!((escrow, bonded), (self.escrow, bonds));
        let contract = self.lodging.reservations.address;
        assert!(self.balance(contract) >= escrow + bonded);
    }

    /// Every night ever booked: the chain agrees with the model, and no night from today on holds more
    /// than capacity.
    fn sweep(&mut self) {
        let today = self.today();
        let keys: Vec<_> = self.nights.iter().map(|(k, v)| (*k, *v)).collect();
        for ((room, night), model) in keys {
            let (p, rt) = (
                self.properties[self.rooms[room].property].id,
                self.rooms[room].id,
            );
            assert_eq!(self.read(self.api().booked(p, rt, night)), model);
            if night >= today {
                assert!(
                    model <= self.rooms[room].capacity,
                    "room {room} night {night} overbooked"
                );
            }
        }
    }
}

fn status_name(status: BookingStatus) -> &'static str {
    match status {
        BookingStatus::Booked => "booked",
        BookingStatus::CheckedIn => "checked in",
        BookingStatus::CancelledByGuest => "cancelled by guest",
        BookingStatus::CancelledByMerchant => "cancelled by merchant",
        BookingStatus::NoShow => "no-show",
        BookingStatus::Completed => "completed",
        BookingStatus::Lapsed => "lapsed",
    }
}

#[test]
fn ten_thousand_random_operations_never_overbook_or_lose_money() {
    let walk = walk(0x686f_7465_6c5f_6b65, STEPS, 500, Walk::new);
    println!(
        "walk: {STEPS} steps, {} bookings, {} refunds checked against their tier, endings {:?}",
        walk.bookings.len(),
        walk.refunds_checked,
        walk.ended
    );
    // The walk must have exercised every ending, or it proves little.
    for status in [
        "cancelled by guest",
        "cancelled by merchant",
        "no-show",
        "completed",
        "lapsed",
    ] {
        assert!(
            walk.ended.get(status).copied().unwrap_or(0) >= 20,
            "only {:?} bookings ended {status}",
            walk.ended.get(status)
        );
    }
    assert!(
        walk.bookings.len() > 1_000,
        "only {} bookings",
        walk.bookings.len()
    );
}
