//! The demo on the embedded sandbox chain.
use anyhow::{Context, Result};
use gridtrust_chain::{named_account, ss58, Grid, SandboxChain};

/// Deploys every contract into a fresh sandbox, wired together, and prints where each landed and how
/// big its code is.
pub fn run() -> Result<()> {
    let mut chain = SandboxChain::new();
    let utility = named_account("utility");
    chain.fund(&utility, 1 << 100);
    let operators: Vec<_> = (1..=3)
        .map(|i| named_account(&format!("operator-{i}")))
        .collect();
    println!(
        "Embedded sandbox chain (drink, pallet-contracts 31); the utility {} deploys,",
        ss58(&utility)
    );
    println!("with a 2-of-3 oracle committee.");
    let grid =
        Grid::deploy(&mut chain, utility, operators, 2).context("deploying the contracts")?;
    println!(
        "{:<18} {:<50} {:>10} {:>16}",
        "contract", "address", "wasm bytes", "deploy ref_time"
    );
    for deployed in grid.contracts() {
        println!(
            "{:<18} {:<50} {:>10} {:>16}",
            deployed.name,
            ss58(&deployed.address),
            deployed.code_bytes,
            deployed.weight.ref_time()
        );
    }
    println!("meter-holder schema: {}", grid.meter_schema);
    Ok(())
}
