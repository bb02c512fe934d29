//! Schemas, attesters and single attestations: what a utility (or any attesting authority) does
//! besides importing holders.

use attestations::{AttestRequest, Validity};
use gridtrust_chain::{AccountId, CallError, Chain};
use gridtrust_common::blake2_256;
use serde::Serialize;

use crate::actor::Actor;

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

impl<C: Chain> Actor<'_, C> {
    /// Registers `spec` as a schema owned by this account; returns its id.
    pub fn register_schema(&mut self, spec: &SchemaSpec) -> Result<u32, CallError> {
        let message = self.attestations().register_schema(
            blake2_256(&spec.definition),
            spec.name.as_bytes().to_vec(),
            spec.revocable,
            spec.max_validity_ms,
            spec.consent_required,
        );
        self.send("register_schema", message, 0)
    }

    /// Lets `attester` attest under `schema`, as its owner.
    pub fn add_attester(&mut self, schema: u32, attester: AccountId) -> Result<(), CallError> {
        self.send(
            "add_attester",
            self.attestations().add_attester(schema, attester),
            0,
        )
    }

    /// Attests `request` (see [`super::holders::request`]) under `schema`; returns the
    /// attestation's id.
    pub fn attest(&mut self, schema: u32, request: AttestRequest) -> Result<u64, CallError> {
        self.send("attest", self.attestations().attest(schema, request), 0)
    }

    /// Applies `change` to attestation `id` (as its attester or the schema owner).
    pub fn change_attestation(&mut self, id: u64, change: Change) -> Result<(), CallError> {
        let mut api = self.attestations();
        match change {
            Change::Revoke(reason) => self.send("revoke", api.revoke(id, reason), 0),
            Change::Suspend(reason) => self.send("suspend", api.suspend(id, reason), 0),
            Change::Resume => self.send("resume", api.resume(id), 0),
        }
    }

    /// Every attestation `subject` holds, under every schema, with its validity now.
    pub fn held_by(&mut self, subject: AccountId) -> Result<Vec<Held>, CallError> {
        let api = self.attestations();
        let mut out = Vec::new();
        for schema in 0..self.ask(api.schema_count())? {
            let name = self
                .ask(api.schema(schema))?
                .map(|s| String::from_utf8_lossy(&s.name).into_owned())
                .unwrap_or_default();
            for id in self.ask(api.attestations_of(subject, schema))? {
                let validity = self.ask(api.validity(id))?;
                let expires_at = self.ask(api.attestation(id))?.and_then(|a| a.expires_at);
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
