//! Integer helpers for money math that must not overflow or trap.

/// `a * b / c` rounded down, computed with a 256-bit intermediate so `a * b` may exceed `u128`.
///
/// `None` when `c` is zero or the quotient does not fit in `u128`.
pub fn mul_div(a: u128, b: u128, c: u128) -> Option<u128> {
    if c == 0 {
        return None;
    }
    if let Some(product) = a.checked_mul(b) {
        return product.checked_div(c);
    }
    let (hi, lo) = mul_wide(a, b);
    if hi >= c {
        return None;
    }
    // Binary long division of the 256-bit (hi, lo) by c; `rem < c` holds at the top of every step.
    let mut rem = hi;
    let mut quotient: u128 = 0;
    for bit in (0..128u32).rev() {
        let overflowed = rem.leading_zeros() == 0;
        rem = rem.wrapping_shl(1) | (lo.wrapping_shr(bit) & 1);
        quotient = quotient.wrapping_shl(1);
        if overflowed || rem >= c {
            // When the shift overflowed, the true remainder is rem + 2^128 >= c and wrapping gives it back.
            rem = rem.wrapping_sub(c);
            quotient |= 1;
        }
    }
    Some(quotient)
}

/// The full 256-bit product of `a` and `b` as (high, low) halves.
fn mul_wide(a: u128, b: u128) -> (u128, u128) {
    const MASK: u128 = u64::MAX as u128;
    let (a_hi, a_lo) = (a.wrapping_shr(64), a & MASK);
    let (b_hi, b_lo) = (b.wrapping_shr(64), b & MASK);
    // Each partial product of two 64-bit halves fits in u128, and so does each sum below (< 3 * 2^64
    // for `mid`, and the high half of a 256-bit product for `hi`): wrapping ops never actually wrap.
    let lo_lo = a_lo.wrapping_mul(b_lo);
    let lo_hi = a_lo.wrapping_mul(b_hi);
    let hi_lo = a_hi.wrapping_mul(b_lo);
    let hi_hi = a_hi.wrapping_mul(b_hi);
    let mid = lo_lo
        .wrapping_shr(64)
        .wrapping_add(lo_hi & MASK)
        .wrapping_add(hi_lo & MASK);
    let lo = (lo_lo & MASK) | mid.wrapping_shl(64);
    let hi = hi_hi
        .wrapping_add(lo_hi.wrapping_shr(64))
        .wrapping_add(hi_lo.wrapping_shr(64))
        .wrapping_add(mid.wrapping_shr(64));
    (hi, lo)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_values_match_plain_arithmetic() {
        for (a, b, c) in [(0, 5, 3), (7, 3, 2), (10, 10, 10), (u64::MAX as u128, 3, 7)] {
            assert_eq!(mul_div(a, b, c), Some(a * b / c));
        }
        assert_eq!(mul_div(1, 1, 0), None);
    }

    #[test]
    fn products_beyond_u128_divide_exactly() {
        let big = u128::MAX / 3;
        assert_eq!(mul_div(big, 6, 6), Some(big));
        assert_eq!(mul_div(u128::MAX, u128::MAX, u128::MAX), Some(u128::MAX));
        assert_eq!(mul_div(u128::MAX, 2, 4), Some(u128::MAX / 2));
        // 10^24 * 10^24 / 10^20 = 10^28.
        let e24 = 10u128.pow(24);
        assert_eq!(mul_div(e24, e24, 10u128.pow(20)), Some(10u128.pow(28)));
        // (2^127 + 1) * 2^10 / 2^11 = 2^126 (the remainder 2^10 / 2^11 rounds away).
        assert_eq!(mul_div((1 << 127) + 1, 1 << 10, 1 << 11), Some(1 << 126));
        assert_eq!(mul_div(u128::MAX, u128::MAX, 1), None);
    }

    #[test]
    fn wide_product_agrees_with_a_split_check() {
        // (2^64 + 3)(2^64 + 5) = 2^128 + 8*2^64 + 15.
        let (hi, lo) = mul_wide((1 << 64) + 3, (1 << 64) + 5);
        assert_eq!((hi, lo), (1, (8u128 << 64) + 15));
    }
}
