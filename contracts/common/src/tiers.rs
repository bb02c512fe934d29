//! Parametric payout schedules: outage length in minutes → payout, the same on chain and off chain.

use crate::Digest;

/// Most tiers a schedule may have.
pub const MAX_TIERS: usize = 8;

/// One step of a schedule: an outage of at least `min_minutes` pays `payout`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Tier {
    /// Shortest outage (minutes) this tier applies to.
    pub min_minutes: u32,
    /// What it pays, in the chain's smallest unit.
    pub payout: u128,
}

/// Whether `tiers` is a usable schedule: 1 to [`MAX_TIERS`] tiers, thresholds strictly increasing,
/// payouts non-decreasing (a longer outage never pays less) and the first threshold above zero.
pub fn is_valid(tiers: &[Tier]) -> bool {
    let Some(first) = tiers.first() else {
        return false;
    };
    tiers.len() <= MAX_TIERS
        && first.min_minutes > 0
        && tiers
            .windows(2)
            .all(|w| w[0].min_minutes < w[1].min_minutes && w[0].payout <= w[1].payout)
}

/// The highest tier an outage of `minutes` reaches (its index, from 0), or `None` below the first.
pub fn tier_reached(tiers: &[Tier], minutes: u32) -> Option<usize> {
    tiers.iter().rposition(|t| t.min_minutes <= minutes)
}

/// The payout for an outage of `minutes`: the highest tier reached, or 0 below the first.
pub fn payout_for(tiers: &[Tier], minutes: u32) -> u128 {
    tier_reached(tiers, minutes)
        .and_then(|i| tiers.get(i))
        .map_or(0, |t| t.payout)
}

/// Whole minutes between two millisecond timestamps (0 when `end <= start`), saturating at `u32::MAX`.
pub fn outage_minutes(start_ms: u64, end_ms: u64) -> u32 {
    u32::try_from(end_ms.saturating_sub(start_ms) / crate::time::MINUTE_MS).unwrap_or(u32::MAX)
}

/// Report id of "an outage of `feeder` started at `start_ms`" (the start vote).
pub fn outage_start_id(feeder: u32, start_ms: u64) -> Digest {
    crate::blake2_256_of(&(b"gridtrust/outage-start", feeder, start_ms))
}

/// Report id of "the outage of `feeder` that started at `start_ms` is over" (the final vote).
pub fn outage_end_id(feeder: u32, start_ms: u64) -> Digest {
    crate::blake2_256_of(&(b"gridtrust/outage-end", feeder, start_ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn t(min_minutes: u32, payout: u128) -> Tier {
        Tier {
            min_minutes,
            payout,
        }
    }

    #[test]
    fn payout_is_the_highest_tier_reached() {
        let s = [t(30, 10), t(120, 50), t(480, 200)];
        assert!(is_valid(&s));
        assert_eq!(payout_for(&s, 29), 0);
        assert_eq!(payout_for(&s, 30), 10);
        assert_eq!(payout_for(&s, 119), 10);
        assert_eq!(payout_for(&s, 120), 50);
        assert_eq!(payout_for(&s, 10_000), 200);
        assert_eq!(tier_reached(&s, 29), None);
        assert_eq!(tier_reached(&s, 30), Some(0));
        assert_eq!(tier_reached(&s, 479), Some(1));
        assert_eq!(tier_reached(&s, 480), Some(2));
    }

    #[test]
    fn malformed_schedules_are_rejected() {
        assert!(!is_valid(&[]));
        assert!(!is_valid(&[t(0, 5)]));
        assert!(!is_valid(&[t(30, 10), t(30, 20)]));
        assert!(!is_valid(&[t(30, 10), t(60, 5)]));
        assert!(!is_valid(&[t(1, 1); MAX_TIERS + 1]));
    }

    #[test]
    fn minutes_round_down_and_never_go_negative() {
        assert_eq!(outage_minutes(0, 59_999), 0);
        assert_eq!(outage_minutes(0, 60_000), 1);
        assert_eq!(outage_minutes(1_000, 0), 0);
    }
}
