//! What the role tests share: the stage they act on; and what the scenarios on real nodes share.

// Each test file is its own crate and uses a part of this module.
#![allow(dead_code)]

pub mod phases;
pub mod served;

use gridtrust::actor::Actor;
use gridtrust_chain::{AccountId, Contracts, Grid, SandboxChain};
use gridtrust_tests::fixtures::committee_grid;

/// The grid on a fresh sandbox chain (see `committee_grid`), where each step of a role's work reads as
/// one line: `stage.by(alice).opt_out(event, 1001)`.
pub struct Stage {
    /// The sandbox chain.
    pub chain: SandboxChain,
    /// The grid's contracts and accounts.
    pub grid: Grid,
    /// Where the contracts are, as the commands' actions take it.
    pub contracts: Contracts,
}

impl Stage {
    /// A fresh stage.
    pub fn new() -> Self {
        let (chain, grid) = committee_grid();
        let contracts = grid.contracts();
        Self {
            chain,
            grid,
            contracts,
        }
    }

    /// `who` acting on the stage's contracts, as the command line's handlers do.
    pub fn by(&mut self, who: AccountId) -> Actor<'_, SandboxChain> {
        Actor::new(&mut self.chain, &self.contracts, who)
    }
}
