//! Schemas, attesters and single attestations over the `Chain` trait: what a utility (or any
//! attesting authority) does besides importing holders.

use attestations::{AttestRequest, Attestations, Validity};
use gridtrust_chain::{encode::call_builder, AccountId, Answer, CallError, Chain, Contracts};
use gridtrust_common::blake2_256;
use serde::Serialize;

/// A schema to register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaSpec {
    /// Its name (at most 64 bytes).
    pub name: String,
    /// The document that says what its claims mean; the schema keeps its blake2-256.
    pub definition: Vec<u8>,
    /// Attestations can be revoked and suspended.
    pub revocable: bool,
    /// Longest an attestation may be valid (ms).
    pub max_validity_ms: Option<u64>,
    /// Verifiers need the subject's consent to record checks.
    pub consent_required: bool,
}

/// Registers `spec` as a schema owned by `owner`; returns its id.
pub fn register_schema(
    chain: &mut impl Chain,
    contracts: &Contracts,
    owner: &AccountId,
    spec: &SchemaSpec,
) -> Result<u32, CallError> {
    let mut api = call_builder::<Attestations>(contracts.attestations);
    chain
        .call(
            &contracts.attestations,
            api.register_schema(
                blake2_256(&spec.definition),
                spec.name.as_bytes().to_vec(),
                spec.revocable,
                spec.max_validity_ms,
                spec.consent_required,
            ),
            owner,
            0,
        )
        .or_refused("register_schema")
}

/// Lets `attester` attest under `schema`, as its owner.
pub fn add_attester(
    chain: &mut impl Chain,
    contracts: &Contracts,
    owner: &AccountId,
    schema: u32,
    attester: AccountId,
) -> Result<(), CallError> {
    let mut api = call_builder::<Attestations>(contracts.attestations);
    chain
        .call(
            &contracts.attestations,
            api.add_attester(schema, attester),
            owner,
            0,
        )
        .or_refused("add_attester")
}

/// Attests `request` (see [`super::holders::request`]) under `schema`; returns the attestation's id.
pub fn attest(
    chain: &mut impl Chain,
    contracts: &Contracts,
    attester: &AccountId,
    schema: u32,
    request: AttestRequest,
) -> Result<u64, CallError> {
    let mut api = call_builder::<Attestations>(contracts.attestations);
    chain
        .call(
            &contracts.attestations,
            api.attest(schema, request),
            attester,
            0,
        )
        .or_refused("attest")
}

/// A change to one attestation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// For good, with a reason code.
    Revoke(u32),
    /// Until resumed, with a reason code.
    Suspend(u32),
    /// Lift a suspension.
    Resume,
}

/// Applies `change` to attestation `id` as `by` (its attester or the schema owner).
pub fn change(
    chain: &mut impl Chain,
    contracts: &Contracts,
    by: &AccountId,
    id: u64,
    change: Change,
) -> Result<(), CallError> {
    let address = contracts.attestations;
    let mut api = call_builder::<Attestations>(address);
    match change {
        Change::Revoke(reason) => chain
            .call(&address, api.revoke(id, reason), by, 0)
            .or_refused("revoke"),
        Change::Suspend(reason) => chain
            .call(&address, api.suspend(id, reason), by, 0)
            .or_refused("suspend"),
        Change::Resume => chain
            .call(&address, api.resume(id), by, 0)
            .or_refused("resume"),
    }
}

/// One attestation an account holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Held {
    /// Its id.
    pub id: u64,
    /// Its schema's id.
    pub schema: u32,
    /// Its schema's name.
    pub schema_name: String,
    /// Valid, or why not (`revoked`, `suspended`, `expired`, `attester distrusted`, ...).
    pub validity: String,
    /// When it expires (ms), if it does.
    pub expires_at: Option<u64>,
}

/// Every attestation `subject` holds, under every schema, with its validity now.
pub fn held_by(
    chain: &mut impl Chain,
    contracts: &Contracts,
    asker: &AccountId,
    subject: AccountId,
) -> Result<Vec<Held>, CallError> {
    let address = contracts.attestations;
    let api = call_builder::<Attestations>(address);
    let mut out = Vec::new();
    for schema in 0..chain.query(&address, api.schema_count(), asker)? {
        let name = chain
            .query(&address, api.schema(schema), asker)?
            .map(|s| String::from_utf8_lossy(&s.name).into_owned())
            .unwrap_or_default();
        for id in chain.query(&address, api.attestations_of(subject, schema), asker)? {
            let validity = chain.query(&address, api.validity(id), asker)?;
            let expires_at = chain
                .query(&address, api.attestation(id), asker)?
                .and_then(|a| a.expires_at);
            out.push(Held {
                id,
                schema,
                schema_name: name.clone(),
                validity: validity_words(validity),
                expires_at,
            });
        }
    }
    Ok(out)
}

fn validity_words(v: Validity) -> String {
    match v {
        Validity::Valid => "valid",
        Validity::NotFound => "not found",
        Validity::Revoked => "revoked",
        Validity::Suspended => "suspended",
        Validity::Expired => "expired",
        Validity::AttesterDistrusted => "attester distrusted",
        Validity::ParentInvalid => "a parent attestation is not valid",
    }
    .to_owned()
}
