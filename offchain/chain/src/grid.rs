//! The attestations, insurance and demand-response contracts deployed and wired together: the
//! attestations first; a meter-holder schema run by the utility; the insurance and demand-response
//! contracts pointed at both, each with the oracle committee; the utility holding the demand-response
//! `UTILITY` role. The wiring itself is [`crate::deployment`]'s journal, the same on every chain.

use attestations::{AttestRequest, Attestations};
use ink::primitives::AccountId;

use crate::{
    addresses::Contracts,
    client::{Chain, ChainError, Deployed},
    deployment::{self, DeployError, Plan},
    encode::call_builder,
    refusal::{Answer, CallError},
};

/// Hash of the meter-holder schema's off-chain definition: the two fields `meter` and `feeder`.
pub const METER_SCHEMA_DEFINITION: &str = "gridtrust/meter-holder/v1: meter u64 le, feeder u32 le";

/// Why wiring the contracts failed.
#[derive(Debug, thiserror::Error)]
pub enum GridError {
    /// The chain failed a call or a deployment, or a contract refused a set-up message.
    #[error(transparent)]
    Call(#[from] CallError),
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

impl From<ChainError> for GridError {
    fn from(e: ChainError) -> Self {
        Self::Call(e.into())
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
    /// Deploys the attestations, insurance and demand-response contracts as `utility` with a
    /// `threshold`-of-`operators` committee, wired by the same journal as a node deployment
    /// ([`deployment::deploy`]), kept in memory.
    pub fn deploy(
        chain: &mut impl Chain,
        utility: AccountId,
        operators: Vec<AccountId>,
        threshold: u32,
    ) -> Result<Self, DeployError> {
        let plan = Plan {
            utility,
            operators,
            threshold,
            // The grid part of the journal does not use these.
            tourism_authority: utility,
            kyc: utility,
            min_bond: 0,
        };
        deployment::deploy_grid(chain, &plan)?.grid(&plan)
    }

    /// Where the contracts are.
    pub fn contracts(&self) -> Contracts {
        Contracts {
            attestations: self.attestations.address,
            insurance: self.insurance.address,
            demand: self.demand.address,
            reservations: None,
        }
    }

    /// Every deployed contract, in deployment order.
    pub fn deployed(&self) -> [&Deployed; 3] {
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
            )
            .or_refused("attest")
            .map_err(GridError::from)
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
                )
                .or_refused("attest_batch")?;
        }
        Ok(())
    }
}
