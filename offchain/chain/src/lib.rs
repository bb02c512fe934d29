//! Chain access for GridTrust's off-chain code.
//!
//! - [`bundle`]: finds and loads the `.contract` bundles cargo-contract built.
//! - [`encode`]: turns the contract crates' own call and create builders into call data, so selectors
//!   and argument layouts come from the contracts themselves.
//! - [`events`]: contract events as emitted, and decoding them with the contracts' own event types.
//! - [`grid`]: every contract deployed and wired together (schemas, committee, addresses).
//! - [`lodging`]: the reservations contract next to a grid's attestations, with its two schemas.
//! - [`sandbox`]: the embedded chain — drink's in-process runtime executing the real contract Wasm.
pub mod bundle;
pub mod encode;
pub mod events;
pub mod grid;
pub mod lodging;
pub mod sandbox;

pub use bundle::{Bundle, BundleError};
pub use encode::{Constructor, Message};
pub use events::ContractEvent;
pub use grid::{Grid, GridError};
pub use lodging::Lodging;
pub use sandbox::{CallOutcome, ChainError, Deployed, SandboxChain, GENESIS_TIME_MS};

/// Account ids are the same 32 bytes on chain and in ink!.
pub use ink::primitives::AccountId;

/// A deterministic account for a human-readable name (`"alice"`, `"insurer-1"`): blake2-256 of the name.
///
/// Lets tests and the demo name their actors without key files; never use it for a real chain.
pub fn named_account(name: &str) -> AccountId {
    AccountId::from(gridtrust_common::blake2_256(name.as_bytes()))
}

/// `account` in SS58 form (prefix 42, generic Substrate), as wallets and explorers show it.
pub fn ss58(account: &AccountId) -> String {
    use drink::Ss58Codec;
    drink::AccountId32::new(*AsRef::<[u8; 32]>::as_ref(account)).to_ss58check()
}
