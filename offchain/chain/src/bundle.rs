//! The `.contract` bundles (Wasm code + metadata) that cargo-contract builds.
//!
//! `make contracts` builds every contract under `contracts/` to `<target>/ink/<name>/<name>.contract`,
//! where `<target>` is cargo's target directory. The lookup order for the folder holding them is:
//! `GRIDTRUST_BUNDLES` (a folder laid out like `<target>/ink`), then `$CARGO_TARGET_DIR/ink` at run time,
//! then the target directory this crate was built into, then `<workspace>/target/ink`.

use std::path::{Path, PathBuf};

/// Why a bundle could not be had.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// No file where the bundle should be.
    #[error(
        "contract bundle `{name}` not found at {}: build the contracts first with `make contracts` \
         (or point GRIDTRUST_BUNDLES at a folder holding <name>/<name>.contract)",
        path.display()
    )]
    Missing {
        /// The contract's name.
        name: String,
        /// Where it was looked for.
        path: PathBuf,
    },
    /// The file exists but is not a usable bundle.
    #[error("contract bundle {} could not be loaded: {reason}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        reason: String,
    },
}

/// A loaded contract bundle.
#[derive(Clone)]
pub struct Bundle {
    /// The contract's name, e.g. `attestations`.
    pub name: String,
    /// Where it was loaded from.
    pub path: PathBuf,
    /// The optimized Wasm code.
    pub wasm: Vec<u8>,
}

impl std::fmt::Debug for Bundle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bundle")
            .field("name", &self.name)
            .field("path", &self.path)
            .field("wasm_bytes", &self.wasm.len())
            .finish()
    }
}

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
    bundles_dir().join(name).join(format!("{name}.contract"))
}

impl Bundle {
    /// Loads the bundle of contract `name` from [`bundles_dir`].
    pub fn load(name: &str) -> Result<Self, BundleError> {
        Self::load_from(name, &bundle_path(name))
    }

    /// Loads the bundle of contract `name` from `path`.
    pub fn load_from(name: &str, path: &Path) -> Result<Self, BundleError> {
        if !path.is_file() {
            return Err(BundleError::Missing {
                name: name.to_owned(),
                path: path.to_owned(),
            });
        }
        let loaded =
            drink::session::ContractBundle::load(path).map_err(|e| BundleError::Invalid {
                path: path.to_owned(),
                reason: e.to_string(),
            })?;
        Ok(Self {
            name: name.to_owned(),
            path: path.to_owned(),
            wasm: loaded.wasm,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_bundle_says_how_to_build_it() {
        let err = Bundle::load_from(
            "nonexistent",
            Path::new("/nonexistent/nonexistent.contract"),
        )
        .expect_err("no such file");
        let text = err.to_string();
        assert!(text.contains("`nonexistent` not found"), "{text}");
        assert!(text.contains("make contracts"), "{text}");
    }

    #[test]
    fn a_file_that_is_not_a_bundle_is_reported_as_such() {
        let path = std::env::temp_dir().join(format!(
            "gridtrust-not-a-bundle-{}.contract",
            std::process::id()
        ));
        std::fs::write(&path, b"{ not json").unwrap();
        let err = Bundle::load_from("broken", &path).expect_err("not a bundle");
        std::fs::remove_file(&path).ok();
        assert!(matches!(err, BundleError::Invalid { .. }), "{err}");
    }

    #[test]
    fn every_built_contract_loads() {
        for name in CONTRACTS {
            let bundle = Bundle::load(name).expect("built by `make contracts`");
            assert!(bundle.wasm.starts_with(b"\0asm"), "{name} is not Wasm");
        }
    }
}
