//! The reservations contract deployed next to a grid's attestations contract.
//!
//! A tourism authority owns the "verified merchant" schema and a KYC provider the "real name" schema;
//! each attests its own subjects. Shared by `gridtrust bench` and the tests.

use attestations::{AttestRequest, Attestations};
use gridtrust_common::refunds::RefundTier;
use ink::primitives::AccountId;
use reservations::RoomTerms;

use crate::{
    client::{Chain, Deployed},
    deployment::{self, DeployError, Plan},
    encode::call_builder,
    grid::GridError,
    refusal::Answer,
};

/// Off-chain definition of the verified-merchant schema.
pub const MERCHANT_SCHEMA_DEFINITION: &str = "gridtrust/verified-merchant/v1: no fields";
/// Off-chain definition of the real-name schema.
pub const REAL_NAME_SCHEMA_DEFINITION: &str = "gridtrust/real-name/v1: no fields";

/// Day number `day` (days since 1970-01-01, a night in the property's local time) as a date:
/// `2026-12-24`.
pub fn show_day(day: u32) -> String {
    chrono::NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|epoch| epoch.checked_add_days(chrono::Days::new(u64::from(day))))
        .map_or_else(
            || format!("day {day}"),
            |d| d.format("%Y-%m-%d").to_string(),
        )
}

/// Room terms with a cancellation scale: all back a week or more before check-in, half from two
/// days before, a fifth on a no-show. The benchmarks and the tests offer these, so the figures are
/// for the refund work the tests check.
pub fn week_ahead_terms(price_per_night: u128, rules_hash: [u8; 32]) -> RoomTerms {
    let tier = |min_days_before, refund_bps| RefundTier {
        min_days_before,
        refund_bps,
    };
    RoomTerms {
        price_per_night,
        refund_tiers: vec![tier(7, 10_000), tier(2, 5_000)],
        no_show_refund_bps: 2_000,
        rules_hash,
    }
}

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
    /// minimum bond of `min_bond`, by the same journal as a node deployment
    /// ([`deployment::deploy`]), kept in memory.
    pub fn deploy(
        chain: &mut impl Chain,
        attestations: AccountId,
        owner: AccountId,
        authority: AccountId,
        kyc: AccountId,
        min_bond: u128,
    ) -> Result<Self, DeployError> {
        let plan = Plan {
            utility: owner,
            operators: Vec::new(),
            threshold: 0,
            tourism_authority: authority,
            kyc,
            min_bond,
        };
        let manifest = deployment::deploy_lodging(chain, &plan, attestations)?;
        Ok(Self {
            reservations: manifest.deployed("reservations")?,
            attestations,
            merchant_schema: manifest.schema("verified-merchant")?,
            guest_schema: manifest.schema("real-name")?,
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
        .call(&attestations, api.attest(schema, request), &attester, 0)
        .or_refused("attest")
        .map_err(GridError::from)
}
