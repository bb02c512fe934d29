//! Building blocks shared by the GridTrust contracts and by the off-chain code that talks to them.
//!
//! Everything here compiles to `no_std` for the contracts and to `std` for the oracle, the CLI and the
//! tests, so a rule both sides must agree on (how a report is counted, how a Merkle leaf is hashed, how
//! a claim hash is built) exists exactly once.
//!
//! - [`access`]: a contract's owner, handed over in two steps (feature `access`).
//! - [`roles`]: named roles the owner grants (feature `roles`).
//! - [`committee`]: the k-of-n oracle committee that turns operators' votes into final reports and
//!   changes only by its own vote (feature `committee`).
//! - [`meter_holders`]: the meter-holder check outage insurance and demand response share (feature
//!   `meter-holders`).
//! - [`owed`]: payments the chain refused, kept for their payee to claim (feature `owed`).
//! - [`merkle`]: positional blake2-256 Merkle trees, proofs and their verification.
//! - [`claims`]: salted claim fields, the claim hash an attestation stores and disclosure leaves.
//! - [`verifier`]: the cross-contract interface "does this subject hold a valid attestation?".
//! - [`math`]: overflow-free `a * b / c` for shares and pro-rata payments.
//! - [`tiers`]: parametric payout schedules and outage report ids.
//! - [`outage`]: the outage rule (meter events → feeder outages), its evidence and the event leaf.
//! - [`time`]: minutes, hours and days in milliseconds, the chain clock's unit, and a place's local day.
//! - [`calendar`]: a program's public holidays and worked weekend days.
//! - [`refunds`]: cancellation refund schedules for bookings.
//! - [`baseline`]: the demand-response customer baseline (highest X of Y days, capped day-of adjustment).
//! - [`demand`]: demand-response subsidy, pro-rata scaling and the interval-reading Merkle leaf.
//!
//! The modules that define events are behind cargo features: ink! lists in a contract's metadata every
//! event linked into its Wasm, so each contract enables only the modules it uses and its metadata names
//! only the events it can emit.
#![cfg_attr(not(feature = "std"), no_std)]

#[cfg(feature = "access")]
pub mod access;
pub mod baseline;
pub mod calendar;
pub mod claims;
#[cfg(feature = "committee")]
pub mod committee;
pub mod demand;
pub mod math;
pub mod merkle;
#[cfg(feature = "meter-holders")]
pub mod meter_holders;
pub mod outage;
#[cfg(feature = "owed")]
pub mod owed;
pub mod refunds;
#[cfg(feature = "roles")]
pub mod roles;
pub mod tiers;
pub mod time;
pub mod verifier;

/// Declares a product contract's `Error` enum: the contract's own variants, then the refusals that
/// reservations, demand response and outage insurance share, written here once so that each means the
/// same in every contract (and decoders can rely on their names).
#[cfg(feature = "access")]
#[macro_export]
macro_rules! contract_error {
    ($(#[$attr:meta])* pub enum $name:ident { $($own:tt)* }) => {
        $(#[$attr])*
        pub enum $name {
            $($own)*
            /// An owner-only message called by someone else, or a role missing.
            Access($crate::access::AccessError),
            /// The attestations contract could not be asked.
            AttestationsUnavailable,
            /// Nothing was sent, or nothing asked for.
            ZeroAmount,
            /// The chain refused a transfer out of the contract.
            TransferFailed,
            /// An amount, id, counter or time would overflow.
            Overflow,
        }
    };
}

/// A 32-byte blake2-256 digest; encodes in SCALE exactly like `ink::primitives::Hash`.
pub type Digest = [u8; 32];

/// blake2-256 of `input`, the one hash function every GridTrust structure uses.
#[cfg(not(feature = "portable-hash"))]
pub fn blake2_256(input: &[u8]) -> Digest {
    let mut out = [0u8; 32];
    ink::env::hash_bytes::<ink::env::hash::Blake2x256>(input, &mut out);
    out
}

/// blake2-256 of `input`, the one hash function every GridTrust structure uses (computed in Rust:
/// there is no chain host to ask in a browser).
#[cfg(feature = "portable-hash")]
pub fn blake2_256(input: &[u8]) -> Digest {
    use blake2::digest::{consts::U32, Digest as _};
    blake2::Blake2b::<U32>::digest(input).into()
}

/// blake2-256 of the SCALE encoding of `value`.
#[cfg(not(feature = "portable-hash"))]
pub fn blake2_256_of<T: scale::Encode>(value: &T) -> Digest {
    let mut out = [0u8; 32];
    ink::env::hash_encoded::<ink::env::hash::Blake2x256, T>(value, &mut out);
    out
}

/// blake2-256 of the SCALE encoding of `value` (computed in Rust, as [`blake2_256`]).
#[cfg(feature = "portable-hash")]
pub fn blake2_256_of<T: scale::Encode>(value: &T) -> Digest {
    scale::Encode::using_encoded(value, blake2_256)
}
