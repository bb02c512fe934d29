//! The records the oracle ingests.

use serde::Deserialize;

/// Energy drawn by one meter in one interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Reading {
    /// The meter.
    pub meter: u64,
    /// Start of the interval, ms since the Unix epoch.
    pub interval_start_ms: u64,
    /// Energy drawn in the interval, Wh.
    pub wh: u64,
}

// Meter events are the outage rule's own type, so what is ingested is what the rule and its evidence
// leaves are computed over.
pub use gridtrust_common::outage::{EventKind, MeterEvent};

/// One ingested line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Record {
    /// An interval reading.
    Reading(Reading),
    /// A meter event.
    Event(MeterEvent),
}
