//! The demo on the embedded sandbox chain.
use anyhow::{Context, Result};
use gridtrust_chain::{bundle, Bundle, SandboxChain};

/// Deploys every contract into a fresh sandbox and prints where each landed and how big its code is.
pub fn run() -> Result<()> {
    let mut chain = SandboxChain::new();
    let deployer = SandboxChain::default_actor();
    println!(
        "Embedded sandbox chain (drink, pallet-contracts 31), deploying as {}",
        gridtrust_chain::ss58(&deployer)
    );
    println!(
        "{:<16} {:<50} {:>10} {:>16}",
        "contract", "address", "wasm bytes", "deploy ref_time"
    );
    for name in bundle::CONTRACTS {
        let bundle = Bundle::load(name)?;
        let deployed = match *name {
            "attestations" => {
                chain.deploy(&bundle, attestations::AttestationsRef::new(), &deployer, 0)
            }
            other => unreachable!("no constructor wired for `{other}`"),
        }
        .with_context(|| format!("deploying `{name}`"))?;
        println!(
            "{:<16} {:<50} {:>10} {:>16}",
            deployed.name,
            gridtrust_chain::ss58(&deployed.address),
            deployed.code_bytes,
            deployed.weight.ref_time()
        );
    }
    Ok(())
}
