//! Plausibility bounds: a record that parses can still be impossible — a meter clock reset to 1970, a
//! timestamp in the year 5138, an interval that starts at 10:07 when intervals are quarter hours, 10¹⁷ Wh
//! in fifteen minutes, an event from a feeder the utility does not have. Such a record would be stored
//! and then decide outages and subsidies, so it is rejected at the door and the reject names the bound.

use std::collections::BTreeSet;

use gridtrust_common::time::MINUTE_MS;

use crate::records::Record;

/// The largest number the store keeps (SQLite's signed 64-bit integer).
pub const MAX_STORABLE: u64 = i64::MAX as u64;

/// 2000-01-01T00:00:00Z: no smart meter sent data before it.
pub const DEFAULT_NOT_BEFORE_MS: u64 = 946_684_800_000;

/// What a record must satisfy to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bounds {
    /// No timestamp before this (ms since the Unix epoch).
    pub not_before_ms: u64,
    /// How far a timestamp may be ahead of this machine's clock (ms): meter clocks drift.
    pub future_tolerance_ms: u64,
    /// The reading interval (ms): an interval start must be a multiple of it.
    pub interval_ms: u64,
    /// The most energy one meter may draw in one interval (Wh).
    pub max_wh: u64,
    /// The feeders the utility has; an event of any other is rejected. `None`: any feeder.
    pub feeders: Option<BTreeSet<u32>>,
}

impl Default for Bounds {
    /// 2000 onwards, 15 minutes of clock drift, quarter-hour intervals, at most 1 MWh per interval
    /// (a 4 MW connection drawing fully for fifteen minutes), any feeder.
    fn default() -> Self {
        Self {
            not_before_ms: DEFAULT_NOT_BEFORE_MS,
            future_tolerance_ms: 15 * MINUTE_MS,
            interval_ms: 15 * MINUTE_MS,
            max_wh: 1_000_000,
            feeders: None,
        }
    }
}

impl Bounds {
    /// Only what the store can hold: for a verifier, who judges data by the chain's roots, not by an
    /// operator's idea of plausible.
    pub fn storable() -> Self {
        Self {
            not_before_ms: 0,
            future_tolerance_ms: MAX_STORABLE,
            interval_ms: 0,
            max_wh: MAX_STORABLE,
            feeders: None,
        }
    }

    /// Why `record` cannot be stored at `now_ms`, naming the bound it breaks; `Ok` when it can.
    pub fn check(&self, record: &Record, now_ms: u64) -> Result<(), String> {
        let (meter, field, at, wh) = match record {
            Record::Reading(r) => (r.meter, "interval_start_ms", r.interval_start_ms, r.wh),
            Record::Event(e) => (e.meter, "at_ms", e.at_ms, 0),
            Record::UnusableReading(u) => (u.meter, "interval_start_ms", u.interval_start_ms, 0),
        };
        for (name, value) in [("meter", meter), (field, at), ("wh", wh)] {
            if value > MAX_STORABLE {
                return Err(format!(
                    "{name} {value} is beyond the largest storable number {MAX_STORABLE}"
                ));
            }
        }
        if at < self.not_before_ms {
            return Err(format!(
                "{field} {at} is before not_before ({} ms)",
                self.not_before_ms
            ));
        }
        let latest = now_ms.saturating_add(self.future_tolerance_ms);
        if at > latest {
            return Err(format!(
                "{field} {at} is in the future: more than future_tolerance ({} min) after now ({now_ms})",
                self.future_tolerance_ms / MINUTE_MS
            ));
        }
        if let Record::Reading(_) | Record::UnusableReading(_) = record {
            if self.interval_ms > 0 && at % self.interval_ms != 0 {
                return Err(format!(
                    "interval_start_ms {at} is not on an interval boundary (interval = {} s)",
                    self.interval_ms / 1_000
                ));
            }
        }
        match record {
            Record::UnusableReading(_) => {}
            Record::Reading(r) => {
                if r.wh > self.max_wh {
                    return Err(format!(
                        "wh {} is more than max_wh_per_interval ({})",
                        r.wh, self.max_wh
                    ));
                }
            }
            Record::Event(e) => {
                if let Some(feeders) = &self.feeders {
                    if !feeders.contains(&e.feeder) {
                        return Err(format!(
                            "feeder {} is not one of the utility's feeders (feeders = {:?})",
                            e.feeder, feeders
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

/// Midnight UTC of `date` (`YYYY-MM-DD`), in ms since the Unix epoch.
pub fn date_ms(date: &str) -> Result<u64, String> {
    let day = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .map_err(|e| format!("`{date}` is not a date like 2000-01-01: {e}"))?;
    let ms = day
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp_millis())
        .unwrap_or_default();
    u64::try_from(ms).map_err(|_| format!("`{date}` is before 1970"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::{EventKind, MeterEvent, Reading};

    const NOW: u64 = 1_790_000_000_000; // 2026-09

    fn reading(meter: u64, interval_start_ms: u64, wh: u64) -> Record {
        Record::Reading(Reading {
            meter,
            interval_start_ms,
            wh,
        })
    }

    #[test]
    fn each_bound_is_named_when_broken() {
        let b = Bounds {
            feeders: Some([1, 2].into()),
            ..Bounds::default()
        };
        let t = 1_789_999_200_000; // on a quarter hour, before NOW
        assert_eq!(b.check(&reading(7, t, 250), NOW), Ok(()));
        let why = |r: &Record| b.check(r, NOW).unwrap_err();
        assert!(why(&reading(u64::MAX, t, 1)).contains("largest storable"));
        assert!(why(&reading(7, 0, 1)).contains("not_before"));
        // The year 5138.
        assert!(why(&reading(7, 99_999_999_900_000, 1)).contains("future_tolerance"));
        assert!(why(&reading(7, t + 60_000, 1)).contains("interval boundary"));
        assert!(why(&reading(7, t, 100_000_000_000_000_000)).contains("max_wh_per_interval"));
        let event = |feeder| {
            Record::Event(MeterEvent {
                kind: EventKind::LastGasp,
                meter: 7,
                feeder,
                at_ms: t + 1,
            })
        };
        assert_eq!(b.check(&event(2), NOW), Ok(()));
        assert!(why(&event(9)).contains("feeders"));
        // Within the drift allowance is fine; events need no boundary.
        assert_eq!(
            b.check(&reading(7, NOW + 900_000 - NOW % 900_000, 1), NOW),
            Ok(())
        );
    }

    #[test]
    fn dates_are_utc_midnights() {
        assert_eq!(date_ms("2000-01-01"), Ok(DEFAULT_NOT_BEFORE_MS));
        assert!(date_ms("2000-02-30").is_err());
        assert!(date_ms("1969-12-31").unwrap_err().contains("1970"));
    }
}
