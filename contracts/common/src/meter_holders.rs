//! "Is the caller the holder of this meter on this feeder?", asked of the attestations contract.
//!
//! Outage insurance (before selling cover) and demand response (before enrolling a meter) ask the same
//! question the same way: a valid attestation of the meter-holder schema whose claim hash is
//! `claims::meter_holder_claim(meter, feeder)`. A contract embeds one [`MeterHolders`] and implements
//! [`MeterHolderSettings`] by delegating to it, so where the question goes is set and read through the
//! same two messages everywhere.

use ink::primitives::AccountId;

use crate::{
    access::AccessError,
    claims,
    verifier::{self, SchemaId},
};

/// Meter holders are now checked against `attestations`, schema `meter_schema`.
#[ink::event]
#[derive(Debug)]
pub struct AttestationsChanged {
    /// The attestations contract.
    pub attestations: AccountId,
    /// The meter-holder schema.
    pub meter_schema: SchemaId,
}

/// Where a contract checks meter holders.
#[ink::trait_definition]
pub trait MeterHolderSettings {
    /// The attestations contract and the meter-holder schema meter holders are checked against.
    #[ink(message)]
    fn attestations(&self) -> (AccountId, SchemaId);

    /// Points meter-holder checks at another attestations contract or schema (owner only). Emits
    /// `AttestationsChanged`.
    ///
    /// # Errors
    /// `NotOwner` for any caller but the owner.
    #[ink(message)]
    fn set_attestations(
        &mut self,
        attestations: AccountId,
        meter_schema: SchemaId,
    ) -> Result<(), AccessError>;
}

/// Why a meter-holder check failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotAHolder {
    /// The subject holds no valid attestation of that meter and feeder.
    NotAttested,
    /// The attestations contract could not be asked.
    Unavailable,
}

/// The attestations contract and schema meter holders are checked against.
#[ink::storage_item]
#[derive(Debug)]
pub struct MeterHolders {
    /// The attestations contract asked.
    attestations: AccountId,
    /// The schema whose attestations prove holding a meter.
    meter_schema: SchemaId,
}

impl MeterHolders {
    /// Checks against `attestations`, schema `meter_schema`.
    pub fn new(attestations: AccountId, meter_schema: SchemaId) -> Self {
        Self {
            attestations,
            meter_schema,
        }
    }

    /// The attestations contract and the meter-holder schema.
    pub fn get(&self) -> (AccountId, SchemaId) {
        (self.attestations, self.meter_schema)
    }

    /// Points the checks elsewhere; the caller (the contract) checked that its owner asked.
    pub fn set(&mut self, attestations: AccountId, meter_schema: SchemaId) {
        self.attestations = attestations;
        self.meter_schema = meter_schema;
        ink::env::emit_event::<ink::env::DefaultEnvironment, _>(AttestationsChanged {
            attestations,
            meter_schema,
        });
    }

    /// `Ok` when `subject` holds a valid attestation of `meter` on `feeder`.
    pub fn check(&self, subject: AccountId, meter: u64, feeder: u32) -> Result<(), NotAHolder> {
        let claim = claims::meter_holder_claim(meter, feeder);
        match verifier::ask(self.attestations, subject, self.meter_schema, Some(claim)) {
            Ok(true) => Ok(()),
            Ok(false) => Err(NotAHolder::NotAttested),
            Err(_) => Err(NotAHolder::Unavailable),
        }
    }
}
