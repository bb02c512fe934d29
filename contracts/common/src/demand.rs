//! Demand-response settlement math and the interval-reading leaf, shared by the contract, the oracle
//! and anyone checking them.

use crate::{math::mul_div, merkle, Digest};

/// Wh in one kWh.
const WH_PER_KWH: u128 = 1_000;

/// 100 % in basis points.
const WHOLE_BPS: u32 = 10_000;

/// The least load reduction that earns anything: a share of the baseline and an amount, the larger
/// of the two counting. A high-X-of-Y baseline runs high, so small random dips below it are noise,
/// not performance; utilities' programmes pay only reductions past such a floor, and then for the
/// whole reduction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct MinReduction {
    /// Share of the baseline, in basis points (1 000 = 10 %; 0 = no share).
    pub share_bps: u32,
    /// Wh (0 = no amount).
    pub wh: u64,
}

impl MinReduction {
    /// No floor: every Wh below the baseline earns.
    pub const NONE: Self = Self {
        share_bps: 0,
        wh: 0,
    };

    /// Whether a programme can use it: the share at most 100 %.
    pub fn is_valid(&self) -> bool {
        self.share_bps <= WHOLE_BPS
    }

    /// The floor for `baseline_wh`, in Wh (the share rounded up, so a reduction just under it never
    /// counts as meeting it).
    pub fn floor_wh(&self, baseline_wh: u64) -> u64 {
        // A u64 times a u32 fits a u128: the saturation never happens.
        let share = u128::from(baseline_wh)
            .saturating_mul(u128::from(self.share_bps))
            .div_ceil(u128::from(WHOLE_BPS));
        u64::try_from(share).unwrap_or(u64::MAX).max(self.wh)
    }

    /// Whether a cut from `baseline_wh` to `actual_wh` is a reduction that reaches the floor.
    pub fn is_met(&self, baseline_wh: u64, actual_wh: u64) -> bool {
        let reduced = baseline_wh.saturating_sub(actual_wh);
        reduced > 0 && reduced >= self.floor_wh(baseline_wh)
    }
}

/// The subsidy for one meter in one event: nothing unless `baseline − actual` reaches `min`'s floor,
/// else `min((baseline − actual) × rate / 1 000, cap)` with the reduction in Wh and `rate_per_kwh`
/// per kWh reduced, rounded down.
pub fn subsidy(
    baseline_wh: u64,
    actual_wh: u64,
    rate_per_kwh: u128,
    cap: u128,
    min: MinReduction,
) -> u128 {
    if !min.is_met(baseline_wh, actual_wh) {
        return 0;
    }
    let reduced = u128::from(baseline_wh.saturating_sub(actual_wh));
    // reduced < 2^64, so only an absurd rate can overflow; then the cap applies.
    mul_div(reduced, rate_per_kwh, WH_PER_KWH).map_or(cap, |s| s.min(cap))
}

/// What an entry owed `owed` is paid when an event owing `total` in all was given `allocation`:
/// `owed × allocation / total`, rounded down (so the payments of an event never add up to more than
/// its allocation; the rounding remainder goes back to the program's budget). Paid in full when
/// `allocation >= total`.
pub fn pro_rata(owed: u128, allocation: u128, total: u128) -> u128 {
    if allocation >= total {
        return owed;
    }
    mul_div(owed, allocation, total).unwrap_or(0)
}

/// The Merkle leaf of one interval reading: `meter` drew `wh` in the interval starting at
/// `interval_start_ms`. An event's readings root is [`merkle::root`] over these leaves, in the order the
/// oracle lists them.
pub fn reading_leaf(meter: u64, interval_start_ms: u64, wh: u64) -> Digest {
    let mut data = [0u8; 24];
    data[..8].copy_from_slice(&meter.to_le_bytes());
    data[8..16].copy_from_slice(&interval_start_ms.to_le_bytes());
    data[16..].copy_from_slice(&wh.to_le_bytes());
    merkle::leaf_hash(&data)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: MinReduction = MinReduction::NONE;

    #[test]
    fn subsidy_pays_the_reduction_at_the_rate_up_to_the_cap() {
        // 2.5 kWh reduced at 40 per kWh = 100.
        assert_eq!(subsidy(10_000, 7_500, 40, 1_000, NONE), 100);
        // Rounded down: 1 Wh at 999 per kWh is 0.999.
        assert_eq!(subsidy(1, 0, 999, 1_000, NONE), 0);
        // Using more than the baseline earns nothing, never a negative amount.
        assert_eq!(subsidy(5_000, 9_000, 40, 1_000, NONE), 0);
        // Capped.
        assert_eq!(subsidy(100_000, 0, 40, 1_000, NONE), 1_000);
        assert_eq!(subsidy(u64::MAX, 0, u128::MAX, 7, NONE), 7);
    }

    #[test]
    fn a_reduction_short_of_the_floor_earns_nothing_and_one_that_reaches_it_earns_all() {
        let ten_percent = MinReduction {
            share_bps: 1_000,
            wh: 0,
        };
        // 10 % of 10 kWh is 1 kWh: 999 Wh earns nothing, 1 000 Wh earns for all 1 000.
        assert_eq!(subsidy(10_000, 9_001, 40, 1_000, ten_percent), 0);
        assert_eq!(subsidy(10_000, 9_000, 40, 1_000, ten_percent), 40);
        // The share is rounded up: 10 % of 10 001 Wh needs 1 001 Wh.
        assert_eq!(ten_percent.floor_wh(10_001), 1_001);
        // The larger of share and amount counts.
        let both = MinReduction {
            share_bps: 1_000,
            wh: 2_000,
        };
        assert_eq!(both.floor_wh(10_000), 2_000);
        assert_eq!(subsidy(10_000, 8_500, 40, 1_000, both), 0);
        assert_eq!(subsidy(100_000, 85_000, 40, 10_000, both), 600);
        assert_eq!(
            MinReduction {
                share_bps: 10_000,
                wh: 0
            }
            .floor_wh(u64::MAX),
            u64::MAX
        );
        assert!(!MinReduction {
            share_bps: 10_001,
            wh: 0
        }
        .is_valid());
    }

    #[test]
    fn pro_rata_never_exceeds_the_allocation() {
        assert_eq!(pro_rata(300, 1_000, 1_000), 300);
        assert_eq!(pro_rata(300, 2_000, 1_000), 300);
        // Half the money: everyone gets half, rounded down.
        assert_eq!(pro_rata(301, 500, 1_000), 150);
        let owed = [333u128, 333, 334];
        let paid: u128 = owed.iter().map(|&o| pro_rata(o, 100, 1_000)).sum();
        assert_eq!(paid, 33 + 33 + 33);
        assert!(paid <= 100);
        assert_eq!(pro_rata(5, 0, 10), 0);
    }

    #[test]
    fn reading_leaves_commit_to_every_field() {
        let leaf = reading_leaf(7, 1_000, 250);
        assert_ne!(leaf, reading_leaf(8, 1_000, 250));
        assert_ne!(leaf, reading_leaf(7, 1_001, 250));
        assert_ne!(leaf, reading_leaf(7, 1_000, 251));
        let leaves: Vec<_> = (0..5)
            .map(|i| reading_leaf(7, i * 900_000, 100 + i))
            .collect();
        let root = merkle::root(&leaves).unwrap();
        let proof = merkle::proof(&leaves, 3).unwrap();
        assert!(merkle::verify(&root, &leaves[3], &proof));
        assert!(!merkle::verify(
            &root,
            &reading_leaf(7, 3 * 900_000, 104),
            &proof
        ));
    }
}
