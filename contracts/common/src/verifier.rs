//! The cross-contract question other contracts ask the attestations contract.
//!
//! A contract holding the attestations contract's address calls it through
//! `ink::contract_ref!(AttestationVerifier)`; the attestations contract implements the trait, so the
//! selector both sides use comes from this one definition.

use ink::primitives::AccountId;

use crate::Digest;

/// Identifies an attestation schema in the attestations contract.
pub type SchemaId = u32;

/// "Does `subject` hold a valid attestation of `schema` (with `claim_hash`)?"
#[ink::trait_definition]
pub trait AttestationVerifier {
    /// Whether `subject` holds an attestation of `schema` that is valid now (exists, not revoked, not
    /// suspended, not expired, attester not distrusted, parent chain valid); when `claim_hash` is given,
    /// the attestation must also carry exactly that claim hash.
    #[ink(message)]
    fn has_valid_attestation(
        &self,
        subject: AccountId,
        schema: SchemaId,
        claim_hash: Option<Digest>,
    ) -> bool;
}

/// The attestations contract could not be asked (no contract there, it trapped, or it ran out of gas).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifierUnavailable;

/// Asks the attestations contract at `contract` whether `subject` holds a valid attestation of `schema`
/// (with `claim_hash`). A failed call is an error, never a trap, so the caller can refuse cleanly.
pub fn ask(
    contract: AccountId,
    subject: AccountId,
    schema: SchemaId,
    claim_hash: Option<Digest>,
) -> Result<bool, VerifierUnavailable> {
    use ink::codegen::TraitCallBuilder;
    let verifier: ink::contract_ref!(AttestationVerifier, ink::env::DefaultEnvironment) =
        contract.into();
    // `call_v1` imports `seal1::call`, which every pallet-contracts release accepts; ink!'s default
    // (`seal2::call`, with a proof-size limit and a deposit limit) needs polkadot-sdk v1.8 or later
    // and would buy nothing here: a read with no limits set either way.
    match verifier
        .call()
        .has_valid_attestation(subject, schema, claim_hash)
        .call_v1()
        .try_invoke()
    {
        Ok(Ok(answer)) => Ok(answer),
        _ => Err(VerifierUnavailable),
    }
}
