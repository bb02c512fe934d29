//! Sending the outbox to the chain, exactly once in effect.
//!
//! Each pending report is voted on as this operator. The committee makes a second vote harmless: a
//! vote it already counted comes back `AlreadyVoted` (this epoch) or `AlreadyFinalized`, and both are
//! taken as delivered — so a daemon killed after the chain counted its vote but before the outbox
//! recorded it simply sends again on restart. A chain or transport failure leaves the report pending;
//! any other refusal by the contract is final and recorded with its reason.

use demand_response::DemandResponse;
use gridtrust_chain::{
    encode::call_builder, AccountId, Chain, ChainError, ContractError, Contracts, Grid,
};
use gridtrust_common::committee::{CommitteeError, VoteOutcome};
use outage_insurance::OutageInsurance;

use crate::{
    outbox::OutboxState,
    report::Report,
    store::{Store, StoreError},
};

/// What the chain said to one submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Our vote counted (the report may still wait for other members).
    Voted(VoteOutcome),
    /// Our vote, or the final report, was already counted: nothing to do.
    AlreadyCounted,
    /// The contract refused the report for good.
    Refused(ContractError),
}

/// Where reports go: the committee contracts, as one operator.
pub trait Submitter {
    /// Submits `report`; `Err` is a chain or transport failure worth retrying.
    fn submit(&mut self, report: &Report) -> Result<Delivery, ChainError>;
}

/// The committee's part of a refusal, when the refusal is the committee's.
fn committee_error(error: &ContractError) -> Option<CommitteeError> {
    match error {
        ContractError::OutageInsurance(outage_insurance::Error::Committee(c))
        | ContractError::DemandResponse(demand_response::Error::Committee(c)) => Some(*c),
        _ => None,
    }
}

/// A vote's answer as a delivery: a vote the committee had already counted is as good as delivered.
fn delivery(answer: Result<VoteOutcome, ContractError>) -> Delivery {
    match answer {
        Ok(vote) => Delivery::Voted(vote),
        Err(e) => match committee_error(&e) {
            Some(CommitteeError::AlreadyVoted | CommitteeError::AlreadyFinalized) => {
                Delivery::AlreadyCounted
            }
            _ => Delivery::Refused(e),
        },
    }
}

/// An operator submitting to the committee contracts on a chain (the sandbox or a node).
pub struct ChainSubmitter<'a, C> {
    /// The chain.
    pub chain: &'a mut C,
    /// The operator's account (a committee member).
    pub operator: AccountId,
    /// Where the committee contracts are.
    pub contracts: Contracts,
}

impl<'a, C: Chain> ChainSubmitter<'a, C> {
    /// `operator` submitting to `grid`'s insurance and demand-response contracts on `chain`.
    pub fn new(chain: &'a mut C, grid: &Grid, operator: AccountId) -> Self {
        Self {
            chain,
            operator,
            contracts: grid.contracts(),
        }
    }
}

impl<C: Chain> Submitter for ChainSubmitter<'_, C> {
    fn submit(&mut self, report: &Report) -> Result<Delivery, ChainError> {
        let (operator, insurance, demand) = (
            self.operator,
            self.contracts.insurance,
            self.contracts.demand,
        );
        let mut ins_api = call_builder::<OutageInsurance>(insurance);
        let mut dr_api = call_builder::<DemandResponse>(demand);
        let answer = match report {
            Report::OutageStart { feeder, start_ms } => self
                .chain
                .call(
                    &insurance,
                    ins_api.report_outage_start(*feeder, *start_ms),
                    &operator,
                    0,
                )?
                .value
                .map_err(ContractError::from),
            Report::OutageEnd(r) => self
                .chain
                .call(
                    &insurance,
                    ins_api.report_outage_end(r.clone()),
                    &operator,
                    0,
                )?
                .value
                .map_err(ContractError::from),
            Report::Measurements(b) => self
                .chain
                .call(&demand, dr_api.submit_measurements(b.clone()), &operator, 0)?
                .value
                .map_err(ContractError::from),
        };
        Ok(delivery(answer))
    }
}

/// What one pass over the outbox did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DrainReport {
    /// Reports whose vote counted now.
    pub voted: usize,
    /// Reports found already counted.
    pub already_counted: usize,
    /// Reports refused for good.
    pub refused: usize,
    /// Why each of them was refused.
    pub refusals: Vec<ContractError>,
    /// Reports left pending after a chain failure.
    pub retry: usize,
}

/// Submits every pending report once, in queue order, and records the outcome of each.
pub fn drain(store: &mut Store, submitter: &mut impl Submitter) -> Result<DrainReport, StoreError> {
    let mut report = DrainReport::default();
    for r in store.pending()? {
        match submitter.submit(&r) {
            Ok(Delivery::Voted(_)) => {
                store.mark(&r, &OutboxState::Delivered)?;
                report.voted += 1;
            }
            Ok(Delivery::AlreadyCounted) => {
                store.mark(&r, &OutboxState::Delivered)?;
                report.already_counted += 1;
            }
            Ok(Delivery::Refused(error)) => {
                // Kept as the contract's metadata names the error, a stable label for readers.
                store.mark(&r, &OutboxState::Refused(error.code()))?;
                report.refused += 1;
                report.refusals.push(error);
            }
            Err(chain) => {
                let last_error = Some(chain.to_string());
                store.mark(
                    &r,
                    &OutboxState::Pending {
                        attempts: 0,
                        last_error,
                    },
                )?;
                report.retry += 1;
            }
        }
    }
    Ok(report)
}
