//! The reports the oracle submits to the committee, and their outbox identity.

use demand_response::MeasurementBatch;
use gridtrust_common::{blake2_256_of, tiers, Digest};
use outage_insurance::OutageReport;

/// A report for the oracle committee.
#[derive(Debug, Clone, PartialEq, Eq, scale::Encode, scale::Decode)]
pub enum Report {
    /// "An outage of `feeder` began at `start_ms`" (insurance: freezes sales on the feeder).
    OutageStart {
        /// The feeder.
        feeder: u32,
        /// When power was lost (ms).
        start_ms: u64,
    },
    /// The final report of an outage (insurance: creates the outage and its payouts).
    OutageEnd(OutageReport),
    /// A batch of demand-response results (demand response: records the entries).
    Measurements(MeasurementBatch),
}

impl Report {
    /// The committee's id for this report (what members vote on).
    pub fn committee_id(&self) -> Digest {
        match self {
            Report::OutageStart { feeder, start_ms } => tiers::outage_start_id(*feeder, *start_ms),
            Report::OutageEnd(r) => tiers::outage_end_id(r.feeder, r.start_ms),
            Report::Measurements(b) => demand_response::batch_report_id(b.event, b.index),
        }
    }

    /// The outbox key: the committee id and the content, so the same report enqueued twice is one
    /// entry, and different content for the same id (a correction) is another.
    pub fn outbox_id(&self) -> Digest {
        blake2_256_of(&(self.committee_id(), self))
    }

    /// A short name for logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Report::OutageStart { .. } => "outage-start",
            Report::OutageEnd(_) => "outage-end",
            Report::Measurements(_) => "measurements",
        }
    }
}
