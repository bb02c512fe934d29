//! The `.contract` bundles (Wasm code + metadata) that cargo-contract builds: `cargo contract build`
//! writes contract `<name>` to `<target>/ink/<name>/<name>.contract`, a JSON file whose `source.wasm`
//! is the optimized code in hex.

use std::path::{Path, PathBuf};

/// Why a bundle could not be had.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// No file where the bundle should be.
    #[error(
        "contract bundle `{name}` not found at {}: {how_to_build}",
        path.display()
    )]
    Missing {
        /// The contract's name.
        name: String,
        /// Where it was looked for.
        path: PathBuf,
        /// What builds it, in words.
        how_to_build: String,
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

impl Bundle {
    /// Loads contract `name`'s bundle from `dir` laid out as cargo-contract builds it
    /// (`<dir>/<name>/<name>.contract`, with `dir` being `<target>/ink`).
    pub fn load_in(dir: &Path, name: &str) -> Result<Self, BundleError> {
        Self::load_from(name, &Self::path_in(dir, name))
    }

    /// Where contract `name`'s bundle lies under `dir` (see [`Bundle::load_in`]).
    pub fn path_in(dir: &Path, name: &str) -> PathBuf {
        dir.join(name).join(format!("{name}.contract"))
    }

    /// Loads the bundle of contract `name` from `path`.
    pub fn load_from(name: &str, path: &Path) -> Result<Self, BundleError> {
        if !path.is_file() {
            return Err(BundleError::Missing {
                name: name.to_owned(),
                path: path.to_owned(),
                how_to_build: "build it with `cargo contract build --release` in its crate".into(),
            });
        }
        let invalid = |reason: String| BundleError::Invalid {
            path: path.to_owned(),
            reason,
        };
        let text = std::fs::read_to_string(path).map_err(|e| invalid(e.to_string()))?;
        let json: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| invalid(e.to_string()))?;
        let hex_code = json
            .pointer("/source/wasm")
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| {
                invalid("it has no `source.wasm` (is it a metadata-only file?)".into())
            })?;
        let wasm = hex::decode(hex_code.trim_start_matches("0x"))
            .map_err(|e| invalid(format!("`source.wasm` is not hex: {e}")))?;
        Ok(Self {
            name: name.to_owned(),
            path: path.to_owned(),
            wasm,
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
        assert!(text.contains("cargo contract build"), "{text}");
    }

    #[test]
    fn a_file_that_is_not_a_bundle_is_reported_as_such() {
        let path = std::env::temp_dir().join(format!(
            "contracts-client-not-a-bundle-{}.contract",
            std::process::id()
        ));
        std::fs::write(&path, b"{ not json").unwrap();
        let err = Bundle::load_from("broken", &path).expect_err("not a bundle");
        std::fs::remove_file(&path).ok();
        assert!(matches!(err, BundleError::Invalid { .. }), "{err}");
    }
}
