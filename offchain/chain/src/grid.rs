//! The GridTrust contracts deployed and wired together on the sandbox chain.
//!
//! One place that knows the wiring (attestations first; a meter-holder schema run by the utility; the
//! insurance and demand-response contracts pointed at both, each with the oracle committee; the utility
//! holding the demand-response `UTILITY` role), shared by `gridtrust demo`, `gridtrust bench` and the
//! tests.

use attestations::{AttestRequest, Attestations, AttestationsRef};
use demand_response::{DemandResponse, DemandResponseRef};
use ink::primitives::AccountId;
use outage_insurance::OutageInsuranceRef;

use crate::{
    client::{Chain, ChainError, Deployed},
    encode::call_builder,
};

/// Hash of the meter-holder schema's off-chain definition: the two fields `meter` and `feeder`.
pub const METER_SCHEMA_DEFINITION: &str = "gridtrust/meter-holder/v1: meter u64 le, feeder u32 le";

/// Why wiring the contracts failed.
#[derive(Debug, thiserror::Error)]
pub enum GridError {
    /// The chain refused a call or a deployment.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// A contract refused a set-up message.
    #[error("{message} was refused: {error}")]
    Refused {
        /// The message.
        message: &'static str,
        /// The contract's error, as text.
        error: String,
    },
    /// A reused contract runs another committee than the configuration names, and no deployer can
    /// change it: a committee changes only by its own members' votes.
    #[error(
        "the {contract} contract's oracle committee is {on_chain}, but the configuration names \
         {planned}. A committee changes only by its own vote: each current operator calls \
         `propose_committee` with the new members and threshold on both committee contracts, and \
         the change takes effect when the current threshold agrees. Then run the deployment again."
    )]
    CommitteeDiffers {
        /// The contract, `outage_insurance` or `demand_response`.
        contract: &'static str,
        /// Its committee on chain, as `threshold of [members]`.
        on_chain: String,
        /// The committee the configuration names, likewise.
        planned: String,
    },
}

/// Turns a contract's refusal of set-up `message` into a [`GridError`].
pub(crate) fn refused<E: std::fmt::Debug>(message: &'static str) -> impl FnOnce(E) -> GridError {
    move |e| GridError::Refused {
        message,
        error: format!("{e:?}"),
    }
}

/// The deployed contracts and the accounts that run them.
#[derive(Debug, Clone)]
pub struct Grid {
    /// The attestations contract.
    pub attestations: Deployed,
    /// The outage insurance contract.
    pub insurance: Deployed,
    /// The demand-response settlement contract.
    pub demand: Deployed,
    /// Schema of meter-holder attestations.
    pub meter_schema: u32,
    /// The utility: deploys, owns the meter-holder schema and attests meter holders.
    pub utility: AccountId,
    /// The oracle committee's members.
    pub operators: Vec<AccountId>,
}

impl Grid {
    /// Deploys every contract as `utility` with a `threshold`-of-`operators` committee.
    pub fn deploy(
        chain: &mut impl Chain,
        utility: AccountId,
        operators: Vec<AccountId>,
        threshold: u32,
    ) -> Result<Self, GridError> {
        let attestations = chain.deploy_named("attestations", AttestationsRef::new(), &utility)?;
        let mut api = call_builder::<Attestations>(attestations.address);
        let definition = gridtrust_common::blake2_256(METER_SCHEMA_DEFINITION.as_bytes());
        let meter_schema = chain
            .call(
                &attestations.address,
                api.register_schema(definition, b"meter-holder".to_vec(), true, None, false),
                &utility,
                0,
            )?
            .value
            .map_err(refused("register_schema"))?;
        chain
            .call(
                &attestations.address,
                api.add_attester(meter_schema, utility),
                &utility,
                0,
            )?
            .value
            .map_err(refused("add_attester"))?;
        let insurance = chain.deploy_named(
            "outage_insurance",
            OutageInsuranceRef::new(
                attestations.address,
                meter_schema,
                operators.clone(),
                threshold,
            ),
            &utility,
        )?;
        let demand = chain.deploy_named(
            "demand_response",
            DemandResponseRef::new(
                attestations.address,
                meter_schema,
                operators.clone(),
                threshold,
            ),
            &utility,
        )?;
        chain
            .call(
                &demand.address,
                call_builder::<DemandResponse>(demand.address)
                    .grant_role(demand_response::UTILITY, utility),
                &utility,
                0,
            )?
            .value
            .map_err(refused("grant_role"))?;
        Ok(Self {
            attestations,
            insurance,
            demand,
            meter_schema,
            utility,
            operators,
        })
    }

    /// Every deployed contract, in deployment order.
    pub fn contracts(&self) -> [&Deployed; 3] {
        [&self.attestations, &self.insurance, &self.demand]
    }

    /// The request attesting that `holder` holds `meter` on `feeder` (never expires).
    pub fn meter_request(holder: AccountId, meter: u64, feeder: u32) -> AttestRequest {
        AttestRequest {
            subject: holder,
            claim_hash: gridtrust_common::claims::meter_holder_claim(meter, feeder),
            expires_at: None,
            parent: None,
        }
    }

    /// The utility attests that `holder` holds `meter` on `feeder`; returns the attestation id.
    pub fn attest_meter(
        &self,
        chain: &mut impl Chain,
        holder: AccountId,
        meter: u64,
        feeder: u32,
    ) -> Result<u64, GridError> {
        let mut api = call_builder::<Attestations>(self.attestations.address);
        let request = Self::meter_request(holder, meter, feeder);
        chain
            .call(
                &self.attestations.address,
                api.attest(self.meter_schema, request),
                &self.utility,
                0,
            )?
            .value
            .map_err(refused("attest"))
    }

    /// The utility attests many meter holders, [`attestations::MAX_BATCH`] per call.
    pub fn attest_meters(
        &self,
        chain: &mut impl Chain,
        holders: &[(AccountId, u64, u32)],
    ) -> Result<(), GridError> {
        let mut api = call_builder::<Attestations>(self.attestations.address);
        for chunk in holders.chunks(attestations::MAX_BATCH as usize) {
            let requests = chunk
                .iter()
                .map(|(who, meter, feeder)| Self::meter_request(*who, *meter, *feeder))
                .collect();
            chain
                .call(
                    &self.attestations.address,
                    api.attest_batch(self.meter_schema, requests),
                    &self.utility,
                    0,
                )?
                .value
                .map_err(refused("attest_batch"))?;
        }
        Ok(())
    }
}
