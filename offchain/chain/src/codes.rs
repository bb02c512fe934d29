//! What a contract code asks of the chain that runs it: room for its bytes and the host functions it
//! imports.
//!
//! **Size.** Every call loads its contract's whole code: the weight of a call grows with the code's
//! size, and on a parachain the code travels in the block's proof. So each optimized code stays within
//! [`MAX_CODE_BYTES`], checked by a test over the built bundles; sizes are kept down by ordinary means
//! (no duplicated logic, small helper types), never by splitting a contract over several codes.
//!
//! **Host functions.** pallet-contracts exposes host functions by module (`seal0`, `seal1`, `seal2`:
//! newer versions of the same function) and name, and a chain accepts a code only when it provides
//! every function the code imports. [`HOST_FUNCTIONS`] says, for each function an ink! 5.1 code may
//! import, the first polkadot-sdk release whose pallet-contracts offers it as stable, read from each
//! release's `src/wasm/runtime.rs` (`#[version(N)]` is module `sealN`; `#[unstable]` functions only run
//! on chains that enable unstable interfaces, which no production chain does). From a code's imports,
//! [`oldest_release`] gives the oldest release able to run it.

use std::fmt;

/// The most bytes one contract's optimized Wasm code may have (64 KiB).
pub const MAX_CODE_BYTES: usize = 64 * 1024;

/// A polkadot-sdk release line, by its `1.x` minor number, or a function no release offers as stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Release {
    /// polkadot-sdk `v1.<minor>.0`, whose pallet-contracts is `<minor + 21>.0.0`.
    V1(u8),
    /// Unstable in every release up to v1.10.0 (pallet-contracts 31): only on chains that enable
    /// unstable interfaces.
    Unstable,
}

impl fmt::Display for Release {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Release::V1(minor) => write!(f, "polkadot-sdk v1.{minor}.0"),
            Release::Unstable => f.write_str("unstable interface only"),
        }
    }
}

impl Release {
    /// The pallet-contracts crate version of this release, e.g. `29.0.0` for v1.8.0.
    pub fn pallet_contracts(&self) -> Option<String> {
        match self {
            Release::V1(minor) => Some(format!("{}.0.0", u16::from(*minor) + 21)),
            Release::Unstable => None,
        }
    }
}

/// Every host function ink! 5.1 (pallet-contracts-uapi 9) can import: (module, name, first release
/// offering it as stable). `V1(0)` means it was there before polkadot-sdk's first release, so every
/// release has it.
pub const HOST_FUNCTIONS: &[(&str, &str, Release)] = &[
    ("seal0", "account_reentrance_count", Release::Unstable),
    ("seal0", "address", Release::V1(0)),
    ("seal0", "balance", Release::V1(0)),
    ("seal0", "block_number", Release::V1(0)),
    ("seal0", "call", Release::V1(0)),
    ("seal0", "call_chain_extension", Release::V1(0)),
    ("seal0", "call_runtime", Release::V1(0)),
    ("seal0", "caller", Release::V1(0)),
    ("seal0", "caller_is_origin", Release::V1(0)),
    ("seal0", "caller_is_root", Release::V1(8)),
    ("seal0", "clear_storage", Release::V1(0)),
    ("seal0", "code_hash", Release::V1(0)),
    ("seal0", "contains_storage", Release::V1(0)),
    ("seal0", "debug_message", Release::V1(0)),
    ("seal0", "delegate_call", Release::V1(0)),
    ("seal0", "deposit_event", Release::V1(0)),
    ("seal0", "ecdsa_recover", Release::V1(0)),
    ("seal0", "ecdsa_to_eth_address", Release::V1(0)),
    ("seal0", "gas_left", Release::V1(0)),
    ("seal0", "get_storage", Release::V1(0)),
    ("seal0", "hash_blake2_128", Release::V1(0)),
    ("seal0", "hash_blake2_256", Release::V1(0)),
    ("seal0", "hash_keccak_256", Release::V1(0)),
    ("seal0", "hash_sha2_256", Release::V1(0)),
    ("seal0", "input", Release::V1(0)),
    ("seal0", "instantiation_nonce", Release::V1(0)),
    ("seal0", "is_contract", Release::V1(0)),
    ("seal0", "lock_delegate_dependency", Release::V1(9)),
    ("seal0", "minimum_balance", Release::V1(0)),
    ("seal0", "now", Release::V1(0)),
    ("seal0", "own_code_hash", Release::V1(0)),
    ("seal0", "reentrance_count", Release::Unstable),
    ("seal0", "seal_return", Release::V1(0)),
    ("seal0", "set_code_hash", Release::V1(0)),
    ("seal0", "set_storage", Release::V1(0)),
    ("seal0", "sr25519_verify", Release::V1(7)),
    ("seal0", "take_storage", Release::V1(0)),
    ("seal0", "terminate", Release::V1(0)),
    ("seal0", "transfer", Release::V1(0)),
    ("seal0", "unlock_delegate_dependency", Release::V1(9)),
    ("seal0", "value_transferred", Release::V1(0)),
    ("seal0", "weight_to_fee", Release::V1(0)),
    ("seal0", "xcm_execute", Release::Unstable),
    ("seal0", "xcm_send", Release::Unstable),
    ("seal1", "call", Release::V1(0)),
    ("seal1", "clear_storage", Release::V1(0)),
    ("seal1", "contains_storage", Release::V1(0)),
    ("seal1", "gas_left", Release::Unstable),
    ("seal1", "get_storage", Release::V1(0)),
    ("seal1", "instantiate", Release::V1(0)),
    ("seal1", "set_storage", Release::V1(0)),
    ("seal1", "terminate", Release::V1(0)),
    ("seal1", "weight_to_fee", Release::Unstable),
    ("seal2", "call", Release::V1(8)),
    ("seal2", "instantiate", Release::V1(8)),
    ("seal2", "set_storage", Release::V1(0)),
];

/// One function a code imports.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Import {
    /// The import module, `seal0`, `seal1` or `seal2` for host functions.
    pub module: String,
    /// The function's name.
    pub name: String,
}

impl fmt::Display for Import {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}::{}", self.module, self.name)
    }
}

impl Import {
    /// The first release offering this function as stable; `None` when [`HOST_FUNCTIONS`] does not
    /// know it (not a pallet-contracts host function ink! 5.1 uses).
    pub fn since(&self) -> Option<Release> {
        HOST_FUNCTIONS
            .iter()
            .find(|(module, name, _)| *module == self.module && *name == self.name)
            .map(|(.., since)| *since)
    }
}

/// The functions `wasm` imports (the memory import, which every code has, left out), sorted.
pub fn imports(wasm: &[u8]) -> Result<Vec<Import>, wasmparser::BinaryReaderError> {
    let mut found = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        if let wasmparser::Payload::ImportSection(section) = payload? {
            for import in section {
                let import = import?;
                if matches!(import.ty, wasmparser::TypeRef::Func(_)) {
                    found.push(Import {
                        module: import.module.to_owned(),
                        name: import.name.to_owned(),
                    });
                }
            }
        }
    }
    found.sort();
    Ok(found)
}

/// The oldest release that provides every one of `imports` as stable; `Err` names an import that is
/// not a known host function.
pub fn oldest_release(imports: &[Import]) -> Result<Release, Import> {
    let mut oldest = Release::V1(0);
    for import in imports {
        oldest = oldest.max(import.since().ok_or_else(|| import.clone())?);
    }
    Ok(oldest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn import(module: &str, name: &str) -> Import {
        Import {
            module: module.into(),
            name: name.into(),
        }
    }

    #[test]
    fn the_newest_import_decides_the_release() {
        let v1 = [import("seal1", "call"), import("seal0", "caller")];
        assert_eq!(oldest_release(&v1), Ok(Release::V1(0)));
        let v2 = [import("seal2", "call"), import("seal0", "caller")];
        assert_eq!(oldest_release(&v2), Ok(Release::V1(8)));
        let unknown = [import("env", "memcpy")];
        assert_eq!(oldest_release(&unknown), Err(import("env", "memcpy")));
        assert_eq!(Release::V1(8).to_string(), "polkadot-sdk v1.8.0");
        assert_eq!(Release::V1(8).pallet_contracts().as_deref(), Some("29.0.0"));
    }

    #[test]
    fn imports_are_read_from_the_import_section() {
        // (module (import "seal0" "caller" (func (param i32 i32))) (import "env" "memory" (memory 1)))
        let wasm = [
            0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
            0x01, 0x06, 0x01, 0x60, 0x02, 0x7f, 0x7f, 0x00, // type section: (i32, i32) -> ()
            0x02, 0x1e, 0x02, // import section, 2 imports
            0x05, b's', b'e', b'a', b'l', b'0', 0x06, b'c', b'a', b'l', b'l', b'e', b'r', 0x00,
            0x00, 0x03, b'e', b'n', b'v', 0x06, b'm', b'e', b'm', b'o', b'r', b'y', 0x02, 0x00,
            0x01,
        ];
        assert_eq!(imports(&wasm).unwrap(), vec![import("seal0", "caller")]);
    }
}
