//! The hotel's and the guest's command handlers on the real reservations Wasm in the sandbox: a
//! verified hotel registers and lists a room type from a terms file, a guest quotes and books the
//! last room, a second guest is refused (sold out), a phishing clone cannot register, a doctored
//! confirmation fails the check, and the guest cancels for the refund the terms promised.

use gridtrust::lodging::{
    add_room, book, cancel, desk, quote, register, terms, verify, Desk, Listing,
};
use gridtrust_chain::Lodging;
use gridtrust_tests::{
    fixtures::{committee_grid, funded},
    refusal, DAY_MS, UNIT,
};
use reservations::BookingStatus;

#[test]
fn a_hotel_lists_rooms_and_guests_book_the_last_one_once() {
    let (mut chain, grid) = committee_grid();
    let names = [
        "tourism-board",
        "kyc-provider",
        "hotel",
        "clone",
        "eva",
        "farid",
    ];
    let [board, kyc, hotel, clone, eva, farid] = funded(&mut chain, names, 10_000);
    let lodging = Lodging::deploy(
        &mut chain,
        grid.attestations.address,
        grid.utility,
        board,
        kyc,
        100 * UNIT,
    )
    .unwrap();
    lodging.attest_merchant(&mut chain, hotel).unwrap();
    let mut contracts = grid.contracts();
    contracts.reservations = Some(lodging.reservations.address);

    let listing = |details_hash, compensation_bps| Listing {
        details_hash,
        compensation_bps,
        requires_real_name: false,
        utc_offset: 0,
    };
    let err = register(
        &mut chain,
        &contracts,
        &clone,
        &listing([0; 32], 0),
        100 * UNIT,
    )
    .unwrap_err();
    assert_eq!(refusal(err), "NotVerifiedMerchant");
    let property = register(
        &mut chain,
        &contracts,
        &hotel,
        &listing([1; 32], 1_000),
        100 * UNIT,
    )
    .unwrap();
    let room_terms = terms::parse(
        "price_per_night = \"80\"\n[[refund]]\ndays_before = 7\npercent = 100\n[[refund]]\ndays_before = 1\npercent = 50\n",
        std::path::Path::new("."),
    )
    .unwrap();
    let room = add_room(&mut chain, &contracts, &hotel, property, 1, room_terms).unwrap();

    let today = u32::try_from(chain.now_ms() / DAY_MS).unwrap();
    let check_in = today + 10;
    let q = quote(&mut chain, &contracts, &eva, property, room, check_in, 2).unwrap();
    assert_eq!((q.terms.amount, q.available), (160 * UNIT, 1));
    let booking = book(&mut chain, &contracts, &eva, &q).unwrap();
    let q2 = quote(&mut chain, &contracts, &farid, property, room, check_in, 2).unwrap();
    assert_eq!(q2.available, 0);
    let err = book(&mut chain, &contracts, &farid, &q2).unwrap_err();
    assert!(refusal(err).starts_with("SoldOut"));

    assert_eq!(
        verify(&mut chain, &contracts, &hotel, booking, eva, q.terms_hash).unwrap(),
        BookingStatus::Booked
    );
    let mut doctored = q.terms_hash;
    doctored[0] ^= 1;
    let err = verify(&mut chain, &contracts, &hotel, booking, eva, doctored).unwrap_err();
    assert_eq!(refusal(err), "TermsMismatch");
    let err = desk(&mut chain, &contracts, &clone, booking, Desk::CheckIn).unwrap_err();
    assert_eq!(refusal(err), "NotMerchant");
    let err = desk(&mut chain, &contracts, &hotel, booking, Desk::CheckIn).unwrap_err();
    assert_eq!(refusal(err), "TooEarly");

    // Ten days ahead: the full refund.
    let before = chain.balance(&eva);
    assert_eq!(
        cancel(&mut chain, &contracts, &eva, booking).unwrap(),
        160 * UNIT
    );
    assert_eq!(chain.balance(&eva) - before, 160 * UNIT);
    assert_eq!(
        quote(&mut chain, &contracts, &farid, property, room, check_in, 2)
            .unwrap()
            .available,
        1,
        "the nights are free again"
    );
}
