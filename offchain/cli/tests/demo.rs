//! README's first command, `gridtrust demo`, run as a test: the storm must pay exactly the covered
//! customers on the hit feeder, by the 4-hour tier, out of the pool's capital.

use gridtrust::demo::{self, UNIT};

#[test]
fn the_demo_pays_the_storm_by_tier_and_only_on_the_hit_feeder() {
    let outcome = demo::run().expect("the demo runs");
    for (name, feeder, gained) in &outcome.payouts {
        let expected = if *feeder == 1 { 20 * UNIT } else { 0 };
        assert_eq!(*gained, expected, "{name} on feeder {feeder}");
    }
    let paid: u128 = outcome.payouts.iter().map(|(_, _, g)| g).sum();
    assert_eq!(paid, 60 * UNIT);
    assert_eq!(outcome.capital.0 - outcome.capital.1, paid);
}
