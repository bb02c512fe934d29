//! The hotel's and the guest's command handlers on the real reservations Wasm in the sandbox: a
//! verified hotel registers and lists a room type from a terms file, a guest quotes and books the
//! last room, a second guest is refused (sold out), a phishing clone cannot register, a doctored
//! confirmation fails the check, and the guest cancels for the refund the terms promised.

use gridtrust::lodging::{terms, Desk, Listing};
use gridtrust_chain::Lodging;
use gridtrust_tests::{fixtures::funded, refusal, DAY_MS, UNIT};
use reservations::BookingStatus;

mod support;

use support::Stage;

#[test]
fn a_hotel_lists_rooms_and_guests_book_the_last_one_once() {
    let mut stage = Stage::new();
    let names = [
        "tourism-board",
        "kyc-provider",
        "hotel",
        "clone",
        "eva",
        "farid",
    ];
    let [board, kyc, hotel, clone, eva, farid] = funded(&mut stage.chain, names, 10_000);
    let lodging = Lodging::deploy(
        &mut stage.chain,
        stage.grid.attestations.address,
        stage.grid.utility,
        board,
        kyc,
        100 * UNIT,
    )
    .unwrap();
    lodging.attest_merchant(&mut stage.chain, hotel).unwrap();
    stage.contracts.reservations = Some(lodging.reservations.address);

    let listing = |details_hash, compensation_bps| Listing {
        details_hash,
        compensation_bps,
        requires_real_name: false,
        utc_offset: 0,
    };
    let err = stage
        .by(clone)
        .register_property(&listing([0; 32], 0), 100 * UNIT)
        .unwrap_err();
    assert_eq!(refusal(err), "NotVerifiedMerchant");
    let property = stage
        .by(hotel)
        .register_property(&listing([1; 32], 1_000), 100 * UNIT)
        .unwrap();
    let room_terms = terms::parse(
        "price_per_night = \"80\"\n[[refund]]\ndays_before = 7\npercent = 100\n[[refund]]\ndays_before = 1\npercent = 50\n",
        std::path::Path::new("."),
    )
    .unwrap();
    let room = stage.by(hotel).add_room(property, 1, room_terms).unwrap();

    let today = u32::try_from(stage.chain.now_ms() / DAY_MS).unwrap();
    let check_in = today + 10;
    let q = stage
        .by(eva)
        .stay_quote(property, room, check_in, 2)
        .unwrap();
    assert_eq!((q.terms.amount, q.available), (160 * UNIT, 1));
    let booking = stage.by(eva).book(&q).unwrap();
    let q2 = stage
        .by(farid)
        .stay_quote(property, room, check_in, 2)
        .unwrap();
    assert_eq!(q2.available, 0);
    let err = stage.by(farid).book(&q2).unwrap_err();
    assert!(refusal(err).starts_with("SoldOut"));

    assert_eq!(
        stage
            .by(hotel)
            .verify_booking(booking, eva, q.terms_hash)
            .unwrap(),
        BookingStatus::Booked
    );
    let mut doctored = q.terms_hash;
    doctored[0] ^= 1;
    let err = stage
        .by(hotel)
        .verify_booking(booking, eva, doctored)
        .unwrap_err();
    assert_eq!(refusal(err), "TermsMismatch");
    let err = stage.by(clone).desk(booking, Desk::CheckIn).unwrap_err();
    assert_eq!(refusal(err), "NotMerchant");
    let err = stage.by(hotel).desk(booking, Desk::CheckIn).unwrap_err();
    assert_eq!(refusal(err), "TooEarly");

    // Ten days ahead: the full refund.
    let before = stage.chain.balance(&eva);
    assert_eq!(stage.by(eva).cancel_booking(booking).unwrap(), 160 * UNIT);
    assert_eq!(stage.chain.balance(&eva) - before, 160 * UNIT);
    assert_eq!(
        stage
            .by(farid)
            .stay_quote(property, room, check_in, 2)
            .unwrap()
            .available,
        1,
        "the nights are free again"
    );
}
