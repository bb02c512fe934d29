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

/// What a meter reported about its power.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// The meter lost power (its last message before going dark).
    LastGasp,
    /// The meter's power came back.
    Restore,
}

/// A power event reported by a meter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct MeterEvent {
    /// Last gasp or restore.
    pub kind: EventKind,
    /// The meter.
    pub meter: u64,
    /// Its feeder.
    pub feeder: u32,
    /// When it happened, ms since the Unix epoch.
    pub at_ms: u64,
}

/// One ingested line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Record {
    /// An interval reading.
    Reading(Reading),
    /// A meter event.
    Event(MeterEvent),
}
