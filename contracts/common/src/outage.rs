//! Feeder outages decided from meters' last-gasp and restore events: the rule every oracle operator
//! decides by and any verifier recomputes, and the evidence a final report commits to.
//!
//! ## The rule
//! A meter is *dark* from its last gasp until its restore. A feeder is **out** while at least
//! `min_dark_meters` of its meters are dark: one dark meter is a blown fuse or a meter fault, not an
//! outage the insurance should pay for. The outage **starts** at the earliest last gasp among the meters
//! dark when the threshold was reached (that is when they lost power) and **ends** at the restore that
//! takes the count below the threshold. Its **meters** are every meter dark at some point during it.
//! A restore without a last gasp before it changes nothing (nothing was dark), and a second last gasp
//! from a dark meter keeps the first one's time. An outage whose restore never comes stays **open**: no
//! final report is made for it (so nothing is paid), and once open longer than `stale_after_ms` it is
//! marked stale for an operator to look at (the insurance contract lifts its sales freeze by itself
//! after three days).
//!
//! Events are taken in **canonical order** — by time, then meter, then kind (last gasp before restore)
//! — whatever order they are given in, and exact duplicates count once, so every operator decides the
//! same outages from the same feed however it arrived.
//!
//! ## Evidence
//! An outage's **evidence** is every event of its feeder, in canonical order, from the first one after
//! the feeder was last *quiet* (no meter dark) before the outage up to and including the restore that
//! ended it. Replaying the rule from a quiet point is replaying it from the beginning, so the rule run
//! on the evidence alone decides the same outage — as the last one it finds, after any earlier outage
//! of the feeder that had not quite let every meter come back — and a verifier holding the evidence
//! recomputes start, end and meters without anyone's database. The final report carries
//! [`evidence_root`], the [`merkle`] root over the events' leaves ([`MeterEvent::leaf`]) in that order.
//! (A meter that never restores keeps its feeder from being quiet, so the evidence of that feeder's
//! later outages reaches back to its last gasp.)

use ink::prelude::{collections::BTreeMap, vec::Vec};

use crate::{merkle, Digest};

/// What a meter reported about its power.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum EventKind {
    /// The meter lost power (its last message before going dark).
    LastGasp,
    /// The meter's power came back.
    Restore,
}

/// A power event reported by a meter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
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

impl EventKind {
    /// The kind's code in a leaf: 0 = last gasp, 1 = restore.
    pub fn code(self) -> u8 {
        match self {
            Self::LastGasp => 0,
            Self::Restore => 1,
        }
    }

    /// The kind `code` stands for, if any.
    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            0 => Some(Self::LastGasp),
            1 => Some(Self::Restore),
            _ => None,
        }
    }
}

/// Bytes of a meter event's leaf data ([`MeterEvent::leaf_data`]).
pub const LEAF_DATA_BYTES: usize = 21;

impl MeterEvent {
    /// The event's Merkle leaf: [`merkle::leaf_hash`] of its [`MeterEvent::leaf_data`]. Changing any
    /// field changes the leaf.
    pub fn leaf(&self) -> Digest {
        merkle::leaf_hash(&self.leaf_data())
    }

    /// What the leaf hashes: the kind's code ([`EventKind::code`]), then the meter (`u64`), the
    /// feeder (`u32`) and the time (`u64`, ms), each little-endian.
    pub fn leaf_data(&self) -> [u8; LEAF_DATA_BYTES] {
        let mut data = [0u8; LEAF_DATA_BYTES];
        data[0] = self.kind.code();
        data[1..9].copy_from_slice(&self.meter.to_le_bytes());
        data[9..13].copy_from_slice(&self.feeder.to_le_bytes());
        data[13..].copy_from_slice(&self.at_ms.to_le_bytes());
        data
    }

    /// The event whose [`MeterEvent::leaf_data`] `bytes` start with; `None` for fewer bytes or an
    /// unknown kind. What a verifier holding only leaf data (the portal's in-browser check) reads.
    pub fn from_leaf_data(bytes: &[u8]) -> Option<Self> {
        Some(Self {
            kind: EventKind::from_code(*bytes.first()?)?,
            meter: u64::from_le_bytes(bytes.get(1..9)?.try_into().ok()?),
            feeder: u32::from_le_bytes(bytes.get(9..13)?.try_into().ok()?),
            at_ms: u64::from_le_bytes(bytes.get(13..LEAF_DATA_BYTES)?.try_into().ok()?),
        })
    }

    /// The position in canonical order: time, then meter, then kind (then feeder, only so that the
    /// order is total).
    fn canonical_key(&self) -> (u64, u64, EventKind, u32) {
        (self.at_ms, self.meter, self.kind, self.feeder)
    }
}

/// The meter events of an outage across `meters` of `feeder` as their meters report it: meter `m`
/// sends its last gasp at `lost_at_ms + m · gap_ms` and its restore at `back_at_ms + m · gap_ms` (a
/// feeder's meters never report at the same instant). Last gasps first, then restores. For tests,
/// benchmarks and demos that need a storm.
pub fn outage_events(
    feeder: u32,
    meters: impl Iterator<Item = u64> + Clone,
    lost_at_ms: u64,
    back_at_ms: u64,
    gap_ms: u64,
) -> Vec<MeterEvent> {
    let event = |kind, meter: u64, from: u64| MeterEvent {
        kind,
        meter,
        feeder,
        at_ms: from.saturating_add(meter.saturating_mul(gap_ms)),
    };
    meters
        .clone()
        .map(|m| event(EventKind::LastGasp, m, lost_at_ms))
        .chain(meters.map(|m| event(EventKind::Restore, m, back_at_ms)))
        .collect()
}

/// How outages are decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutageRule {
    /// Dark meters that make a feeder outage (at least 1; 0 counts as 1).
    pub min_dark_meters: u32,
    /// How long an outage may stay open before it is flagged stale (ms).
    pub stale_after_ms: u64,
}

/// Dark meters that make an outage unless an operator configures otherwise.
pub const DEFAULT_MIN_DARK_METERS: u32 = 3;

impl Default for OutageRule {
    fn default() -> Self {
        Self {
            min_dark_meters: DEFAULT_MIN_DARK_METERS,
            stale_after_ms: crate::time::DAY_MS,
        }
    }
}

/// A feeder outage and the events that decided it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
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
    /// Its evidence (see the module docs); for an open outage, its feeder's events so far.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub evidence: Vec<MeterEvent>,
}

impl Outage {
    /// The Merkle root over its evidence, as its final report carries it.
    pub fn evidence_root(&self) -> Digest {
        evidence_root(&self.evidence)
    }
}

/// The Merkle root over `evidence`'s leaves in the given order. An empty list (which no outage has)
/// gets the all-zero digest, which no Merkle root equals.
pub fn evidence_root(evidence: &[MeterEvent]) -> Digest {
    let leaves: Vec<Digest> = evidence.iter().map(MeterEvent::leaf).collect();
    merkle::root(&leaves).unwrap_or([0; 32])
}

/// The proof that `evidence[index]` is in the tree whose root is [`evidence_root`]`(evidence)`.
pub fn evidence_proof(evidence: &[MeterEvent], index: usize) -> Option<merkle::MerkleProof> {
    let leaves: Vec<Digest> = evidence.iter().map(MeterEvent::leaf).collect();
    merkle::proof(&leaves, index)
}

/// `events` in canonical order, exact duplicates removed.
pub fn canonical(events: &[MeterEvent]) -> Vec<MeterEvent> {
    let mut sorted = events.to_vec();
    sorted.sort_by_key(MeterEvent::canonical_key);
    sorted.dedup();
    sorted
}

/// Every outage in `events` (any order), as of `now_ms`, ordered by start then feeder.
pub fn decide(events: &[MeterEvent], rule: &OutageRule, now_ms: u64) -> Vec<Outage> {
    let mut by_feeder: BTreeMap<u32, Vec<MeterEvent>> = BTreeMap::new();
    for e in canonical(events) {
        by_feeder.entry(e.feeder).or_default().push(e);
    }
    let mut outages = Vec::new();
    for (feeder, feed) in by_feeder {
        decide_feeder(feeder, &feed, rule, now_ms, &mut outages);
    }
    outages.sort_by_key(|o| (o.start_ms, o.feeder));
    outages
}

/// The outages of one feeder whose events, in canonical order, are `feed`.
fn decide_feeder(
    feeder: u32,
    feed: &[MeterEvent],
    rule: &OutageRule,
    now_ms: u64,
    outages: &mut Vec<Outage>,
) {
    let threshold = usize::try_from(rule.min_dark_meters.max(1)).unwrap_or(usize::MAX);
    // Dark meters and since when.
    let mut dark: BTreeMap<u64, u64> = BTreeMap::new();
    // The outage in progress: its start and the meters dark during it.
    let mut current: Option<(u64, Vec<u64>)> = None;
    // Where the evidence of the next outage begins: just after the feeder was last quiet.
    let mut quiet_from = 0usize;
    for (position, e) in feed.iter().enumerate() {
        match e.kind {
            EventKind::LastGasp => {
                dark.entry(e.meter).or_insert(e.at_ms);
                if let Some((_, meters)) = &mut current {
                    meters.push(e.meter);
                } else if dark.len() >= threshold {
                    let start = dark.values().copied().min().unwrap_or(e.at_ms);
                    current = Some((start, dark.keys().copied().collect()));
                }
            }
            EventKind::Restore => {
                if dark.remove(&e.meter).is_none() {
                    continue;
                }
                if dark.len() < threshold {
                    if let Some((start_ms, meters)) = current.take() {
                        outages.push(Outage {
                            feeder,
                            start_ms,
                            end_ms: Some(e.at_ms),
                            meters: ascending(meters),
                            stale: false,
                            evidence: feed.get(quiet_from..=position).unwrap_or_default().to_vec(),
                        });
                    }
                }
                if dark.is_empty() {
                    quiet_from = position.saturating_add(1);
                }
            }
        }
    }
    if let Some((start_ms, meters)) = current {
        outages.push(Outage {
            feeder,
            start_ms,
            end_ms: None,
            meters: ascending(meters),
            stale: now_ms.saturating_sub(start_ms) > rule.stale_after_ms,
            evidence: feed.get(quiet_from..).unwrap_or_default().to_vec(),
        });
    }
}

fn ascending(mut meters: Vec<u64>) -> Vec<u64> {
    meters.sort_unstable();
    meters.dedup();
    meters
}

/// Why a list of events is not an outage's evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvidenceError {
    /// No events at all.
    Empty,
    /// Events of more than one feeder.
    MixedFeeders,
    /// Not in canonical order, or an event listed twice.
    NotCanonical,
    /// The rule finds no ended outage in them.
    NoOutage,
    /// Events beyond the restore that ended the outage, or before the feeder's last quiet point.
    Extra,
}

impl EvidenceError {
    /// The reason in words.
    pub fn describe(&self) -> &'static str {
        match self {
            EvidenceError::Empty => "the evidence holds no events",
            EvidenceError::MixedFeeders => "the evidence mixes events of several feeders",
            EvidenceError::NotCanonical => {
                "the evidence is not in canonical order (time, meter, kind) or repeats an event"
            }
            EvidenceError::NoOutage => "the outage rule finds no ended outage in the evidence",
            EvidenceError::Extra => "the evidence holds events outside the outage it decides",
        }
    }
}

/// Recomputes the outage `evidence` decides under `rule`: it must be one feeder's events in canonical
/// order, and exactly the evidence of the last outage the rule finds in them, which must have ended.
pub fn recompute(evidence: &[MeterEvent], rule: &OutageRule) -> Result<Outage, EvidenceError> {
    let first = evidence.first().ok_or(EvidenceError::Empty)?;
    if evidence.iter().any(|e| e.feeder != first.feeder) {
        return Err(EvidenceError::MixedFeeders);
    }
    if canonical(evidence) != evidence {
        return Err(EvidenceError::NotCanonical);
    }
    // `now` does not matter: only an ended outage counts.
    let outage = decide(evidence, rule, 0)
        .pop()
        .filter(|o| o.end_ms.is_some())
        .ok_or(EvidenceError::NoOutage)?;
    if outage.evidence != evidence {
        return Err(EvidenceError::Extra);
    }
    Ok(outage)
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

    fn rule(min_dark_meters: u32) -> OutageRule {
        OutageRule {
            min_dark_meters,
            stale_after_ms: 10_000,
        }
    }

    fn storm() -> Vec<MeterEvent> {
        vec![
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
        ]
    }

    #[test]
    fn an_outage_needs_enough_dark_meters_and_ends_below_the_threshold() {
        let outages = decide(&storm(), &rule(3), 2_000);
        assert_eq!(outages.len(), 1);
        let o = &outages[0];
        assert_eq!(
            (o.feeder, o.start_ms, o.end_ms, &o.meters, o.stale),
            (7, 150, Some(1_000), &vec![1, 2, 3, 4], false)
        );
        // The feeder was never quiet before: from its first event through the ending restore.
        assert_eq!(o.evidence.first(), Some(&gasp(1, 7, 100)));
        assert_eq!(o.evidence.last(), Some(&restore(3, 7, 1_000)));
        assert_eq!(o.evidence.len(), 8);
    }

    #[test]
    fn the_order_events_arrive_in_changes_nothing() {
        let mut shuffled = storm();
        shuffled.reverse();
        shuffled.push(gasp(3, 7, 210)); // a duplicate delivery
        assert_eq!(
            decide(&shuffled, &rule(3), 2_000),
            decide(&storm(), &rule(3), 2_000)
        );
    }

    #[test]
    fn a_restore_that_never_comes_leaves_the_outage_open_then_stale() {
        let events = [
            gasp(1, 3, 0),
            gasp(2, 3, 5),
            gasp(2, 3, 6),
            restore(5, 3, 7),
        ];
        let open = decide(&events, &rule(2), 9_000);
        assert_eq!(open.len(), 1);
        assert_eq!((open[0].end_ms, open[0].stale), (None, false));
        assert_eq!(open[0].meters, vec![1, 2]);
        assert!(decide(&events, &rule(2), 10_001)[0].stale);
        assert_eq!(
            recompute(&canonical(&events), &rule(2)),
            Err(EvidenceError::NoOutage)
        );
    }

    #[test]
    fn the_evidence_alone_recomputes_the_outage() {
        let o = decide(&storm(), &rule(3), 2_000).remove(0);
        assert_eq!(recompute(&o.evidence, &rule(3)), Ok(o.clone()));
        // Under another threshold the same events decide something else.
        assert_ne!(recompute(&o.evidence, &rule(2)), Ok(o.clone()));
    }

    #[test]
    fn an_outage_that_begins_before_the_last_one_let_every_meter_back_recomputes_as_the_last() {
        // Meters 3 and 4 go dark during outage P; 4 comes back and ends P while 3 stays dark, so the
        // feeder is never quiet before outage N, which starts at 3's last gasp.
        let events = [
            gasp(1, 5, 100),
            gasp(2, 5, 110), // P from 100
            gasp(3, 5, 120),
            gasp(4, 5, 130),
            restore(1, 5, 140),
            restore(2, 5, 150),
            restore(4, 5, 160), // P over; 3 still dark
            gasp(5, 5, 300),    // N from 120
            restore(3, 5, 400),
        ];
        let outages = decide(&events, &rule(2), 1_000);
        let n = outages.iter().find(|o| o.start_ms == 120).unwrap();
        assert_eq!(n.end_ms, Some(400));
        assert_eq!(n.evidence.len(), events.len());
        assert_eq!(recompute(&n.evidence, &rule(2)).as_ref(), Ok(n));
    }

    #[test]
    fn doctored_evidence_is_refused_or_decides_otherwise() {
        let o = decide(&storm(), &rule(3), 2_000).remove(0);
        let mut reversed = o.evidence.clone();
        reversed.reverse();
        assert_eq!(
            recompute(&reversed, &rule(3)),
            Err(EvidenceError::NotCanonical)
        );
        let mut mixed = o.evidence.clone();
        mixed.push(gasp(9, 8, 2_000));
        assert_eq!(
            recompute(&mixed, &rule(3)),
            Err(EvidenceError::MixedFeeders)
        );
        let mut trailing = o.evidence.clone();
        trailing.push(restore(1, 7, 1_100));
        assert_eq!(recompute(&trailing, &rule(3)), Err(EvidenceError::Extra));
        let mut before_quiet = vec![gasp(5, 7, 10), restore(5, 7, 20)];
        before_quiet.extend(o.evidence.iter().copied());
        assert_eq!(
            recompute(&before_quiet, &rule(3)),
            Err(EvidenceError::Extra)
        );
        assert_eq!(recompute(&[], &rule(3)), Err(EvidenceError::Empty));
        // A later restore: a longer outage, and another root.
        let mut later = o.evidence.clone();
        let end = later.len() - 1;
        later[end].at_ms = 1_050;
        let longer = recompute(&later, &rule(3)).unwrap();
        assert_eq!(longer.end_ms, Some(1_050));
        assert_ne!(evidence_root(&later), o.evidence_root());
    }

    #[test]
    fn every_field_is_in_the_leaf_and_every_event_proves() {
        let e = gasp(1, 7, 100);
        for changed in [
            restore(1, 7, 100),
            gasp(2, 7, 100),
            gasp(1, 8, 100),
            gasp(1, 7, 101),
        ] {
            assert_ne!(changed.leaf(), e.leaf());
        }
        let o = decide(&storm(), &rule(3), 2_000).remove(0);
        let root = o.evidence_root();
        for (i, event) in o.evidence.iter().enumerate() {
            let proof = evidence_proof(&o.evidence, i).unwrap();
            assert!(merkle::verify(&root, &event.leaf(), &proof));
        }
    }

    #[test]
    fn leaf_data_reads_back_as_its_event_and_nothing_else_does() {
        for e in [gasp(1, 7, 100), restore(u64::MAX, u32::MAX, u64::MAX)] {
            let data = e.leaf_data();
            assert_eq!(MeterEvent::from_leaf_data(&data), Some(e));
            assert_eq!(
                MeterEvent::from_leaf_data(&data[..LEAF_DATA_BYTES - 1]),
                None
            );
            let mut unknown = data;
            unknown[0] = 2;
            assert_eq!(MeterEvent::from_leaf_data(&unknown), None);
        }
    }
}
