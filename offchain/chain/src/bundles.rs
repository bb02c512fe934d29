//! Where GridTrust's contract bundles are, and deploying one by name.
//!
//! `make contracts` builds every contract under `contracts/` to `<target>/ink/<name>/<name>.contract`,
//! where `<target>` is cargo's target directory. The lookup order for the folder holding them is:
//! `GRIDTRUST_BUNDLES` (a folder laid out like `<target>/ink`), then `$CARGO_TARGET_DIR/ink` at run time,
//! then the target directory this crate was built into, then `<workspace>/target/ink`.

use std::path::{Path, PathBuf};

use contracts_client::{Bundle, BundleError, Chain, ChainError, Constructor, Deployed};
use ink::primitives::AccountId;

/// Every contract the workspace builds, in deployment order.
pub const CONTRACTS: &[&str] = &[
    "attestations",
    "demand_response",
    "outage_insurance",
    "reservations",
];

/// The folder bundles are looked up in (see the module docs for the order).
pub fn bundles_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("GRIDTRUST_BUNDLES") {
        return PathBuf::from(dir);
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        return Path::new(&target).join("ink");
    }
    if let Some(target) = option_env!("CARGO_TARGET_DIR") {
        return Path::new(target).join("ink");
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/ink")
}

/// Where the bundle of contract `name` is expected.
pub fn bundle_path(name: &str) -> PathBuf {
    Bundle::path_in(&bundles_dir(), name)
}

/// Loads the bundle of contract `name` from [`bundles_dir`].
pub fn load(name: &str) -> Result<Bundle, BundleError> {
    load_in(&bundles_dir(), name)
}

/// The messages of contract `name` by selector, as its bundle's metadata names them (`spec.messages`);
/// `None` when the bundle is not at hand or is not readable (a node-only install may have none).
pub fn message_labels(name: &str) -> Option<Vec<([u8; 4], String)>> {
    let text = std::fs::read_to_string(bundle_path(name)).ok()?;
    let bundle: serde_json::Value = serde_json::from_str(&text).ok()?;
    let labels = bundle["spec"]["messages"]
        .as_array()?
        .iter()
        .filter_map(|m| {
            let hex = m["selector"].as_str()?.strip_prefix("0x")?;
            let selector = <[u8; 4]>::try_from(hex::decode(hex).ok()?).ok()?;
            Some((selector, m["label"].as_str()?.to_owned()))
        })
        .collect();
    Some(labels)
}

/// Loads contract `name`'s bundle from `dir`; a missing one is reported with how GridTrust builds it.
fn load_in(dir: &Path, name: &str) -> Result<Bundle, BundleError> {
    Bundle::load_in(dir, name).map_err(|e| match e {
        BundleError::Missing { name, path, .. } => BundleError::Missing {
            name,
            path,
            how_to_build: "build the contracts first with `make contracts` (or point \
                           GRIDTRUST_BUNDLES at a folder holding <name>/<name>.contract)"
                .into(),
        },
        other => other,
    })
}

/// Deploying a GridTrust contract by its name, on any chain.
pub trait DeployNamed: Chain {
    /// Loads bundle `name` and deploys it as `actor` (see [`Chain::deploy`]).
    fn deploy_named(
        &mut self,
        name: &str,
        constructor: impl Into<Constructor>,
        actor: &AccountId,
    ) -> Result<Deployed, ChainError> {
        let bundle = load(name)?;
        self.deploy(&bundle, constructor, actor, 0)
    }
}

impl<C: Chain> DeployNamed for C {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_bundle_says_how_to_build_it() {
        let missing = std::env::temp_dir().join("gridtrust-no-bundles-here");
        let err = load_in(&missing, "nonexistent")
            .expect_err("no such file")
            .to_string();
        assert!(err.contains("`nonexistent` not found"), "{err}");
        assert!(err.contains("make contracts"), "{err}");
    }

    #[test]
    fn every_built_contract_loads() {
        for name in CONTRACTS {
            let bundle = load(name).expect("built by `make contracts`");
            assert!(bundle.wasm.starts_with(b"\0asm"), "{name} is not Wasm");
        }
    }
}
