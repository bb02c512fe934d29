//! A demand-response program's holiday calendar: which local days are public holidays and which
//! weekend days are worked instead (China moves weekend days around its Spring Festival and National
//! Day holidays, 调休). The baseline's day types follow it, so a holiday never counts as an ordinary
//! weekday in a customer's baseline. The contract keeps it per program; the oracle and every checker
//! decide a day's kind with [`is_rest_day`], here once.

use ink::prelude::vec::Vec;

/// Most days one calendar may list, holidays and worked weekend days together (a few years of
/// China's, whose yearly list has about 35).
pub const MAX_CALENDAR_DAYS: usize = 128;

/// How many past days a calendar keeps (a year and a month): far more than any baseline looks back
/// (`baseline::MAX_HISTORY_DAYS`) or an event stays open to measurements, so every baseline still
/// to be computed or checked finds its days. Older days are dropped whenever the calendar is set
/// again, so a full calendar always has room for the years ahead; the `HolidaysSet` events keep every
/// calendar ever set.
pub const KEPT_PAST_DAYS: u32 = 400;

/// A program's exceptions to "Monday to Friday are working days", by local day number
/// (`time::local_day`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Holidays {
    /// Public holidays, ascending.
    pub rest_days: Vec<u32>,
    /// Saturdays and Sundays that are working days, ascending.
    pub working_days: Vec<u32>,
}

impl Holidays {
    /// What makes this calendar unusable, in words, or `None`: each list strictly ascending, no day
    /// in both, at most [`MAX_CALENDAR_DAYS`] days in all.
    pub fn problem(&self) -> Option<&'static str> {
        let ascending = |days: &[u32]| days.windows(2).all(|w| w[0] < w[1]);
        if self.rest_days.len().saturating_add(self.working_days.len()) > MAX_CALENDAR_DAYS {
            Some("a calendar lists at most 128 days")
        } else if !ascending(&self.rest_days) || !ascending(&self.working_days) {
            Some("each list of days must be in ascending order, without repeats")
        } else if self
            .rest_days
            .iter()
            .any(|d| self.working_days.binary_search(d).is_ok())
        {
            Some("a day cannot be both a holiday and a working day")
        } else {
            None
        }
    }

    /// The days of both lists up to and including `day`: what a change of calendar must leave alone,
    /// so that no baseline already computed changes under it.
    pub fn until(&self, day: u32) -> (Vec<u32>, Vec<u32>) {
        let upto = |days: &[u32]| days.iter().copied().take_while(|&d| d <= day).collect();
        (upto(&self.rest_days), upto(&self.working_days))
    }

    /// This calendar without the days more than [`KEPT_PAST_DAYS`] before `today`: what a program
    /// keeps of it.
    pub fn kept(mut self, today: u32) -> Self {
        let first = today.saturating_sub(KEPT_PAST_DAYS);
        self.rest_days.retain(|&d| d >= first);
        self.working_days.retain(|&d| d >= first);
        self
    }
}

/// Whether local day `day` is a rest day under `holidays`: a listed holiday, or a Saturday or Sunday
/// not listed as worked.
pub fn is_rest_day(day: u64, holidays: &Holidays) -> bool {
    let listed = |days: &[u32]| u32::try_from(day).is_ok_and(|d| days.binary_search(&d).is_ok());
    if listed(&holidays.working_days) {
        false
    } else {
        listed(&holidays.rest_days) || crate::time::is_weekend(day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Spring Festival week shaped as China's usually is (the lunar new year of 2027 falls on 6
    /// February): 6–12 February off, a Saturday to a Friday, and Sunday 31 January and Saturday 20
    /// February worked to make up for it. Illustrative, not the State Council's published list.
    fn spring_festival_2027() -> Holidays {
        Holidays {
            rest_days: (20_855..=20_861).collect(),
            working_days: vec![20_849, 20_869],
        }
    }

    #[test]
    fn holidays_rest_and_moved_weekends_work() {
        let h = spring_festival_2027();
        assert_eq!(h.problem(), None);
        // Monday 8 February: a weekday, but a holiday.
        assert!(crate::time::weekday(20_857) == 0 && is_rest_day(20_857, &h));
        // Sunday 31 January and Saturday 20 February are worked.
        assert!(!is_rest_day(20_849, &h) && !is_rest_day(20_869, &h));
        // An ordinary Saturday rests, an ordinary Monday works.
        assert!(is_rest_day(20_876, &h) && !is_rest_day(20_864, &h));
        assert!(!is_rest_day(20_864, &Holidays::default()));
    }

    #[test]
    fn a_calendar_must_be_ordered_and_consistent() {
        let h = |rest: Vec<u32>, work: Vec<u32>| Holidays {
            rest_days: rest,
            working_days: work,
        };
        assert!(h(vec![3, 2], vec![]).problem().is_some());
        assert!(h(vec![2, 2], vec![]).problem().is_some());
        assert!(h(vec![2], vec![2]).problem().is_some());
        assert!(h((0..129).collect(), vec![]).problem().is_some());
        assert_eq!(h((0..128).collect(), vec![]).problem(), None);
        assert_eq!(
            spring_festival_2027().until(20_856),
            (vec![20_855, 20_856], vec![20_849])
        );
    }

    #[test]
    fn a_calendar_keeps_only_its_recent_past() {
        let today = 20_870;
        let full = Holidays {
            rest_days: (20_000..20_128).collect(),
            working_days: vec![],
        };
        // Every day long past goes; a day within the kept window and the future stay.
        let mut upcoming = full.clone();
        upcoming.rest_days.push(today + 30);
        let kept = upcoming.kept(today);
        assert_eq!(kept.rest_days, vec![today + 30]);
        assert_eq!(kept.problem(), None);
        let recent = Holidays {
            rest_days: vec![today - KEPT_PAST_DAYS, today - 1, today + 1],
            working_days: vec![today - KEPT_PAST_DAYS - 1],
        };
        assert_eq!(
            recent.clone().kept(today),
            Holidays {
                rest_days: recent.rest_days.clone(),
                working_days: vec![],
            }
        );
        assert!(full.kept(today).rest_days.is_empty());
    }
}
