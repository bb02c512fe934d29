//! The reservations contract deployed next to a grid's attestations contract.
//!
//! A tourism authority owns the "verified merchant" schema and a KYC provider the "real name" schema;
//! each attests its own subjects. Shared by `gridtrust bench` and the tests.

use attestations::{AttestRequest, Attestations};
use ink::primitives::AccountId;
use reservations::{ReservationsRef, Settings};

use crate::{
    client::{Chain, Deployed},
    encode::call_builder,
    grid::{refused, GridError},
};

/// Off-chain definition of the verified-merchant schema.
pub const MERCHANT_SCHEMA_DEFINITION: &str = "gridtrust/verified-merchant/v1: no fields";
/// Off-chain definition of the real-name schema.
pub const REAL_NAME_SCHEMA_DEFINITION: &str = "gridtrust/real-name/v1: no fields";

/// The deployed reservations contract and who runs its attestations.
#[derive(Debug, Clone)]
pub struct Lodging {
    /// The reservations contract.
    pub reservations: Deployed,
    /// The attestations contract it asks.
    pub attestations: AccountId,
    /// Schema of verified-merchant attestations, owned and attested by `authority`.
    pub merchant_schema: u32,
    /// Schema of real-name attestations, owned and attested by `kyc`.
    pub guest_schema: u32,
    /// Attests merchants.
    pub authority: AccountId,
    /// Attests guests' real names.
    pub kyc: AccountId,
}

impl Lodging {
    /// Registers both schemas on `attestations` and deploys the reservations contract as `owner` with a
    /// minimum bond of `min_bond`.
    pub fn deploy(
        chain: &mut impl Chain,
        attestations: AccountId,
        owner: AccountId,
        authority: AccountId,
        kyc: AccountId,
        min_bond: u128,
    ) -> Result<Self, GridError> {
        let merchant_schema = register_schema(
            chain,
            attestations,
            authority,
            MERCHANT_SCHEMA_DEFINITION,
            "verified-merchant",
        )?;
        let guest_schema = register_schema(
            chain,
            attestations,
            kyc,
            REAL_NAME_SCHEMA_DEFINITION,
            "real-name",
        )?;
        let settings = Settings {
            attestations,
            merchant_schema,
            guest_schema,
            min_bond,
        };
        let reservations =
            chain.deploy_named("reservations", ReservationsRef::new(settings), &owner)?;
        Ok(Self {
            reservations,
            attestations,
            merchant_schema,
            guest_schema,
            authority,
            kyc,
        })
    }

    /// The authority attests `merchant` as verified; returns the attestation id.
    pub fn attest_merchant(
        &self,
        chain: &mut impl Chain,
        merchant: AccountId,
    ) -> Result<u64, GridError> {
        attest(
            chain,
            self.attestations,
            self.authority,
            self.merchant_schema,
            merchant,
        )
    }

    /// The KYC provider attests `guest`'s real name; returns the attestation id.
    pub fn attest_real_name(
        &self,
        chain: &mut impl Chain,
        guest: AccountId,
    ) -> Result<u64, GridError> {
        attest(chain, self.attestations, self.kyc, self.guest_schema, guest)
    }
}

/// `owner` registers a schema it attests itself.
fn register_schema(
    chain: &mut impl Chain,
    attestations: AccountId,
    owner: AccountId,
    definition: &str,
    name: &str,
) -> Result<u32, GridError> {
    let mut api = call_builder::<Attestations>(attestations);
    let definition = gridtrust_common::blake2_256(definition.as_bytes());
    let schema = chain
        .call(
            &attestations,
            api.register_schema(definition, name.as_bytes().to_vec(), true, None, false),
            &owner,
            0,
        )?
        .value
        .map_err(refused("register_schema"))?;
    chain
        .call(&attestations, api.add_attester(schema, owner), &owner, 0)?
        .value
        .map_err(refused("add_attester"))?;
    Ok(schema)
}

/// `attester` attests `subject` under `schema`, with no claim and no expiry.
fn attest(
    chain: &mut impl Chain,
    attestations: AccountId,
    attester: AccountId,
    schema: u32,
    subject: AccountId,
) -> Result<u64, GridError> {
    let mut api = call_builder::<Attestations>(attestations);
    let request = AttestRequest {
        subject,
        claim_hash: [0; 32],
        expires_at: None,
        parent: None,
    };
    chain
        .call(&attestations, api.attest(schema, request), &attester, 0)?
        .value
        .map_err(refused("attest"))
}
