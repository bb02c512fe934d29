//! README's first command, `gridtrust demo`, run as a test: the storm must pay exactly the covered
//! customers on the hit feeder, by the 4-hour tier, out of the pool's capital; the peak must pay each
//! customer the subsidy for their reduction and check a reading against its root; the hotel scene must
//! refuse the phishing clone and the double booking, tell a real confirmation from a doctored one, and
//! pay the hotel the whole stay.

use gridtrust::demo::{self, UNIT};
use reservations::{BookingStatus, Error};

#[test]
fn the_demo_pays_the_storm_and_the_peak_and_keeps_the_hotel_honest() {
    let outcome = demo::run().expect("the demo runs");
    let storm = &outcome.storm;
    for (name, feeder, gained) in &storm.payouts {
        let expected = if *feeder == 1 { 20 * UNIT } else { 0 };
        assert_eq!(*gained, expected, "{name} on feeder {feeder}");
    }
    let paid: u128 = storm.payouts.iter().map(|(_, _, g)| g).sum();
    assert_eq!(paid, 60 * UNIT);
    assert_eq!(storm.capital.0 - storm.capital.1, paid);

    let peak = &outcome.peak;
    assert_eq!(peak.reading_checks, (true, false));
    for (name, baseline, actual, paid) in &peak.payments {
        let expected = gridtrust_common::demand::subsidy(*baseline, *actual, UNIT / 2, 5 * UNIT);
        assert_eq!(*paid, expected, "{name}");
    }
    // Anna and Chen shed load and are paid; Ben used more than his baseline and is not.
    let paid: Vec<bool> = peak.payments.iter().map(|p| p.3 > 0).collect();
    assert_eq!(paid, [true, false, true]);

    let hotel = &outcome.hotel;
    assert_eq!(hotel.clone_refused, Some(Error::NotVerifiedMerchant));
    assert!(matches!(
        hotel.second_guest_refused,
        Some(Error::SoldOut { .. })
    ));
    assert_eq!(
        hotel.front_desk,
        (Ok(BookingStatus::Booked), Err(Error::TermsMismatch))
    );
    assert_eq!(hotel.hotel_paid, 160 * UNIT);
}
