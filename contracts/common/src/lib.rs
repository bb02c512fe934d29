//! Building blocks shared by the GridTrust contracts and by the off-chain code that talks to them.
//!
//! Everything here compiles to `no_std` for the contracts and to `std` for the oracle, the CLI and the
//! tests, so a rule both sides must agree on (how a report is counted, how a Merkle leaf is hashed, how
//! a claim hash is built) exists exactly once.
//!
//! - [`access`]: a single owner plus named roles.
//! - [`committee`]: the k-of-n oracle committee that turns operators' votes into final reports.
//! - [`merkle`]: positional blake2-256 Merkle trees, proofs and their verification.
//! - [`claims`]: salted claim fields, the claim hash an attestation stores and disclosure leaves.
//! - [`verifier`]: the cross-contract interface "does this subject hold a valid attestation?".
//! - [`math`]: overflow-free `a * b / c` for shares and pro-rata payments.
//! - [`tiers`]: parametric payout schedules and outage report ids.
//! - [`refunds`]: cancellation refund schedules for bookings.
//! - [`baseline`]: the demand-response customer baseline (highest X of Y days, capped day-of adjustment).
//! - [`demand`]: demand-response subsidy, pro-rata scaling and the interval-reading Merkle leaf.
//! - [`facets`]: splitting a contract's messages over two codes behind the router contract.
#![cfg_attr(not(feature = "std"), no_std)]

pub mod access;
pub mod baseline;
pub mod claims;
pub mod committee;
pub mod demand;
pub mod facets;
pub mod math;
pub mod merkle;
pub mod refunds;
pub mod tiers;
pub mod verifier;

/// A 32-byte blake2-256 digest; encodes in SCALE exactly like `ink::primitives::Hash`.
pub type Digest = [u8; 32];

/// blake2-256 of `input`, the one hash function every GridTrust structure uses.
pub fn blake2_256(input: &[u8]) -> Digest {
    let mut out = [0u8; 32];
    ink::env::hash_bytes::<ink::env::hash::Blake2x256>(input, &mut out);
    out
}

/// blake2-256 of the SCALE encoding of `value`.
pub fn blake2_256_of<T: scale::Encode>(value: &T) -> Digest {
    let mut out = [0u8; 32];
    ink::env::hash_encoded::<ink::env::hash::Blake2x256, T>(value, &mut out);
    out
}
