//! The demo on the embedded sandbox chain, in three scenes on one chain:
//! - [`storm`]: every contract deployed and wired, then one storm outage insured, reported by the
//!   oracle committee and paid out automatically;
//! - [`peak`]: the same customers paid for shedding load in a demand-response event, from baselines
//!   and readings anyone can check;
//! - [`hotel`]: an attested hotel takes a booking that cannot be double-sold, a phishing clone cannot
//!   list, and the front desk verifies the guest's confirmation.
pub mod hotel;
pub mod peak;
pub mod storm;

use anyhow::Result;

/// One token: 10¹² of the chain's smallest unit.
pub const UNIT: u128 = 1_000_000_000_000;

fn tokens(amount: u128) -> String {
    format!("{}.{:02}", amount / UNIT, amount % UNIT * 100 / UNIT)
}

/// What the demo ended with, for the report and for tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoOutcome {
    /// The storm scene.
    pub storm: storm::StormOutcome,
    /// The demand-response scene.
    pub peak: peak::PeakOutcome,
    /// The hotel scene.
    pub hotel: hotel::HotelOutcome,
}

/// Runs the demo, printing each step, and returns how it ended.
pub fn run() -> Result<DemoOutcome> {
    let (mut chain, grid, storm) = storm::run()?;
    let peak = peak::run(&mut chain, &grid)?;
    let hotel = hotel::run(&mut chain, &grid)?;
    Ok(DemoOutcome { storm, peak, hotel })
}
