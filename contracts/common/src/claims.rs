//! Salted claims: the personal data an attestation is about never goes on chain, only its claim hash.
//!
//! An authority describes a subject with named fields (`"name"`, `"credit_band"`, `"meter"`, ...), each
//! with a fresh random 32-byte salt it gives to the subject. The claim hash stored on chain is the
//! [`merkle`](crate::merkle) root over the field leaves in the order the authority chose. To disclose one
//! field, the subject hands a verifier that field's key, value and salt plus a Merkle proof; without the
//! salt a guessable value (a birth year, a credit band) cannot be confirmed by brute force.
//!
//! Leaf data of a field = SCALE encoding of `(key: Vec<u8>, value: Vec<u8>, salt: [u8; 32])`, hashed as a
//! Merkle leaf.

use ink::prelude::vec::Vec;

use crate::{
    merkle::{self, MerkleProof},
    Digest,
};

/// One claim field as the authority issued it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct ClaimField {
    /// The field's name, e.g. `b"meter"`.
    pub key: Vec<u8>,
    /// The field's value, e.g. `b"MTR-000123"`.
    pub value: Vec<u8>,
    /// The field's secret salt.
    pub salt: Digest,
}

/// The Merkle leaf hash of one field.
pub fn field_leaf(key: &[u8], value: &[u8], salt: &Digest) -> Digest {
    merkle::leaf_hash(&scale::Encode::encode(&(key, value, salt)))
}

/// The claim hash over `fields` in order, or `None` when there are none.
pub fn claim_hash(fields: &[ClaimField]) -> Option<Digest> {
    merkle::root(&leaves(fields))
}

/// The disclosure proof for field number `index` of `fields`.
pub fn disclosure_proof(fields: &[ClaimField], index: usize) -> Option<MerkleProof> {
    merkle::proof(&leaves(fields), index)
}

/// Whether the field (`key`, `value`, `salt`) is part of `claim_hash` at the position `proof` states.
pub fn verify_field(
    claim_hash: &Digest,
    key: &[u8],
    value: &[u8],
    salt: &Digest,
    proof: &MerkleProof,
) -> bool {
    merkle::verify(claim_hash, &field_leaf(key, value, salt), proof)
}

/// The claim hash of a meter-holder attestation: "this account holds meter `meter` on feeder `feeder`".
///
/// Meter and feeder ids name grid equipment, not people, so these two fields use an all-zero salt: a
/// contract selling cover for a meter can then compute the claim hash it must find in the buyer's
/// attestation. Personal fields belong in other schemas, salted.
pub fn meter_holder_claim(meter: u64, feeder: u32) -> Digest {
    let leaves = [
        field_leaf(b"meter", &meter.to_le_bytes(), &[0; 32]),
        field_leaf(b"feeder", &feeder.to_le_bytes(), &[0; 32]),
    ];
    merkle::root(&leaves).unwrap_or_default()
}

fn leaves(fields: &[ClaimField]) -> Vec<Digest> {
    fields
        .iter()
        .map(|f| field_leaf(&f.key, &f.value, &f.salt))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(key: &str, value: &str, salt: u8) -> ClaimField {
        ClaimField {
            key: key.as_bytes().to_vec(),
            value: value.as_bytes().to_vec(),
            salt: [salt; 32],
        }
    }

    #[test]
    fn a_disclosed_field_verifies_and_a_changed_one_does_not() {
        let fields = [
            field("name", "Li Wei", 1),
            field("credit_band", "A", 2),
            field("meter", "MTR-7", 3),
        ];
        let root = claim_hash(&fields).unwrap();
        let p = disclosure_proof(&fields, 1).unwrap();
        assert!(verify_field(&root, b"credit_band", b"A", &[2; 32], &p));
        assert!(!verify_field(&root, b"credit_band", b"B", &[2; 32], &p));
        assert!(!verify_field(&root, b"credit_band", b"A", &[9; 32], &p));
        assert!(!verify_field(&root, b"name", b"A", &[2; 32], &p));
    }
}
