//! Deployed contracts the tests of several crates start from.

use gridtrust_chain::{named_account, AccountId, Grid, SandboxChain};

/// A fresh sandbox chain with the grid's contracts deployed by a funded `utility`, and a 2-of-3
/// committee of funded `operator-1..3`.
pub fn committee_grid() -> (SandboxChain, Grid) {
    let mut chain = SandboxChain::new();
    let utility = named_account("utility");
    let operators: Vec<AccountId> = (1..=3)
        .map(|i| named_account(&format!("operator-{i}")))
        .collect();
    for who in operators.iter().chain([&utility]) {
        chain.fund(who, 1 << 100);
    }
    let grid = Grid::deploy(&mut chain, utility, operators, 2)
        .expect("contracts deploy (run `make contracts` first)");
    (chain, grid)
}
