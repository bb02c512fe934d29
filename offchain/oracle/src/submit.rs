//! Sending the outbox to the chain, exactly once in effect.
//!
//! Each pending report is voted on as this operator. The committee makes a second vote harmless: a
//! vote it already counted comes back `AlreadyVoted` (this epoch) or `AlreadyFinalized`, and both are
//! taken as delivered — so a daemon killed after the chain counted its vote but before the outbox
//! recorded it simply sends again on restart. A chain or transport failure leaves the report pending;
//! any other refusal by the contract is final and recorded with its reason.

use demand_response::DemandResponse;
use gridtrust_chain::{encode::call_builder, AccountId, Chain, Grid};
use gridtrust_common::committee::{CommitteeError, VoteOutcome};
use outage_insurance::OutageInsurance;

use crate::{
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
    Refused(String),
}

/// Where reports go: the committee contracts, as one operator.
pub trait Submitter {
    /// Submits `report`; `Err` is a chain or transport failure worth retrying.
    fn submit(&mut self, report: &Report) -> Result<Delivery, String>;
}

fn committee_delivery(
    outcome: Result<VoteOutcome, String>,
    committee: Option<CommitteeError>,
) -> Delivery {
    match (outcome, committee) {
        (Ok(vote), _) => Delivery::Voted(vote),
        (Err(_), Some(CommitteeError::AlreadyVoted | CommitteeError::AlreadyFinalized)) => {
            Delivery::AlreadyCounted
        }
        (Err(reason), _) => Delivery::Refused(reason),
    }
}

/// An operator submitting to the committee contracts on a chain (the sandbox or a node).
pub struct ChainSubmitter<'a, C> {
    /// The chain.
    pub chain: &'a mut C,
    /// The operator's account (a committee member).
    pub operator: AccountId,
    /// The outage insurance contract.
    pub insurance: AccountId,
    /// The demand-response contract.
    pub demand: AccountId,
}

impl<'a, C: Chain> ChainSubmitter<'a, C> {
    /// `operator` submitting to `grid`'s insurance and demand-response contracts on `chain`.
    pub fn new(chain: &'a mut C, grid: &Grid, operator: AccountId) -> Self {
        Self {
            chain,
            operator,
            insurance: grid.insurance.address,
            demand: grid.demand.address,
        }
    }
}

impl<C: Chain> Submitter for ChainSubmitter<'_, C> {
    fn submit(&mut self, report: &Report) -> Result<Delivery, String> {
        use demand_response::Error as DrError;
        use outage_insurance::Error as InsuranceError;
        let insurance = |e: InsuranceError| match e {
            InsuranceError::Committee(c) => Some(c),
            _ => None,
        };
        let dr = |e: DrError| match e {
            DrError::Committee(c) => Some(c),
            _ => None,
        };
        let mut ins_api = call_builder::<OutageInsurance>(self.insurance);
        let mut dr_api = call_builder::<DemandResponse>(self.demand);
        let (operator, insurance_at, demand_at) = (self.operator, self.insurance, self.demand);
        let outcome = match report {
            Report::OutageStart { feeder, start_ms } => self
                .chain
                .call(
                    &insurance_at,
                    ins_api.report_outage_start(*feeder, *start_ms),
                    &operator,
                    0,
                )
                .map(|o| o.value.map_err(|e| (format!("{e:?}"), insurance(e)))),
            Report::OutageEnd(r) => self
                .chain
                .call(
                    &insurance_at,
                    ins_api.report_outage_end(r.clone()),
                    &operator,
                    0,
                )
                .map(|o| o.value.map_err(|e| (format!("{e:?}"), insurance(e)))),
            Report::Measurements(b) => self
                .chain
                .call(
                    &demand_at,
                    dr_api.submit_measurements(b.clone()),
                    &operator,
                    0,
                )
                .map(|o| o.value.map_err(|e| (format!("{e:?}"), dr(e)))),
        };
        match outcome {
            Err(chain) => Err(chain.to_string()),
            Ok(Ok(vote)) => Ok(committee_delivery(Ok(vote), None)),
            Ok(Err((reason, committee))) => Ok(committee_delivery(Err(reason), committee)),
        }
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
    /// Reports left pending after a chain failure.
    pub retry: usize,
}

/// Submits every pending report once, in queue order, and records the outcome of each.
pub fn drain(store: &mut Store, submitter: &mut impl Submitter) -> Result<DrainReport, StoreError> {
    let mut report = DrainReport::default();
    for r in store.pending()? {
        match submitter.submit(&r) {
            Ok(Delivery::Voted(_)) => {
                store.mark(&r, "delivered", None)?;
                report.voted += 1;
            }
            Ok(Delivery::AlreadyCounted) => {
                store.mark(&r, "delivered", Some("already counted"))?;
                report.already_counted += 1;
            }
            Ok(Delivery::Refused(reason)) => {
                store.mark(&r, "refused", Some(&reason))?;
                report.refused += 1;
            }
            Err(chain) => {
                store.mark(&r, "pending", Some(&chain))?;
                report.retry += 1;
            }
        }
    }
    Ok(report)
}
