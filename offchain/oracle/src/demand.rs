//! Demand-response results for one event: each meter's baseline (by `gridtrust_common::baseline`, the
//! code the contract recomputes it with), its actual load, and the Merkle root of the readings behind
//! them, ready to become a `MeasurementBatch`.

use gridtrust_common::{
    baseline::{self, BaselineError, BaselineInput, BaselineParams, DayReadings},
    demand::reading_leaf,
    merkle,
    time::DAY_MS,
    Digest,
};

use crate::{
    records::Quality,
    store::{Store, StoreError},
};

/// What the oracle needs to know about an event and the days before it.
#[derive(Debug, Clone)]
pub struct EventSpec {
    /// Event start (ms); the window's clock times are taken from it.
    pub start_ms: u64,
    /// Event end (ms).
    pub end_ms: u64,
    /// Length of each reading interval (ms), e.g. 900 000 for 15 minutes.
    pub interval_ms: u64,
    /// The adjustment window: how long it is and how long before the start it ends (ms).
    pub adjustment_len_ms: u64,
    /// Gap between the adjustment window's end and the event start (ms).
    pub adjustment_gap_ms: u64,
    /// The event's local day number (days since 1970-01-01 in the program's time zone); history days
    /// are numbered back from it.
    pub event_day: u32,
    /// The event day's type.
    pub day_type: u8,
    /// Past days to consider: (days before the event day, day type, was an event day).
    pub history: Vec<(u32, u8, bool)>,
    /// The program's baseline method.
    pub params: BaselineParams,
}

impl EventSpec {
    /// Where a result's readings come from (`from..to`, ms): the event window, the adjustment window
    /// before it, and both again on every history day.
    pub fn windows(&self) -> Vec<(u64, u64)> {
        let len = self.end_ms.saturating_sub(self.start_ms);
        let adjustment_from = self
            .start_ms
            .saturating_sub(self.adjustment_gap_ms + self.adjustment_len_ms);
        let shifts = std::iter::once(0).chain(
            self.history
                .iter()
                .map(|&(days_before, _, _)| u64::from(days_before) * DAY_MS),
        );
        shifts
            .flat_map(|shift| {
                let event = self.start_ms.saturating_sub(shift);
                let adjustment = adjustment_from.saturating_sub(shift);
                [
                    (event, event.saturating_add(len)),
                    (
                        adjustment,
                        adjustment.saturating_add(self.adjustment_len_ms),
                    ),
                ]
            })
            .collect()
    }
}

/// One meter's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeterResult {
    /// The meter.
    pub meter: u64,
    /// Its baseline over the event (Wh).
    pub baseline_wh: u64,
    /// What it drew over the event (Wh).
    pub actual_wh: u64,
}

/// A meter left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The meter.
    pub meter: u64,
    /// Why.
    pub reason: String,
    /// Set when an interval the meter-data system marked estimated or missing kept it out.
    pub quality: Option<Quality>,
}

/// The results of an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventResults {
    /// Meters with complete data, ascending.
    pub results: Vec<MeterResult>,
    /// Meters left out.
    pub skipped: Vec<Skipped>,
    /// Root over the event-window readings of the included meters, meter by meter in time order
    /// (`demand::reading_leaf`); `None` when no meter was included.
    pub readings_root: Option<Digest>,
    /// The leaves in root order, to build inclusion proofs from.
    pub leaves: Vec<(u64, u64, u64)>,
}

/// What one window of a meter's readings holds.
enum Window {
    /// Every interval measured: the values, in time order.
    Complete(Vec<u64>),
    /// An interval with no reading.
    Gap,
    /// An interval marked estimated or missing: (its start, its quality).
    Unusable(u64, Quality),
}

/// The `interval_ms` readings of `meter` over `from..from + len`.
fn window(
    store: &Store,
    meter: u64,
    from: u64,
    len: u64,
    interval_ms: u64,
) -> Result<Window, StoreError> {
    let to = from.saturating_add(len);
    if let Some((at, quality)) = store.first_unusable(meter, from, to)? {
        return Ok(Window::Unusable(at, quality));
    }
    let readings = store.readings(meter, from, to)?;
    let expected = len / interval_ms.max(1);
    let complete = readings.len() as u64 == expected
        && readings
            .iter()
            .enumerate()
            .all(|(i, r)| r.interval_start_ms == from + i as u64 * interval_ms);
    Ok(if complete {
        Window::Complete(readings.iter().map(|r| r.wh).collect())
    } else {
        Window::Gap
    })
}

/// Computes every listed meter's result for the event described by `spec`.
pub fn results(
    store: &Store,
    spec: &EventSpec,
    meters: &[u64],
) -> Result<EventResults, StoreError> {
    let len = spec.end_ms.saturating_sub(spec.start_ms);
    let adjustment_from = spec
        .start_ms
        .saturating_sub(spec.adjustment_gap_ms + spec.adjustment_len_ms);
    let mut out = EventResults {
        results: Vec::new(),
        skipped: Vec::new(),
        readings_root: None,
        leaves: Vec::new(),
    };
    let mut meters = meters.to_vec();
    meters.sort_unstable();
    meters.dedup();
    'meters: for meter in meters {
        // The window's values, or why the meter is left out (`where_` names the window).
        let usable = |w: Window, where_: &str| match w {
            Window::Complete(values) => Ok(values),
            Window::Gap => Err(Skipped {
                meter,
                reason: format!("readings missing {where_}"),
                quality: None,
            }),
            Window::Unusable(at, quality) => Err(Skipped {
                meter,
                reason: format!("a reading marked {} at {at} {where_}", quality.as_str()),
                quality: Some(quality),
            }),
        };
        let windows = window(store, meter, spec.start_ms, len, spec.interval_ms)
            .map(|w| usable(w, "in the event window"))
            .and_then(|event| {
                let before = window(
                    store,
                    meter,
                    adjustment_from,
                    spec.adjustment_len_ms,
                    spec.interval_ms,
                )?;
                Ok(event.and_then(|e| usable(before, "before the event").map(|b| (e, b))))
            })?;
        let (event_window, day_of) = match windows {
            Ok(both) => both,
            Err(skipped) => {
                out.skipped.push(skipped);
                continue;
            }
        };
        let mut history = Vec::new();
        for &(days_before, day_type, event_day) in &spec.history {
            let shift = u64::from(days_before) * DAY_MS;
            let where_ = format!("{days_before} days before");
            let w = window(store, meter, spec.start_ms - shift, len, spec.interval_ms)?;
            let a = window(
                store,
                meter,
                adjustment_from - shift,
                spec.adjustment_len_ms,
                spec.interval_ms,
            )?;
            match usable(w, &where_).and_then(|w| usable(a, &where_).map(|a| (w, a))) {
                Ok((w, a)) => history.push(DayReadings {
                    day: spec.event_day.saturating_sub(days_before),
                    day_type,
                    event_day,
                    window: w,
                    adjustment_window: a,
                }),
                Err(skipped) => {
                    out.skipped.push(skipped);
                    continue 'meters;
                }
            }
        }
        let input = BaselineInput {
            day_type: spec.day_type,
            history,
            adjustment_window: day_of,
        };
        let b = match baseline::compute(&spec.params, &input) {
            Ok(b) => b,
            Err(e) => {
                out.skipped.push(Skipped {
                    meter,
                    reason: baseline_reason(e),
                    quality: None,
                });
                continue;
            }
        };
        for (i, wh) in event_window.iter().enumerate() {
            out.leaves
                .push((meter, spec.start_ms + i as u64 * spec.interval_ms, *wh));
        }
        out.results.push(MeterResult {
            meter,
            baseline_wh: b.baseline_wh,
            actual_wh: event_window.iter().sum(),
        });
    }
    out.readings_root = merkle::root(&out.leaf_hashes());
    Ok(out)
}

impl EventResults {
    /// The results of `meters` alone (some of the meters measured, ascending): what [`results`] over
    /// just them gives, without reading the store again, since each meter's result and readings stand
    /// on their own. A measurement batch commits to its own entries' readings with this.
    pub fn part(&self, meters: &[u64]) -> EventResults {
        let chosen = |m: &u64| meters.binary_search(m).is_ok();
        let mut part = EventResults {
            results: self
                .results
                .iter()
                .filter(|r| chosen(&r.meter))
                .cloned()
                .collect(),
            skipped: Vec::new(),
            readings_root: None,
            leaves: self
                .leaves
                .iter()
                .filter(|(m, ..)| chosen(m))
                .copied()
                .collect(),
        };
        part.readings_root = merkle::root(&part.leaf_hashes());
        part
    }

    /// The Merkle leaves behind [`EventResults::readings_root`], in root order.
    pub fn leaf_hashes(&self) -> Vec<Digest> {
        self.leaves
            .iter()
            .map(|&(m, t, wh)| reading_leaf(m, t, wh))
            .collect()
    }

    /// The inclusion proof of reading `index` of [`EventResults::leaves`] against the readings root.
    pub fn proof(&self, index: usize) -> Option<merkle::MerkleProof> {
        merkle::proof(&self.leaf_hashes(), index)
    }
}

fn baseline_reason(e: BaselineError) -> String {
    format!("baseline cannot be computed: {e:?}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::Reading;
    use crate::store::scratch_store;

    const Q: u64 = 900_000;

    const START: u64 = 20_000 * DAY_MS + 17 * 3_600_000;

    /// Five days of history and the event day for `meters`: 200 Wh per quarter in the adjustment
    /// window (the 2 hours ending 1 hour before the start), 500 in the event's hour on the days
    /// before and 300 during the event; meter 2 misses one event reading.
    fn town(meters: &[u64]) -> (tempfile::TempDir, Store) {
        let (dir, mut store) = scratch_store();
        let start = START;
        let mut rows = Vec::new();
        for &meter in meters {
            for d in 0..=5u64 {
                let day_start = start - d * DAY_MS;
                // Adjustment window: the 2 hours ending 1 hour before the start; then the event (1 h).
                for q in 0..8 {
                    rows.push(Reading {
                        meter,
                        interval_start_ms: day_start - 3 * 3_600_000 + q * Q,
                        wh: 200,
                    });
                }
                for q in 0..4 {
                    if meter == 2 && d == 0 && q == 2 {
                        continue;
                    }
                    rows.push(Reading {
                        meter,
                        interval_start_ms: day_start + q * Q,
                        wh: if d == 0 { 300 } else { 500 },
                    });
                }
            }
        }
        store.put_readings(&rows).unwrap();
        (dir, store)
    }

    fn spec() -> EventSpec {
        let start = START;
        EventSpec {
            start_ms: start,
            end_ms: start + 4 * Q,
            interval_ms: Q,
            adjustment_len_ms: 2 * 3_600_000,
            adjustment_gap_ms: 3_600_000,
            event_day: (start / DAY_MS) as u32,
            day_type: 0,
            history: (1..=5).map(|d| (d, 0, false)).collect(),
            params: BaselineParams {
                highest: 3,
                lookback: 5,
                adjustment_cap_bps: 2_000,
            },
        }
    }

    #[test]
    fn results_use_the_shared_baseline_and_commit_the_readings() {
        let (_dir, store) = town(&[1, 2]);
        let start = START;
        let r = results(&store, &spec(), &[2, 1, 1, 3]).unwrap();
        assert_eq!(
            r.results,
            vec![MeterResult {
                meter: 1,
                baseline_wh: 2_000,
                actual_wh: 1_200
            }]
        );
        assert_eq!(r.skipped.len(), 2);
        assert_eq!(r.skipped[0].meter, 2);
        assert_eq!(r.skipped[1].meter, 3);
        let leaves: Vec<_> = (0..4)
            .map(|q| reading_leaf(1, start + q * Q, 300))
            .collect();
        assert_eq!(r.readings_root, merkle::root(&leaves));
        assert_eq!(r.leaves.len(), 4);
    }

    #[test]
    fn a_part_is_what_the_store_gives_for_those_meters_alone() {
        let (_dir, store) = town(&[1, 2, 3, 4, 5]);
        let all = results(&store, &spec(), &[1, 2, 3, 4, 5]).unwrap();
        assert_eq!(all.results.len(), 4, "meter 2 is left out");
        for meters in [&[1u64, 3][..], &[4, 5], &[5]] {
            assert_eq!(all.part(meters), results(&store, &spec(), meters).unwrap());
        }
    }

    /// An estimated read in any window the result uses keeps the meter out, with that reason; one
    /// outside the windows does not.
    #[test]
    fn an_estimated_read_keeps_its_meter_out_of_the_result() {
        let (_dir, mut store) = town(&[1, 3, 4]);
        let marked = |meter, at| crate::records::UnusableRead {
            meter,
            interval_start_ms: at,
            quality: Quality::Estimated,
        };
        // Meter 3: the adjustment window three days before; meter 4: the small hours of the event
        // day, which no window covers.
        let three_days_before = START - 3 * DAY_MS - 3 * 3_600_000 + Q;
        let small_hours = START - 12 * 3_600_000;
        store
            .put_records(
                &[],
                &[],
                &[marked(3, three_days_before), marked(4, small_hours)],
            )
            .unwrap();
        let r = results(&store, &spec(), &[1, 3, 4]).unwrap();
        let measured: Vec<u64> = r.results.iter().map(|m| m.meter).collect();
        assert_eq!(measured, vec![1, 4]);
        assert_eq!(r.skipped.len(), 1);
        assert_eq!(r.skipped[0].meter, 3);
        assert_eq!(r.skipped[0].quality, Some(Quality::Estimated));
        assert!(
            r.skipped[0].reason.contains("marked estimated")
                && r.skipped[0].reason.contains("3 days before"),
            "{}",
            r.skipped[0].reason
        );
    }
}
