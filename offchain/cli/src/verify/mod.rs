//! `gridtrust verify …`: what a customer, an insurer or a regulator checks against the chain with the
//! shared rules, needing no operator's trust.

mod payout;

use anyhow::Result;

pub use self::payout::{payout_json, payout_lines, PayoutCommand};

/// Check data on the chain against evidence.
#[derive(Debug, clap::Subcommand)]
pub enum VerifyCommand {
    /// Check a meter's outage payouts: fetch each outage's evidence (an operator's store or a file of
    /// events), prove it against the root on chain, recompute the minutes with the shared outage
    /// rule and the payout with the pool's tiers, and compare with what was paid. Exits non-zero on
    /// the first mismatch.
    Payout(PayoutCommand),
}

impl VerifyCommand {
    /// Runs the subcommand.
    pub fn run(&self) -> Result<()> {
        match self {
            Self::Payout(c) => c.run(),
        }
    }
}
