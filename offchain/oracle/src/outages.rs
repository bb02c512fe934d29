//! Feeder outages decided from meters' last-gasp and restore events.
//!
//! A meter is *dark* from its last gasp until its restore. A feeder is **out** while at least
//! `min_dark_meters` of its meters are dark: one dark meter is a blown fuse or a meter fault, not an
//! outage the insurance should pay for. The outage **starts** at the earliest last gasp among the meters
//! dark when the threshold was reached (that is when they lost power) and **ends** at the restore that
//! takes the count below the threshold. Its **meters** are every meter dark at some point during it.
//! An outage whose restore never comes stays open; once open longer than `stale_after_ms` it is marked
//! stale for an operator to look at (the insurance contract lifts its sales freeze by itself after
//! three days).

use std::collections::{BTreeMap, BTreeSet};

use crate::records::{EventKind, MeterEvent};

/// How outages are decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutageRule {
    /// Dark meters that make a feeder outage.
    pub min_dark_meters: usize,
    /// How long an outage may stay open before it is flagged stale (ms).
    pub stale_after_ms: u64,
}

impl Default for OutageRule {
    fn default() -> Self {
        Self {
            min_dark_meters: 3,
            stale_after_ms: gridtrust_common::time::DAY_MS,
        }
    }
}

/// A feeder outage.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Outage {
    /// The feeder.
    pub feeder: u32,
    /// When power was lost (ms).
    pub start_ms: u64,
    /// When power came back (ms), if it did.
    pub end_ms: Option<u64>,
    /// Meters dark during it, ascending.
    pub meters: Vec<u64>,
    /// Open for longer than the rule allows.
    pub stale: bool,
}

#[derive(Default)]
struct FeederState {
    /// Dark meters and since when.
    dark: BTreeMap<u64, u64>,
    /// The outage in progress.
    current: Option<Outage>,
}

/// Every outage in `events` (in time order), as of `now_ms`.
pub fn decide(events: &[MeterEvent], rule: &OutageRule, now_ms: u64) -> Vec<Outage> {
    let threshold = rule.min_dark_meters.max(1);
    let mut feeders: BTreeMap<u32, FeederState> = BTreeMap::new();
    let mut done = Vec::new();
    for e in events {
        let f = feeders.entry(e.feeder).or_default();
        match e.kind {
            EventKind::LastGasp => {
                f.dark.entry(e.meter).or_insert(e.at_ms);
                if let Some(o) = &mut f.current {
                    o.meters.push(e.meter);
                } else if f.dark.len() >= threshold {
                    f.current = Some(Outage {
                        feeder: e.feeder,
                        start_ms: f.dark.values().copied().min().unwrap_or(e.at_ms),
                        end_ms: None,
                        meters: f.dark.keys().copied().collect(),
                        stale: false,
                    });
                }
            }
            EventKind::Restore => {
                if f.dark.remove(&e.meter).is_none() {
                    continue; // a restore without a last gasp: nothing was dark
                }
                if f.dark.len() < threshold {
                    if let Some(mut o) = f.current.take() {
                        o.end_ms = Some(e.at_ms);
                        done.push(o);
                    }
                }
            }
        }
    }
    for f in feeders.into_values() {
        if let Some(mut o) = f.current {
            o.stale = now_ms.saturating_sub(o.start_ms) > rule.stale_after_ms;
            done.push(o);
        }
    }
    for o in &mut done {
        let unique: BTreeSet<u64> = o.meters.iter().copied().collect();
        o.meters = unique.into_iter().collect();
    }
    done.sort_by_key(|o| (o.start_ms, o.feeder));
    done
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gasp(meter: u64, feeder: u32, at_ms: u64) -> MeterEvent {
        MeterEvent {
            kind: EventKind::LastGasp,
            meter,
            feeder,
            at_ms,
        }
    }

    fn restore(meter: u64, feeder: u32, at_ms: u64) -> MeterEvent {
        MeterEvent {
            kind: EventKind::Restore,
            ..gasp(meter, feeder, at_ms)
        }
    }

    #[test]
    fn an_outage_needs_enough_dark_meters_and_ends_below_the_threshold() {
        let rule = OutageRule {
            min_dark_meters: 3,
            stale_after_ms: 10_000,
        };
        let events = [
            gasp(1, 7, 100),
            gasp(2, 7, 150),
            restore(1, 7, 160), // a lone fault, no outage
            gasp(1, 7, 200),
            gasp(3, 7, 210), // third dark meter: outage since 150
            gasp(4, 7, 300),
            restore(2, 7, 900),   // still 3 dark
            restore(3, 7, 1_000), // 2 dark: over
            restore(1, 7, 1_100),
            gasp(9, 8, 500), // feeder 8: one meter only
        ];
        let outages = decide(&events, &rule, 2_000);
        assert_eq!(
            outages,
            vec![Outage {
                feeder: 7,
                start_ms: 150,
                end_ms: Some(1_000),
                meters: vec![1, 2, 3, 4],
                stale: false
            }]
        );
    }

    #[test]
    fn a_restore_that_never_comes_leaves_the_outage_open_then_stale() {
        let rule = OutageRule {
            min_dark_meters: 2,
            stale_after_ms: 10_000,
        };
        let events = [
            gasp(1, 3, 0),
            gasp(2, 3, 5),
            gasp(2, 3, 6),
            restore(5, 3, 7),
        ];
        let open = decide(&events, &rule, 9_000);
        assert_eq!(open.len(), 1);
        assert_eq!((open[0].end_ms, open[0].stale), (None, false));
        assert_eq!(open[0].meters, vec![1, 2]);
        assert!(decide(&events, &rule, 10_001)[0].stale);
    }
}
