//! The customer baseline (CBL): what a meter would have drawn during a demand-response event had the
//! customer done nothing. One integer implementation for the oracle that submits baselines and for the
//! contract query anyone uses to check one.
//!
//! ## Method: highest X of the last Y days, with a capped day-of adjustment
//! 1. **Eligible days** are history days that were not event days and have the event day's *day type*
//!    (a number the program assigns: e.g. 0 = weekday, 1 = weekend or holiday). The `Y` most recent
//!    eligible days are used; fewer than `Y` is an error (the caller must supply enough history).
//! 2. Each day's **window load** is the sum of its readings over the event's intervals (same clock
//!    times). The `X` days with the highest window load are selected; on a tie the more recent day wins.
//! 3. **Unadjusted baseline** = (sum of the selected days' window loads) / X.
//! 4. **Day-of adjustment**: ratio of the event day's load in the hours before the event (the
//!    *adjustment window*, e.g. the 2 hours ending 1 hour before the start) to the selected days'
//!    average load over the same hours, in basis points, **capped to 10 000 ± `adjustment_cap_bps`**
//!    (±20 % = 2 000 bps is common, as in NYISO's and CAISO's methods). With no adjustment window, or
//!    when the selected days drew nothing in it, the ratio is 10 000 (no adjustment).
//! 5. **Baseline** = sum of selected window loads × ratio / (X × 10 000), rounded down, in Wh.
//!
//! All sums are over `u64` readings in `u128`, so no input can overflow them; the result not fitting in
//! `u64` is an error.

use ink::prelude::vec::Vec;

use crate::math::mul_div;

// The three limits below are sized together so that the largest input they allow still fits the
// 16 KiB buffer ink! decodes a call's input into: the on-chain `compute_baseline` query takes the raw
// readings, and must answer (not trap) for every input within them. Largest input: 40 days × (6 B of
// day header + 2 windows × (1 B length + 24 × 8 B)) + the event day's 24 readings ≈ 15.9 KB.

/// Most eligible days a method may look back over (`Y`).
pub const MAX_LOOKBACK_DAYS: u8 = 30;
/// Most intervals in a window, the event's and the adjustment's (24 = 6 hours of 15-minute intervals).
pub const MAX_INTERVALS: usize = 24;
/// Most history days one computation accepts.
pub const MAX_HISTORY_DAYS: usize = 40;
/// 100 % in basis points.
const WHOLE_BPS: u32 = 10_000;

/// A program's baseline method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct BaselineParams {
    /// `X`: how many of the highest-load days are averaged.
    pub highest: u8,
    /// `Y`: how many recent eligible days are considered.
    pub lookback: u8,
    /// Largest day-of adjustment either way, in basis points (2 000 = ±20 %; 0 = no adjustment).
    pub adjustment_cap_bps: u32,
}

impl BaselineParams {
    /// Whether the method is usable: `1 <= X <= Y <= MAX_LOOKBACK_DAYS`, cap at most 100 %.
    pub fn is_valid(&self) -> bool {
        self.highest >= 1
            && self.highest <= self.lookback
            && self.lookback <= MAX_LOOKBACK_DAYS
            && self.adjustment_cap_bps <= WHOLE_BPS
    }
}

/// One past day of a meter's interval readings (Wh per interval).
#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct DayReadings {
    /// Day number (UTC days since 1970-01-01); distinct across the history.
    pub day: u32,
    /// Day type, as the program numbers them.
    pub day_type: u8,
    /// Whether a demand-response event was held that day (such days are never eligible).
    pub event_day: bool,
    /// Readings over the event's intervals, at the same clock times.
    pub window: Vec<u64>,
    /// Readings over the adjustment window.
    pub adjustment_window: Vec<u64>,
}

/// Everything a baseline is computed from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct BaselineInput {
    /// The event day's type.
    pub day_type: u8,
    /// Past days, in any order.
    pub history: Vec<DayReadings>,
    /// The event day's readings over the adjustment window.
    pub adjustment_window: Vec<u64>,
}

/// A computed baseline and how it was reached.
#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct Baseline {
    /// The baseline over the event window, Wh.
    pub baseline_wh: u64,
    /// Before the day-of adjustment, Wh (rounded down).
    pub unadjusted_wh: u64,
    /// The day-of adjustment applied, in basis points (10 000 = none).
    pub adjustment_bps: u32,
    /// The selected days, highest window load first.
    pub selected_days: Vec<u32>,
}

/// Why a baseline cannot be computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum BaselineError {
    /// The parameters are out of range (see [`BaselineParams::is_valid`]).
    InvalidParams,
    /// Fewer eligible days than the lookback `Y`, or more history than [`MAX_HISTORY_DAYS`].
    NotEnoughDays,
    /// Two history days have the same day number.
    DuplicateDay,
    /// Windows differ in length, are empty, or exceed [`MAX_INTERVALS`].
    WindowMismatch,
    /// The baseline does not fit in `u64`.
    Overflow,
}

fn total(readings: &[u64]) -> u128 {
    readings.iter().map(|&r| u128::from(r)).sum()
}

/// Sorts by key, largest first, keeping the order of equal keys. An insertion sort: history is at
/// most [`MAX_HISTORY_DAYS`] long, and core's sorts would add about 8 KB to every contract's Wasm.
fn sort_descending<K: Ord + Copy, T>(items: &mut [(K, T)]) {
    for i in 1..items.len() {
        let mut j = i;
        while let Some(prev) = j.checked_sub(1) {
            if items[prev].0 >= items[j].0 {
                break;
            }
            items.swap(prev, j);
            j = prev;
        }
    }
}

/// Computes the baseline of `input` by the method `params` (see the module docs).
pub fn compute(params: &BaselineParams, input: &BaselineInput) -> Result<Baseline, BaselineError> {
    if !params.is_valid() {
        return Err(BaselineError::InvalidParams);
    }
    let history = &input.history;
    if history.len() > MAX_HISTORY_DAYS {
        return Err(BaselineError::NotEnoughDays);
    }
    let mut days: Vec<(u32, &DayReadings)> = history.iter().map(|d| (d.day, d)).collect();
    sort_descending(&mut days);
    if days.windows(2).any(|w| w[0].0 == w[1].0) {
        return Err(BaselineError::DuplicateDay);
    }
    let lookback = usize::from(params.lookback);
    let eligible: Vec<&DayReadings> = days
        .into_iter()
        .map(|(_, d)| d)
        .filter(|d| !d.event_day && d.day_type == input.day_type)
        .take(lookback)
        .collect();
    if eligible.len() < lookback {
        return Err(BaselineError::NotEnoughDays);
    }
    let width = eligible.first().map_or(0, |d| d.window.len());
    let adjustment_width = input.adjustment_window.len();
    if width == 0
        || width > MAX_INTERVALS
        || adjustment_width > MAX_INTERVALS
        || eligible
            .iter()
            .any(|d| d.window.len() != width || d.adjustment_window.len() != adjustment_width)
    {
        return Err(BaselineError::WindowMismatch);
    }

    // Highest window load first; `eligible` is most recent first and the sort is stable, so a tie
    // keeps the more recent day ahead.
    let mut ranked: Vec<(u128, &DayReadings)> = eligible
        .into_iter()
        .map(|d| (total(&d.window), d))
        .collect();
    sort_descending(&mut ranked);
    ranked.truncate(usize::from(params.highest));
    let eligible: Vec<&DayReadings> = ranked.into_iter().map(|(_, d)| d).collect();
    let x = u128::from(params.highest);
    let window_sum: u128 = eligible.iter().map(|d| total(&d.window)).sum();
    let adjustment_sum: u128 = eligible.iter().map(|d| total(&d.adjustment_window)).sum();

    let adjustment_bps = if adjustment_width == 0 || adjustment_sum == 0 {
        WHOLE_BPS
    } else {
        // day-of load / (selected load / X), in bps, clamped to the cap.
        let raw = mul_div(
            total(&input.adjustment_window),
            x.saturating_mul(u128::from(WHOLE_BPS)),
            adjustment_sum,
        )
        .unwrap_or(u128::MAX);
        let low = u128::from(WHOLE_BPS.saturating_sub(params.adjustment_cap_bps));
        let high = u128::from(WHOLE_BPS.saturating_add(params.adjustment_cap_bps));
        // Clamped to at most 20 000, so it fits in u32.
        u32::try_from(raw.clamp(low, high)).unwrap_or(WHOLE_BPS)
    };
    let baseline = mul_div(
        window_sum,
        u128::from(adjustment_bps),
        x.saturating_mul(u128::from(WHOLE_BPS)),
    )
    .ok_or(BaselineError::Overflow)?;
    Ok(Baseline {
        baseline_wh: u64::try_from(baseline).map_err(|_| BaselineError::Overflow)?,
        unadjusted_wh: window_sum
            .checked_div(x)
            .and_then(|u| u64::try_from(u).ok())
            .ok_or(BaselineError::Overflow)?,
        adjustment_bps,
        selected_days: eligible.iter().map(|d| d.day).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(day: u32, day_type: u8, event_day: bool, window: &[u64], pre: &[u64]) -> DayReadings {
        DayReadings {
            day,
            day_type,
            event_day,
            window: window.to_vec(),
            adjustment_window: pre.to_vec(),
        }
    }

    fn params(highest: u8, lookback: u8, cap: u32) -> BaselineParams {
        BaselineParams {
            highest,
            lookback,
            adjustment_cap_bps: cap,
        }
    }

    /// Five weekdays (window loads 10, 14, 12, 9, 13 kWh over two intervals; 4 kWh each in the
    /// adjustment window), an event day and a weekend day in between that must be skipped.
    fn history() -> Vec<DayReadings> {
        vec![
            day(100, 0, false, &[5_000, 5_000], &[2_000, 2_000]),
            day(101, 0, false, &[7_000, 7_000], &[2_000, 2_000]),
            day(102, 1, false, &[50_000, 50_000], &[9_000, 9_000]), // weekend
            day(103, 0, true, &[40_000, 40_000], &[9_000, 9_000]),  // event day
            day(104, 0, false, &[6_000, 6_000], &[2_000, 2_000]),
            day(105, 0, false, &[4_500, 4_500], &[2_000, 2_000]),
            day(106, 0, false, &[6_500, 6_500], &[2_000, 2_000]),
        ]
    }

    fn input(pre: &[u64]) -> BaselineInput {
        BaselineInput {
            day_type: 0,
            history: history(),
            adjustment_window: pre.to_vec(),
        }
    }

    #[test]
    fn highest_three_of_five_without_adjustment() {
        // Eligible: 106 (13 000), 105 (9 000), 104 (12 000), 101 (14 000), 100 (10 000).
        // Highest 3: 101, 106, 104 → (14 000 + 13 000 + 12 000) / 3 = 13 000.
        let b = compute(&params(3, 5, 0), &input(&[2_000, 2_000])).unwrap();
        assert_eq!(b.selected_days, vec![101, 106, 104]);
        assert_eq!(
            (b.unadjusted_wh, b.baseline_wh, b.adjustment_bps),
            (13_000, 13_000, 10_000)
        );
    }

    #[test]
    fn the_day_of_adjustment_scales_and_is_capped() {
        // Day-of 4 400 Wh before the event against 4 000 average: +10 %, within a 20 % cap.
        let b = compute(&params(3, 5, 2_000), &input(&[2_200, 2_200])).unwrap();
        assert_eq!((b.adjustment_bps, b.baseline_wh), (11_000, 14_300));
        // Day-of 6 000 against 4 000 is +50 %: capped at +20 % → 15 600.
        let b = compute(&params(3, 5, 2_000), &input(&[3_000, 3_000])).unwrap();
        assert_eq!((b.adjustment_bps, b.baseline_wh), (12_000, 15_600));
        // Day-of 1 000 against 4 000 is −75 %: capped at −20 % → 10 400.
        let b = compute(&params(3, 5, 2_000), &input(&[500, 500])).unwrap();
        assert_eq!((b.adjustment_bps, b.baseline_wh), (8_000, 10_400));
        // A 0 cap means no adjustment at all.
        let b = compute(&params(3, 5, 0), &input(&[3_000, 3_000])).unwrap();
        assert_eq!(b.baseline_wh, 13_000);
    }

    #[test]
    fn averages_round_down() {
        // Highest 2 of 3 most recent: 106 (13 000) and 104 (12 000) → 12 500; of 105/104/106 with
        // highest 3: 34 000 / 3 = 11 333.33 → 11 333.
        let b = compute(&params(2, 3, 0), &input(&[2_000, 2_000])).unwrap();
        assert_eq!(
            (b.selected_days.clone(), b.baseline_wh),
            (vec![106, 104], 12_500)
        );
        let b = compute(&params(3, 3, 0), &input(&[2_000, 2_000])).unwrap();
        assert_eq!(b.baseline_wh, 11_333);
        // +5 % on the three most recent days: 34 000 × 1.05 / 3 = 11 900.
        let mut i = input(&[2_100, 2_100]);
        i.history.retain(|d| d.day >= 104);
        let b = compute(&params(3, 3, 2_000), &i).unwrap();
        assert_eq!((b.adjustment_bps, b.baseline_wh), (10_500, 11_900));
    }

    #[test]
    fn the_small_sort_orders_like_a_stable_sort_descending() {
        let keys = [3u32, 9, 1, 9, 0, 3, 7, 7, 7, 2, 8, 3];
        let mut ours: Vec<(u32, usize)> = keys.iter().copied().zip(0..).collect();
        let mut reference = ours.clone();
        sort_descending(&mut ours);
        reference.sort_by(|a, b| b.0.cmp(&a.0));
        assert_eq!(ours, reference);
    }

    #[test]
    fn ties_go_to_the_more_recent_day() {
        let history = vec![
            day(10, 0, false, &[100], &[]),
            day(12, 0, false, &[100], &[]),
            day(11, 0, false, &[50], &[]),
        ];
        let i = BaselineInput {
            day_type: 0,
            history,
            adjustment_window: vec![],
        };
        let b = compute(&params(1, 3, 0), &i).unwrap();
        assert_eq!(b.selected_days, vec![12]);
    }

    #[test]
    fn bad_inputs_are_errors_not_panics() {
        let i = input(&[2_000, 2_000]);
        assert_eq!(
            compute(&params(0, 5, 0), &i),
            Err(BaselineError::InvalidParams)
        );
        assert_eq!(
            compute(&params(6, 5, 0), &i),
            Err(BaselineError::InvalidParams)
        );
        assert_eq!(
            compute(&params(1, 46, 0), &i),
            Err(BaselineError::InvalidParams)
        );
        assert_eq!(
            compute(&params(1, 5, 10_001), &i),
            Err(BaselineError::InvalidParams)
        );
        // Only five eligible weekdays.
        assert_eq!(
            compute(&params(3, 6, 0), &i),
            Err(BaselineError::NotEnoughDays)
        );
        let mut dup = input(&[]);
        dup.history.push(day(106, 0, false, &[1, 1], &[]));
        assert_eq!(
            compute(&params(3, 5, 0), &dup),
            Err(BaselineError::DuplicateDay)
        );
        let mut ragged = input(&[2_000, 2_000]);
        ragged.history[0].window.push(1);
        assert_eq!(
            compute(&params(3, 5, 0), &ragged),
            Err(BaselineError::WindowMismatch)
        );
        // Adjustment window of the wrong length.
        assert_eq!(
            compute(&params(3, 5, 0), &input(&[1])),
            Err(BaselineError::WindowMismatch)
        );
        // Huge readings: sums are exact, the result does not fit.
        let huge = BaselineInput {
            day_type: 0,
            history: vec![day(1, 0, false, &[u64::MAX, u64::MAX], &[])],
            adjustment_window: vec![],
        };
        assert_eq!(
            compute(&params(1, 1, 0), &huge),
            Err(BaselineError::Overflow)
        );
    }
}
