//! The GridTrust contracts on a chain, through [`contracts_client`] (re-exported here, so callers need
//! one crate).
//!
//! - [`addresses`]: where the contracts are ([`Contracts`]), from a grid or a manifest.
//! - [`bundles`]: where the contract bundles are, and deploying one by name.
//! - [`deployment`]: deploying and wiring every contract as a resumable, idempotent journal; the
//!   [`Manifest`] it keeps says where the contracts are.
//! - [`grid`]: the insurance and demand-response contracts wired to the attestations and committee.
//! - [`lodging`]: the reservations contract next to a grid's attestations, with its two schemas.
//! - [`refusal`]: the four contracts' refusals as one type, and a call's outcome as a `Result`.
//! - [`sizing`]: how many items a batched call may carry, from the chain's own limits.
//! - [`units`]: token amounts (`UNIT`) and how the tools show them.
//! - [`codes`]: what a contract code asks of a chain: the size budget and the host functions it imports.
pub mod addresses;
pub mod bundles;
pub mod codes;
pub mod deployment;
pub mod grid;
pub mod lodging;
pub mod refusal;
pub mod sizing;
pub mod units;

pub use addresses::Contracts;
pub use bundles::DeployNamed;
pub use contracts_client::*;
pub use deployment::Manifest;
pub use grid::{Grid, GridError};
pub use lodging::Lodging;
pub use refusal::{Answer, CallError, ContractError};
