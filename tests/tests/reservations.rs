//! The reservations contract's real Wasm on the sandbox chain, checking merchants and guests against the
//! real attestations contract by cross-contract call.

use attestations::Attestations;
use gridtrust_chain::{lodging::week_ahead_terms, Chain};
use gridtrust_common::access::{AccessError, Owned};
use gridtrust_tests::{
    call_builder, decode_all, AccountId, Lodging, Scenario, World, DAY_MS, HOUR_MS, MINUTE_MS, UNIT,
};
use reservations::{
    events::{BondChanged, Booked, BookingEnded, PropertyRegistered},
    BookingStatus, Error, Reservations, RoomTerms, Settings, MAX_ADVANCE_DAYS, MAX_NIGHTS,
};

const MIN_BOND: u128 = 500 * UNIT;
const PRICE: u128 = 100 * UNIT;

/// The tests' hotel offers [`week_ahead_terms`] under its own house rules.
fn room_terms(price_per_night: u128) -> RoomTerms {
    week_ahead_terms(
        price_per_night,
        gridtrust_common::blake2_256(b"no smoking; check-out by 11:00"),
    )
}

struct Setup {
    world: World,
    lodging: Lodging,
    merchant: AccountId,
    property: u32,
    room: u32,
}

gridtrust_tests::scenario!(Setup, Reservations, |s| s.lodging.reservations.address);

impl Setup {
    /// A verified merchant's property (bond 1 000, 10 % compensation) with a room type of 2 rooms,
    /// on UTC.
    fn new() -> Self {
        Self::at(0)
    }

    /// As [`Setup::new`], the property `utc_offset` minutes east of UTC.
    fn at(utc_offset: i16) -> Self {
        let mut world = World::new();
        let grid = world.deploy_grid();
        let lodging = world.deploy_lodging(&grid, MIN_BOND);
        let merchant = world.actor("hotel");
        lodging
            .attest_merchant(&mut world.chain, merchant)
            .expect("merchant attested");
        let mut s = Self {
            world,
            lodging,
            merchant,
            property: 0,
            room: 0,
        };
        let m = s.api().register_property([7; 32], 1_000, false, utc_offset);
        s.property = s.send(merchant, m, 2 * MIN_BOND).expect("registered");
        let m = s.api().add_room_type(s.property, 2, room_terms(PRICE));
        s.room = s.send(merchant, m, 0).expect("room type added");
        s
    }

    fn today(&mut self) -> u32 {
        (self.world.chain.now_ms() / DAY_MS) as u32
    }

    fn balance(&mut self, who: AccountId) -> u128 {
        self.world.chain.balance(&who)
    }

    /// Moves the clock `days` whole days on.
    fn wait_days(&mut self, days: u64) {
        self.world.chain.advance_time(days * DAY_MS);
        self.world.chain.next_block();
    }

    /// Moves the clock on to the next `hours:minutes` local time at a place `utc_offset` minutes
    /// east of UTC.
    fn wait_until_local(&mut self, utc_offset: i16, hours: u64, minutes: u64) {
        let local = self
            .world
            .chain
            .now_ms()
            .checked_add_signed(i64::from(utc_offset) * MINUTE_MS as i64)
            .unwrap();
        let target = hours * HOUR_MS + minutes * MINUTE_MS;
        self.wait_ms((target + DAY_MS - local % DAY_MS) % DAY_MS);
    }

    fn wait_ms(&mut self, ms: u64) {
        self.world.chain.advance_time(ms);
        self.world.chain.next_block();
    }

    /// `guest` books the default room for `nights` from `check_in` at the quoted terms.
    fn book(&mut self, guest: AccountId, check_in: u32, nights: u32) -> Result<u64, Error> {
        let (p, r) = (self.property, self.room);
        self.book_at(guest, p, r, check_in, nights)
    }

    fn book_at(
        &mut self,
        guest: AccountId,
        property: u32,
        room: u32,
        check_in: u32,
        nights: u32,
    ) -> Result<u64, Error> {
        let quote = self.read(self.api().quote(property, room, check_in, nights))?;
        let m = self
            .api()
            .book(property, room, check_in, nights, quote.terms_hash);
        self.send(guest, m, quote.terms.amount)
    }

    fn booked(&mut self, night: u32) -> u32 {
        let (p, r) = (self.property, self.room);
        self.read(self.api().booked(p, r, night))
    }

    fn status(&mut self, booking: u64) -> BookingStatus {
        self.read(self.api().booking(booking)).unwrap().status
    }
}

#[test]
fn only_bonded_verified_merchants_register_properties() {
    let mut s = Setup::new();
    let stranger = s.world.actor("phishing-clone");
    let m = s.api().register_property([1; 32], 0, false, 0);
    assert_eq!(
        s.send(stranger, m, MIN_BOND),
        Err(Error::NotVerifiedMerchant)
    );

    let m = s.api().register_property([1; 32], 0, false, 0);
    assert_eq!(s.send(s.merchant, m, MIN_BOND - 1), Err(Error::BondTooLow));
    let m = s.api().register_property([1; 32], 10_001, false, 0);
    assert_eq!(s.send(s.merchant, m, MIN_BOND), Err(Error::InvalidTerms));

    let m = s.api().register_property([1; 32], 500, true, 0);
    let out = s
        .world
        .chain
        .call(&s.contract(), m, &s.merchant, MIN_BOND)
        .unwrap();
    let id = out.value.unwrap();
    assert_eq!(id, 1);
    let registered = &decode_all::<PropertyRegistered>(&out.events)[0];
    assert_eq!((registered.property, registered.merchant), (1, s.merchant));
    assert!(registered.requires_real_name);
    assert_eq!(decode_all::<BondChanged>(&out.events)[0].bond, MIN_BOND);
    let p = s.read(s.api().property(id)).unwrap();
    assert_eq!((p.bond, p.compensation_bps, p.open), (MIN_BOND, 500, true));
    assert_eq!(s.read(s.api().liabilities()), (0, 3 * MIN_BOND));
}

#[test]
fn room_types_are_the_merchants_alone_and_must_make_sense() {
    let mut s = Setup::new();
    let guest = s.world.actor("guest");
    let (p, r) = (s.property, s.room);

    let m = s.api().add_room_type(p, 3, room_terms(PRICE));
    assert_eq!(s.send(guest, m, 0), Err(Error::NotMerchant));
    let m = s.api().add_room_type(99, 3, room_terms(PRICE));
    assert_eq!(s.send(s.merchant, m, 0), Err(Error::PropertyNotFound));
    for capacity in [0, reservations::MAX_CAPACITY + 1] {
        let m = s.api().add_room_type(p, capacity, room_terms(PRICE));
        assert_eq!(s.send(s.merchant, m, 0), Err(Error::InvalidCapacity));
    }
    let mut bad = vec![room_terms(0)];
    let mut t = room_terms(PRICE);
    t.no_show_refund_bps = 10_001;
    bad.push(t);
    let mut t = room_terms(PRICE);
    t.refund_tiers.reverse(); // later cancellation refunding more
    bad.push(t);
    for terms in bad {
        let m = s.api().add_room_type(p, 3, terms.clone());
        assert_eq!(s.send(s.merchant, m, 0), Err(Error::InvalidTerms));
        let m = s.api().update_room_type(p, r, None, Some(terms));
        assert_eq!(s.send(s.merchant, m, 0), Err(Error::InvalidTerms));
    }
    let m = s
        .api()
        .update_room_type(p, 7, None, Some(room_terms(PRICE)));
    assert_eq!(s.send(s.merchant, m, 0), Err(Error::RoomTypeNotFound));
    let m = s
        .api()
        .update_room_type(p, r, None, Some(room_terms(PRICE)));
    assert_eq!(s.send(guest, m, 0), Err(Error::NotMerchant));
    let m = s.api().update_room_type(p, r, Some(5), None);
    assert_eq!(s.send(guest, m, 0), Err(Error::NotMerchant));
    let m = s.api().set_open(p, false);
    assert_eq!(s.send(guest, m, 0), Err(Error::NotMerchant));

    let m = s.api().add_room_type(p, 3, room_terms(2 * PRICE));
    assert_eq!(s.send(s.merchant, m, 0), Ok(1));
    let room = s.read(s.api().room_type(p, 1)).unwrap();
    assert_eq!((room.capacity, room.terms.price_per_night), (3, 2 * PRICE));
}

#[test]
fn a_booking_is_escrowed_recorded_and_verifiable_at_the_front_desk() {
    let mut s = Setup::new();
    let guest = s.world.actor("guest");
    let check_in = s.today() + 10;
    let quote = s
        .read(s.api().quote(s.property, s.room, check_in, 3))
        .unwrap();
    assert_eq!(quote.terms.amount, 3 * PRICE);
    assert_eq!(quote.terms_hash, reservations::terms_hash(&quote.terms));

    let contract_before = s.balance(s.contract());
    let m = s
        .api()
        .book(s.property, s.room, check_in, 3, quote.terms_hash);
    let out = s
        .world
        .chain
        .call(&s.contract(), m, &guest, 3 * PRICE)
        .unwrap();
    let id = out.value.unwrap();
    let event = &decode_all::<Booked>(&out.events)[0];
    assert_eq!(
        (event.booking, event.guest, event.check_in, event.nights),
        (id, guest, check_in, 3)
    );
    assert_eq!(event.terms_hash, quote.terms_hash);
    assert!(s.balance(s.contract()) >= contract_before + 3 * PRICE);
    assert_eq!(s.read(s.api().liabilities()), (3 * PRICE, 2 * MIN_BOND));

    let b = s.read(s.api().booking(id)).unwrap();
    assert_eq!(
        (b.guest, &b.terms, b.status),
        (guest, &quote.terms, BookingStatus::Booked)
    );
    assert_eq!(b.booked_at, s.world.chain.now_ms());
    for night in check_in - 1..check_in + 4 {
        let expected = u32::from((check_in..check_in + 3).contains(&night));
        assert_eq!(s.booked(night), expected, "night {night}");
    }

    // The front desk checks the guest's confirmation against the record.
    let desk = |s: &mut Setup, who, hash| s.read(s.api().verify_booking(id, who, hash));
    assert_eq!(
        desk(&mut s, guest, quote.terms_hash),
        Ok(BookingStatus::Booked)
    );
    let impostor = s.world.actor("impostor");
    assert_eq!(
        desk(&mut s, impostor, quote.terms_hash),
        Err(Error::NotGuest)
    );
    let mut forged = quote.terms.clone();
    forged.amount = PRICE;
    let forged_hash = reservations::terms_hash(&forged);
    assert_eq!(desk(&mut s, guest, forged_hash), Err(Error::TermsMismatch));
    assert_eq!(
        s.read(s.api().verify_booking(id + 1, guest, quote.terms_hash)),
        Err(Error::BookingNotFound)
    );
}

#[test]
fn the_last_room_goes_to_one_guest_and_a_refused_stay_reserves_nothing() {
    let mut s = Setup::new();
    let [a, b, c] = ["a", "b", "c"].map(|n| s.world.actor(n));
    let day = s.today() + 20;
    s.book(a, day, 2).unwrap();
    s.book(b, day + 1, 2).unwrap();
    let free = |s: &mut Setup, day, nights| {
        let quote = s.read(s.api().quote(s.property, s.room, day, nights));
        quote.unwrap().available
    };
    assert_eq!(free(&mut s, day, 3), 0);
    assert_eq!(free(&mut s, day + 2, 1), 1);
    assert_eq!(free(&mut s, day + 3, 1), 2);
    // Night day+1 is full (a and b); c's stay starts on a free night and must not keep it.
    assert_eq!(s.book(c, day, 3), Err(Error::SoldOut { night: day + 1 }));
    assert_eq!(
        [day, day + 1, day + 2].map(|n| s.booked(n)),
        [1, 2, 1],
        "the refused booking left no trace"
    );
    assert_eq!(s.book(c, day + 2, 1).map(|_| ()), Ok(()));
    assert_eq!(
        s.book(c, day + 2, 1),
        Err(Error::SoldOut { night: day + 2 })
    );
    assert_eq!(s.read(s.api().liabilities()).0, 5 * PRICE);
}

#[test]
fn bookings_are_refused_on_bad_stays_money_terms_and_attestations() {
    let mut s = Setup::new();
    let guest = s.world.actor("guest");
    let today = s.today();
    let (p, r) = (s.property, s.room);

    for (check_in, nights) in [
        (today + 1, 0),
        (today + 1, MAX_NIGHTS + 1),
        (today - 1, 2),
        (today + MAX_ADVANCE_DAYS + 1, 1),
    ] {
        let m = s.api().book(p, r, check_in, nights, [0; 32]);
        assert_eq!(s.send(guest, m, PRICE), Err(Error::InvalidStay));
    }
    assert_eq!(
        s.book(guest, today + MAX_ADVANCE_DAYS, MAX_NIGHTS)
            .map(|_| ()),
        Ok(())
    );
    let m = s.api().book(p, 9, today, 1, [0; 32]);
    assert_eq!(s.send(guest, m, PRICE), Err(Error::RoomTypeNotFound));

    let quote = s.read(s.api().quote(p, r, today + 3, 2)).unwrap();
    let m = s.api().book(p, r, today + 3, 2, quote.terms_hash);
    assert_eq!(s.send(guest, m, 2 * PRICE - 1), Err(Error::WrongAmount));

    // The merchant raises the price after the guest's quote: the old quote no longer books.
    let m = s
        .api()
        .update_room_type(p, r, None, Some(room_terms(PRICE + 1)));
    s.send(s.merchant, m, 0).unwrap();
    let m = s.api().book(p, r, today + 3, 2, quote.terms_hash);
    assert_eq!(s.send(guest, m, 2 * PRICE), Err(Error::TermsChanged));

    let m = s.api().set_open(p, false);
    s.send(s.merchant, m, 0).unwrap();
    assert_eq!(s.book(guest, today + 3, 2), Err(Error::PropertyClosed));
    let m = s.api().set_open(p, true);
    s.send(s.merchant, m, 0).unwrap();

    // A merchant whose attestation is revoked stops taking bookings at once.
    let revoked = s.world.actor("revoked-hotel");
    let attestation = s
        .lodging
        .attest_merchant(&mut s.world.chain, revoked)
        .unwrap();
    let m = s.api().register_property([2; 32], 0, false, 0);
    let p2 = s.send(revoked, m, MIN_BOND).unwrap();
    let m = s.api().add_room_type(p2, 1, room_terms(PRICE));
    s.send(revoked, m, 0).unwrap();
    assert!(s.book_at(guest, p2, 0, today + 3, 1).is_ok());
    let mut attest_api = call_builder::<Attestations>(s.lodging.attestations);
    let authority = s.lodging.authority;
    s.world
        .send(
            &s.lodging.attestations,
            &authority,
            attest_api.revoke(attestation, 1),
            0,
        )
        .unwrap();
    assert_eq!(
        s.book_at(guest, p2, 0, today + 4, 1),
        Err(Error::NotVerifiedMerchant)
    );
}

#[test]
fn properties_may_require_a_real_name_attestation() {
    let mut s = Setup::new();
    let m = s.api().register_property([3; 32], 0, true, 0);
    let p = s.send(s.merchant, m, MIN_BOND).unwrap();
    let m = s.api().add_room_type(p, 1, room_terms(PRICE));
    s.send(s.merchant, m, 0).unwrap();
    let guest = s.world.actor("anonymous");
    let day = s.today() + 1;
    assert_eq!(s.book_at(guest, p, 0, day, 1), Err(Error::RealNameRequired));
    s.lodging
        .attest_real_name(&mut s.world.chain, guest)
        .unwrap();
    assert!(s.book_at(guest, p, 0, day, 1).is_ok());
}

#[test]
fn guest_cancellation_refunds_by_tier_and_frees_the_nights() {
    let mut s = Setup::new();
    let guest = s.world.actor("guest");
    let stranger = s.world.actor("stranger");
    let today = s.today();
    // (days ahead of check-in when cancelling, refund share in %)
    for (days_before, percent) in [(10, 100), (7, 100), (6, 50), (2, 50), (1, 0), (0, 0)] {
        let check_in = today + days_before;
        let id = s.book(guest, check_in, 2).unwrap();
        assert_eq!(
            s.send(stranger, s.api().cancel(id), 0),
            Err(Error::NotGuest)
        );
        let merchant_before = s.balance(s.merchant);
        let guest_before = s.balance(guest);
        let out = s
            .world
            .chain
            .call(&s.contract(), s.api().cancel(id), &guest, 0)
            .unwrap();
        let refund = 2 * PRICE * percent / 100;
        assert_eq!(out.value, Ok(refund), "{days_before} days before");
        let ended = &decode_all::<BookingEnded>(&out.events)[0];
        assert_eq!(
            (ended.status, ended.to_guest, ended.to_merchant),
            (BookingStatus::CancelledByGuest, refund, 2 * PRICE - refund)
        );
        assert_eq!(s.balance(guest), guest_before + refund);
        assert_eq!(s.balance(s.merchant), merchant_before + 2 * PRICE - refund);
        assert_eq!([s.booked(check_in), s.booked(check_in + 1)], [0, 0]);
        assert_eq!(
            s.send(guest, s.api().cancel(id), 0),
            Err(Error::WrongStatus)
        );
    }
    // Past the check-in day the guest can no longer cancel.
    let id = s.book(guest, today + 1, 3).unwrap();
    s.wait_days(2);
    assert_eq!(s.send(guest, s.api().cancel(id), 0), Err(Error::TooLate));
    assert_eq!(s.read(s.api().liabilities()).0, 3 * PRICE);
}

#[test]
fn merchant_cancellation_refunds_everything_and_compensates_from_the_bond() {
    let mut s = Setup::new();
    let guest = s.world.actor("guest");
    let day = s.today() + 5;
    let id = s.book(guest, day, 4).unwrap();
    assert_eq!(
        s.send(guest, s.api().merchant_cancel(id), 0),
        Err(Error::NotMerchant)
    );
    let before = s.balance(guest);
    let out = s
        .world
        .chain
        .call(&s.contract(), s.api().merchant_cancel(id), &s.merchant, 0)
        .unwrap();
    // 10 % of 400 from the bond.
    assert_eq!(out.value, Ok(40 * UNIT));
    assert_eq!(s.balance(guest), before + 440 * UNIT);
    assert_eq!(
        decode_all::<BondChanged>(&out.events)[0].bond,
        2 * MIN_BOND - 40 * UNIT
    );
    assert_eq!(s.booked(day), 0);
    assert_eq!(s.status(id), BookingStatus::CancelledByMerchant);
    assert_eq!(s.read(s.api().liabilities()), (0, 2 * MIN_BOND - 40 * UNIT));

    // Compensation reaches only as far as the bond: a merchant with a 100 % promise and a thin bond.
    let thin = s.world.actor("thin-hotel");
    s.lodging.attest_merchant(&mut s.world.chain, thin).unwrap();
    let m = s.api().register_property([4; 32], 10_000, false, 0);
    let p = s.send(thin, m, MIN_BOND).unwrap();
    let m = s.api().add_room_type(p, 1, room_terms(400 * UNIT));
    s.send(thin, m, 0).unwrap();
    let id = s.book_at(guest, p, 0, day, 2).unwrap();
    let before = s.balance(guest);
    assert_eq!(s.send(thin, s.api().merchant_cancel(id), 0), Ok(MIN_BOND));
    assert_eq!(s.balance(guest), before + 800 * UNIT + MIN_BOND);
    assert_eq!(s.read(s.api().property(p)).unwrap().bond, 0);
    // With its bond gone the property takes no bookings until topped up.
    assert_eq!(s.book_at(guest, p, 0, day, 1), Err(Error::BondTooLow));
    assert_eq!(
        s.send(guest, s.api().add_bond(p), 0),
        Err(Error::ZeroAmount)
    );
    assert_eq!(s.send(thin, s.api().add_bond(p), MIN_BOND), Ok(MIN_BOND));
    assert!(s.book_at(guest, p, 0, day, 1).is_ok());
}

#[test]
fn a_stay_is_checked_in_and_settled_to_the_merchant() {
    let mut s = Setup::new();
    let guest = s.world.actor("guest");
    let keeper = s.world.actor("keeper");
    let day = s.today() + 1;
    let id = s.book(guest, day, 2).unwrap();
    assert_eq!(
        s.send(s.merchant, s.api().check_in(id), 0),
        Err(Error::TooEarly)
    );
    s.wait_days(1);
    assert_eq!(
        s.send(guest, s.api().check_in(id), 0),
        Err(Error::NotMerchant)
    );
    assert_eq!(s.send(s.merchant, s.api().check_in(id), 0), Ok(()));
    assert_eq!(
        s.send(s.merchant, s.api().check_in(id), 0),
        Err(Error::WrongStatus)
    );
    assert_eq!(
        s.send(guest, s.api().cancel(id), 0),
        Err(Error::WrongStatus)
    );
    assert_eq!(
        s.send(s.merchant, s.api().merchant_cancel(id), 0),
        Err(Error::WrongStatus)
    );
    s.wait_days(1);
    assert_eq!(s.send(keeper, s.api().settle(id), 0), Err(Error::TooEarly));
    s.wait_days(1);
    let (merchant_before, guest_before) = (s.balance(s.merchant), s.balance(guest));
    assert_eq!(
        s.send(keeper, s.api().settle(id), 0),
        Ok(BookingStatus::Completed)
    );
    assert_eq!(s.balance(s.merchant), merchant_before + 2 * PRICE);
    assert_eq!(s.balance(guest), guest_before);
    assert_eq!(
        s.send(keeper, s.api().settle(id), 0),
        Err(Error::WrongStatus)
    );
    assert_eq!(s.read(s.api().liabilities()).0, 0);
    // The completed stay keeps its nights: it happened.
    assert_eq!([s.booked(day), s.booked(day + 1)], [1, 1]);

    // Check-in is refused once the stay is over.
    let late = s.today() + 1;
    let id = s.book(guest, late, 1).unwrap();
    s.wait_days(2);
    assert_eq!(
        s.send(s.merchant, s.api().check_in(id), 0),
        Err(Error::TooLate)
    );
}

#[test]
fn no_shows_follow_the_policy_and_unrecorded_stays_lapse_to_the_guest() {
    let mut s = Setup::new();
    let guest = s.world.actor("guest");
    let keeper = s.world.actor("keeper");
    let day = s.today() + 1;
    let id = s.book(guest, day, 3).unwrap();
    s.wait_days(1);
    assert_eq!(
        s.send(s.merchant, s.api().mark_no_show(id), 0),
        Err(Error::TooEarly)
    );
    s.wait_days(1);
    assert_eq!(
        s.send(guest, s.api().mark_no_show(id), 0),
        Err(Error::NotMerchant)
    );
    let (merchant_before, guest_before) = (s.balance(s.merchant), s.balance(guest));
    let out = s
        .world
        .chain
        .call(&s.contract(), s.api().mark_no_show(id), &s.merchant, 0)
        .unwrap();
    assert_eq!(out.value, Ok(60 * UNIT), "20 % of 300");
    assert_eq!(s.balance(guest), guest_before + 60 * UNIT);
    assert_eq!(s.balance(s.merchant), merchant_before + 240 * UNIT);
    // The remaining nights (from today on) can be sold again; the past one stays counted.
    assert_eq!(
        [s.booked(day), s.booked(day + 1), s.booked(day + 2)],
        [1, 0, 0]
    );
    assert_eq!(s.status(id), BookingStatus::NoShow);

    let day = s.today() + 1;
    let id = s.book(guest, day, 1).unwrap();
    s.wait_days(2);
    let guest_before = s.balance(guest);
    assert_eq!(
        s.send(keeper, s.api().settle(id), 0),
        Ok(BookingStatus::Lapsed)
    );
    assert_eq!(s.balance(guest), guest_before + PRICE);
    assert_eq!(
        s.send(s.merchant, s.api().mark_no_show(id), 0),
        Err(Error::WrongStatus)
    );
    assert_eq!(s.read(s.api().liabilities()).0, 0);
}

#[test]
fn capacity_never_drops_below_what_is_booked() {
    let mut s = Setup::new();
    let [a, b] = ["a", "b"].map(|n| s.world.actor(n));
    let day = s.today() + 30;
    let (p, r) = (s.property, s.room);
    s.book(a, day, 1).unwrap();
    let second = s.book(b, day, 2).unwrap();
    let m = s.api().update_room_type(p, r, Some(1), None);
    assert_eq!(
        s.send(s.merchant, m, 0),
        Err(Error::CapacityBelowBooked {
            night: day,
            booked: 2
        })
    );
    // A refused change leaves the whole room type as it was, terms included.
    let m = s
        .api()
        .update_room_type(p, r, Some(1), Some(room_terms(2 * PRICE)));
    assert!(s.send(s.merchant, m, 0).is_err());
    let room = s.read(s.api().room_type(p, r)).unwrap();
    assert_eq!((room.capacity, room.terms.price_per_night), (2, PRICE));
    for capacity in [0, reservations::MAX_CAPACITY + 1] {
        let m = s.api().update_room_type(p, r, Some(capacity), None);
        assert_eq!(s.send(s.merchant, m, 0), Err(Error::InvalidCapacity));
    }
    s.send(b, s.api().cancel(second), 0).unwrap();
    let m = s.api().update_room_type(p, r, Some(1), None);
    assert_eq!(s.send(s.merchant, m, 0), Ok(()));
    assert_eq!(s.book(b, day, 1), Err(Error::SoldOut { night: day }));
    let m = s.api().update_room_type(p, r, Some(3), None);
    assert_eq!(s.send(s.merchant, m, 0), Ok(()));
    assert!(s.book(b, day, 1).is_ok());
}

#[test]
fn the_bond_stays_at_the_minimum_while_bookings_are_open() {
    let mut s = Setup::new();
    let guest = s.world.actor("guest");
    let p = s.property;
    let day = s.today() + 10;
    let id = s.book(guest, day, 1).unwrap();
    let m = s.api().withdraw_bond(p, MIN_BOND);
    assert_eq!(s.send(guest, m, 0), Err(Error::NotMerchant));
    let m = s.api().withdraw_bond(p, MIN_BOND + 1);
    assert_eq!(s.send(s.merchant, m, 0), Err(Error::InsufficientBond));
    let m = s.api().withdraw_bond(p, 0);
    assert_eq!(s.send(s.merchant, m, 0), Err(Error::ZeroAmount));
    let before = s.balance(s.merchant);
    let m = s.api().withdraw_bond(p, MIN_BOND);
    assert_eq!(s.send(s.merchant, m, 0), Ok(MIN_BOND));
    assert!(s.balance(s.merchant) > before + MIN_BOND - UNIT);

    s.send(guest, s.api().cancel(id), 0).unwrap();
    let m = s.api().withdraw_bond(p, MIN_BOND + 1);
    assert_eq!(s.send(s.merchant, m, 0), Err(Error::InsufficientBond));
    let m = s.api().withdraw_bond(p, MIN_BOND);
    assert_eq!(s.send(s.merchant, m, 0), Ok(0));
    assert_eq!(s.read(s.api().liabilities()), (0, 0));
}

#[test]
fn only_the_owner_changes_settings() {
    let mut s = Setup::new();
    let owner = s.world.actor("utility");
    let other = s.world.actor("other");
    let settings = Settings {
        min_bond: 2 * MIN_BOND,
        ..s.read(s.api().settings())
    };
    let m = s.api().set_settings(settings);
    assert_eq!(
        s.send(other, m, 0),
        Err(Error::Access(AccessError::NotOwner))
    );
    let m = s.api().propose_owner(other);
    assert_eq!(s.send(owner, m, 0), Ok(()));
    let m = s.api().accept_ownership();
    assert_eq!(s.send(other, m, 0), Ok(()));
    assert_eq!(s.read(s.api().owner()), other);
    let m = s.api().set_settings(settings);
    assert_eq!(s.send(other, m, 0), Ok(()));
    // The property's bond (1 000) still meets the raised minimum; a new one with 500 does not.
    assert_eq!(s.read(s.api().settings()).min_bond, 2 * MIN_BOND);
    let m = s.api().register_property([5; 32], 0, false, 0);
    assert_eq!(s.send(s.merchant, m, MIN_BOND), Err(Error::BondTooLow));
}

/// Shanghai: UTC+8, no summer time.
const SHANGHAI: i16 = 480;
/// New York's standard time: UTC−5.
const NEW_YORK: i16 = -300;

#[test]
fn a_booking_at_half_past_seven_local_for_tonight_reserves_tonight() {
    let mut s = Setup::at(SHANGHAI);
    let guest = s.world.actor("guest");
    // 07:30 in Shanghai is 23:30 of the day before in UTC.
    s.wait_until_local(SHANGHAI, 7, 30);
    let now = s.world.chain.now_ms();
    let tonight = u32::try_from(gridtrust_common::time::local_day(now, SHANGHAI)).unwrap();
    assert_eq!(tonight, s.today() + 1, "the UTC date is still yesterday's");
    // Last night (the UTC date) is over at the hotel and cannot be booked any more.
    assert_eq!(s.book(guest, tonight - 1, 1), Err(Error::InvalidStay));
    assert_eq!(
        s.read(s.api().booking_count()),
        0,
        "a refused stay makes no booking"
    );
    let booking = s.book(guest, tonight, 1).expect("tonight is bookable");
    assert_eq!(s.read(s.api().booking_count()), booking + 1);
    assert_eq!((s.booked(tonight), s.booked(tonight - 1)), (1, 0));
    let b = s.read(s.api().booking(booking)).unwrap();
    assert_eq!(b.terms.check_in, tonight);
    // The front desk checks the guest in this evening, and not before local midnight began it.
    let (m, merchant) = (s.api().check_in(booking), s.merchant);
    s.send(merchant, m, 0)
        .expect("checked in on the local check-in day");
}

#[test]
fn a_cancellation_at_23_59_local_on_the_last_free_day_keeps_its_tier() {
    let mut s = Setup::at(NEW_YORK);
    let guest = s.world.actor("guest");
    s.wait_until_local(NEW_YORK, 12, 0);
    let local_today = |s: &mut Setup| {
        u32::try_from(gridtrust_common::time::local_day(
            s.world.chain.now_ms(),
            NEW_YORK,
        ))
        .unwrap()
    };
    let check_in = local_today(&mut s) + 10;
    let first = s.book(guest, check_in, 1).unwrap();
    let second = s.book(guest, check_in, 1).unwrap();
    // The 50 % tier needs 2 days before check-in: its last day is check-in − 2. At 23:59 in New York
    // it is already 04:59 of check-in − 1 in UTC, which would have counted one day too few.
    s.wait_days(8);
    s.wait_until_local(NEW_YORK, 23, 59);
    assert_eq!(local_today(&mut s), check_in - 2);
    assert_eq!(s.today(), check_in - 1, "the UTC date has turned already");
    let before = s.balance(guest);
    let m = s.api().cancel(first);
    let refund = s.send(guest, m, 0).unwrap();
    assert_eq!(refund, PRICE / 2);
    assert_eq!(s.balance(guest) - before, PRICE / 2);
    // Two minutes later it is the day before check-in at the hotel too: no refund.
    s.wait_ms(2 * MINUTE_MS);
    let m = s.api().cancel(second);
    assert_eq!(s.send(guest, m, 0), Ok(0));
}

#[test]
fn a_property_states_a_real_time_zone() {
    let mut s = Setup::new();
    for (offset, ok) in [(840, true), (-720, true), (841, false), (-841, false)] {
        let m = s.api().register_property([9; 32], 0, false, offset);
        let merchant = s.merchant;
        let got = s.send(merchant, m, MIN_BOND);
        assert_eq!(got.is_ok(), ok, "{offset}: {got:?}");
        if !ok {
            assert_eq!(got, Err(Error::InvalidTerms));
        }
    }
}
