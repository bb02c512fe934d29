//! A client for ink! contracts on pallet-contracts chains. It knows nothing of any particular
//! contract: calls are built by the contract crates' own builders and answers decode into their own
//! types.
//!
//! - [`client`]: the [`Chain`] interface every caller uses, whichever chain is behind it.
//! - [`node`]: a pallet-contracts node over RPC (subxt): any Substrate chain with the contracts pallet.
//! - `sandbox` (feature `sandbox`): the embedded chain, drink's in-process runtime executing the
//!   real contract Wasm.
//! - [`bundle`]: loads the `.contract` bundles cargo-contract builds.
//! - [`encode`]: turns the contract crates' own call and create builders into call data, so selectors
//!   and argument layouts come from the contracts themselves.
//! - [`events`]: contract events as emitted, and decoding them with the contracts' own event types.
//! - [`keys`]: signing keys from secret URIs.
//! - [`launcher`]: starts a local gridtrust-node dev chain for development and end-to-end tests.
pub mod bundle;
pub mod client;
pub mod encode;
pub mod events;
pub mod keys;
pub mod launcher;
pub mod node;
#[cfg(feature = "sandbox")]
pub mod sandbox;

pub use bundle::{Bundle, BundleError};
pub use client::{
    code_hash, CallOutcome, Chain, ChainError, CodeHash, Deployed, Effects, Instantiation, Request,
    Weight,
};
pub use encode::{call_builder, Constructor, Message};
pub use events::ContractEvent;
pub use keys::Key;
pub use launcher::LocalNode;
pub use node::{
    BlockLimits, BlockRef, BlockState, Confirm, Finality, Heads, NodeChain, NodeOptions, Preview,
    RuntimeEvent,
};
#[cfg(feature = "sandbox")]
pub use sandbox::{SandboxChain, GENESIS_TIME_MS};

/// Account ids are the same 32 bytes on chain and in ink!.
pub use ink::primitives::AccountId;

/// blake2-256 of `input`, the hash pallet-contracts keys code by.
pub fn blake2_256(input: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    ink::env::hash_bytes::<ink::env::hash::Blake2x256>(input, &mut out);
    out
}

/// A deterministic account for a human-readable name (`"alice"`, `"insurer-1"`): blake2-256 of the name.
///
/// Lets sandbox tests and demos name their actors without key files; nobody holds a key for it, so
/// it can never sign on a real chain (there, [`Chain::actor`] gives named accounts with keys).
pub fn named_account(name: &str) -> AccountId {
    AccountId::from(blake2_256(name.as_bytes()))
}

/// `account` in SS58 form (prefix 42, generic Substrate), as wallets and explorers show it.
pub fn ss58(account: &AccountId) -> String {
    subxt::utils::AccountId32(*AsRef::<[u8; 32]>::as_ref(account)).to_string()
}

/// The account an SS58 address (any network prefix) names, if it is one.
pub fn parse_ss58(text: &str) -> Option<AccountId> {
    text.trim()
        .parse::<subxt::utils::AccountId32>()
        .ok()
        .map(|a| AccountId::from(a.0))
}
