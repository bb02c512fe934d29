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

impl Reading {
    /// `wh` drawn by `meter` in the interval starting at `interval_start_ms`.
    pub const fn new(meter: u64, interval_start_ms: u64, wh: u64) -> Self {
        Self {
            meter,
            interval_start_ms,
            wh,
        }
    }
}

/// How a meter-data system marks an interval it did not measure. Its validation rules (VEE:
/// validation, estimation and editing) fill gaps with estimates; a programme paying for measured
/// load reductions must not pay for a filled-in value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Quality {
    /// A value the meter-data system computed, not measured.
    Estimated,
    /// No value at all.
    Missing,
}

impl Quality {
    /// The word exports and the store use for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Estimated => "estimated",
            Self::Missing => "missing",
        }
    }

    /// The quality a word names (`actual` names none: a measured value), or `None` if it names
    /// none known. Exports write the word or its first letter, in any case.
    pub fn parse(word: &str) -> Option<Option<Self>> {
        match word.trim().to_ascii_lowercase().as_str() {
            "actual" | "a" | "measured" | "" => Some(None),
            "estimated" | "e" | "estimate" => Some(Some(Self::Estimated)),
            "missing" | "m" => Some(Some(Self::Missing)),
            _ => None,
        }
    }
}

/// An interval the meter-data system marks as not measured. It is kept (so the interval reads as
/// unusable, not as merely absent) but never enters a demand-response result: a meter with one in
/// an event's windows is left out, with this as the reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct UnusableRead {
    /// The meter.
    pub meter: u64,
    /// Start of the interval, ms since the Unix epoch.
    pub interval_start_ms: u64,
    /// Why it is unusable.
    pub quality: Quality,
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
    /// An interval marked estimated or missing.
    UnusableReading(UnusableRead),
}
