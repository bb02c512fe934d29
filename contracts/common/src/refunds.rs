//! Cancellation refund schedules: "cancel at least N days before check-in → refund P %", the same on
//! chain (the reservations contract) and off chain (quotes shown to guests, tests).

use crate::math::mul_div;

/// Most tiers a refund schedule may have.
pub const MAX_REFUND_TIERS: usize = 8;
/// Basis points in one whole: 10 000 bps is 100 %.
pub const BPS: u32 = 10_000;

/// One step of a schedule: cancelling at least `min_days_before` days before check-in refunds
/// `refund_bps` of the amount paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct RefundTier {
    /// Fewest whole days between the cancellation day and the check-in day for this tier to apply.
    pub min_days_before: u32,
    /// Share of the amount refunded, in basis points.
    pub refund_bps: u32,
}

/// Whether `tiers` is a usable schedule: at most [`MAX_REFUND_TIERS`] tiers, day thresholds strictly
/// decreasing, refunds at most 100 % and never growing as check-in nears (cancelling later never pays
/// more). An empty schedule is valid: the booking is non-refundable.
pub fn is_valid(tiers: &[RefundTier]) -> bool {
    tiers.len() <= MAX_REFUND_TIERS
        && tiers.iter().all(|t| t.refund_bps <= BPS)
        && tiers.windows(2).all(|w| {
            w[0].min_days_before > w[1].min_days_before && w[0].refund_bps >= w[1].refund_bps
        })
}

/// The refund share (bps) for cancelling `days_before` days before check-in: the first tier whose
/// threshold is met, or 0 when none is.
pub fn refund_bps(tiers: &[RefundTier], days_before: u32) -> u32 {
    tiers
        .iter()
        .find(|t| days_before >= t.min_days_before)
        .map_or(0, |t| t.refund_bps)
}

/// `bps` of `amount`, rounded down: a refund never exceeds its share, the remainder stays with the
/// merchant. `None` only when `bps` exceeds [`BPS`].
pub fn share_of(amount: u128, bps: u32) -> Option<u128> {
    if bps > BPS {
        return None;
    }
    mul_div(amount, u128::from(bps), u128::from(BPS))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tier(min_days_before: u32, refund_bps: u32) -> RefundTier {
        RefundTier {
            min_days_before,
            refund_bps,
        }
    }

    fn hotel_policy() -> Vec<RefundTier> {
        // 100 % a week or more ahead, 50 % two days ahead, nothing later.
        vec![tier(7, 10_000), tier(2, 5_000)]
    }

    #[test]
    fn the_first_threshold_met_decides() {
        let p = hotel_policy();
        assert_eq!(refund_bps(&p, 30), 10_000);
        assert_eq!(refund_bps(&p, 7), 10_000);
        assert_eq!(refund_bps(&p, 6), 5_000);
        assert_eq!(refund_bps(&p, 2), 5_000);
        assert_eq!(refund_bps(&p, 1), 0);
        assert_eq!(refund_bps(&p, 0), 0);
        assert_eq!(refund_bps(&[], 100), 0);
    }

    #[test]
    fn schedules_must_not_reward_late_cancellation() {
        assert!(is_valid(&hotel_policy()));
        assert!(is_valid(&[]));
        assert!(is_valid(&[tier(0, 10_000)]));
        // Thresholds out of order or repeated.
        assert!(!is_valid(&[tier(2, 5_000), tier(7, 10_000)]));
        assert!(!is_valid(&[tier(7, 10_000), tier(7, 5_000)]));
        // Later cancellation refunding more.
        assert!(!is_valid(&[tier(7, 5_000), tier(2, 6_000)]));
        // Over 100 %.
        assert!(!is_valid(&[tier(7, 10_001)]));
        // Too many tiers.
        let many: Vec<_> = (0..=MAX_REFUND_TIERS as u32)
            .rev()
            .map(|d| tier(d, 100))
            .collect();
        assert!(!is_valid(&many));
    }

    #[test]
    fn shares_round_down() {
        assert_eq!(share_of(1_000, 5_000), Some(500));
        assert_eq!(share_of(999, 5_000), Some(499));
        assert_eq!(share_of(3, 3_333), Some(0));
        assert_eq!(share_of(u128::MAX, BPS), Some(u128::MAX));
        assert_eq!(share_of(u128::MAX, 5_000), Some(u128::MAX / 2));
        assert_eq!(share_of(10, BPS + 1), None);
    }
}
