//! README's first command, `gridtrust demo`, run as a test over the sample town: the storm must pay
//! every insured customer by their feeder's outage length (the oracle finding the outages the data was
//! generated with) out of the pool's capital, every payout must check out against its evidence and a
//! doctored copy must not; the peak must pay exactly the subsidy of each customer's
//! reduction and check a reading against its root; the hotel scene must refuse the phishing clone and
//! the double booking, tell a real confirmation from a doctored one, and pay the hotel the whole stay.

use gridtrust::demo::{self, peak::peak_terms, storm::storm_tiers, UNIT};
use gridtrust_common::{demand::subsidy, tiers::payout_for};
use gridtrust_oracle::sample::SampleSpec;
use reservations::{BookingStatus, Error};

#[test]
fn the_demo_pays_the_storm_and_the_peak_and_keeps_the_hotel_honest() {
    let outcome = demo::run().expect("the demo runs");

    let storm = &outcome.storm;
    let feeders: Vec<u32> = storm.outages.iter().map(|o| o.0).collect();
    assert_eq!(feeders.len(), 3);
    for f in [1, 2, 3] {
        assert!(feeders.contains(&f), "feeder {f} out");
    }
    let minutes = |feeder: u32| {
        storm
            .outages
            .iter()
            .find(|o| o.0 == feeder)
            .map_or(0, |o| o.1)
    };
    // Generated lengths 45, 180 and 400 minutes; gasps and restores are within 30 s of the edges.
    for (feeder, generated) in [(1, 45), (2, 180), (3, 400)] {
        assert!((generated - 1..=generated).contains(&minutes(feeder)));
    }
    assert_eq!(storm.payouts.len(), 300);
    let mut paid = 0;
    for (meter, feeder, gained) in &storm.payouts {
        assert_eq!(
            *gained,
            payout_for(&storm_tiers(), minutes(*feeder)),
            "meter {meter}"
        );
        paid += gained;
    }
    // Feeder 1 (45 min) is under the first tier; feeder 2 gets 5, feeder 3 gets 20 per customer.
    assert_eq!(paid, 75 * 5 * UNIT + 75 * 20 * UNIT);
    assert_eq!(storm.capital.0 - storm.capital.1, paid);
    // Every paid customer's payout checks out against the chain and operator-2's evidence; the
    // doctored copy of one customer's evidence does not.
    assert_eq!(storm.verified.len(), 150);
    assert!(
        storm.verified.iter().all(|v| v.1),
        "failed: {:?}",
        storm.verified.iter().filter(|v| !v.1).collect::<Vec<_>>()
    );
    let doctored = storm
        .doctored
        .as_deref()
        .expect("the doctored evidence fails");
    assert!(
        doctored.contains("is not the root the chain keeps"),
        "{doctored}"
    );

    let peak = &outcome.peak;
    assert_eq!(peak.reading_checks, (true, false));
    let terms = peak_terms();
    assert_eq!(peak.payments.len(), 300);
    for (meter, baseline, actual, gained) in &peak.payments {
        let expected = subsidy(
            *baseline,
            *actual,
            terms.rate_per_kwh,
            terms.cap_per_event,
            terms.min_reduction,
        );
        assert_eq!(*gained, expected, "meter {meter}");
        // Those who shed 30 % are well below their baseline and paid; the others stay within the
        // program's 10 % minimum of it and earn nothing, however far a high baseline puts them below.
        if SampleSpec::sheds(*meter) {
            assert!(actual * 10 < baseline * 8 && *gained > 0, "meter {meter}");
        } else {
            assert!(actual * 10 > baseline * 9, "meter {meter}");
            assert_eq!(*gained, 0, "meter {meter}: a dip under the minimum");
        }
    }

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
