//! Chain access for GridTrust's off-chain code.
//!
//! - [`client`]: the [`Chain`] interface every caller uses, whichever chain is behind it.
//! - [`deployment`]: deploying and wiring every contract as a resumable, idempotent journal.
//! - [`bundle`]: finds and loads the `.contract` bundles cargo-contract built.
//! - [`codes`]: what a contract code asks of a chain: the size budget and the host functions it imports.
//! - [`encode`]: turns the contract crates' own call and create builders into call data, so selectors
//!   and argument layouts come from the contracts themselves.
//! - [`events`]: contract events as emitted, and decoding them with the contracts' own event types.
//! - [`grid`]: every contract deployed and wired together (schemas, committee, addresses).
//! - [`lodging`]: the reservations contract next to a grid's attestations, with its two schemas.
//! - [`sandbox`]: the embedded chain — drink's in-process runtime executing the real contract Wasm.
//! - [`node`]: a pallet-contracts node over RPC (subxt): any Substrate chain with the contracts pallet.
//! - [`keys`]: signing keys from secret URIs.
//! - [`launcher`]: starts a local contracts-node for development and the end-to-end tests.
pub mod bundle;
pub mod client;
pub mod codes;
pub mod deployment;
pub mod encode;
pub mod events;
pub mod grid;
pub mod keys;
pub mod launcher;
pub mod lodging;
pub mod node;
pub mod sandbox;

pub use bundle::{Bundle, BundleError};
pub use client::{CallOutcome, Chain, ChainError, CodeHash, Deployed, Weight};
pub use encode::{Constructor, Message};
pub use events::ContractEvent;
pub use grid::{Grid, GridError};
pub use keys::Key;
pub use launcher::LocalNode;
pub use lodging::Lodging;
pub use node::{NodeChain, NodeOptions};
pub use sandbox::{SandboxChain, GENESIS_TIME_MS};

/// Account ids are the same 32 bytes on chain and in ink!.
pub use ink::primitives::AccountId;

/// A deterministic account for a human-readable name (`"alice"`, `"insurer-1"`): blake2-256 of the name.
///
/// Lets sandbox tests and the demo name their actors without key files; nobody holds a key for it, so
/// it can never sign on a real chain (there, [`Chain::actor`] gives named accounts with keys).
pub fn named_account(name: &str) -> AccountId {
    AccountId::from(gridtrust_common::blake2_256(name.as_bytes()))
}

/// `account` in SS58 form (prefix 42, generic Substrate), as wallets and explorers show it.
pub fn ss58(account: &AccountId) -> String {
    use drink::Ss58Codec;
    drink::AccountId32::new(*AsRef::<[u8; 32]>::as_ref(account)).to_ss58check()
}

/// The account an SS58 address (any network prefix) names, if it is one.
pub fn parse_ss58(text: &str) -> Option<AccountId> {
    use drink::Ss58Codec;
    drink::AccountId32::from_ss58check(text.trim())
        .ok()
        .map(|a| AccountId::from(*AsRef::<[u8; 32]>::as_ref(&a)))
}
