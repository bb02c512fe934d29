//! Lengths of time in milliseconds, the unit of the chain's clock (`block_timestamp`) and of every
//! time in the contracts' messages, events and the oracle's data, and the one rule that turns such a
//! time into a place's local day.
//!
//! ## Local days
//! A hotel's nights, a cancellation's "days before check-in" and a demand-response program's day
//! types follow the local calendar, not UTC: for a utility in Zhejiang (UTC+8) a UTC day runs from
//! 08:00 to 08:00. A place's time zone is kept on chain as a **fixed offset from UTC in minutes**
//! ([`UtcOffset`]), not as an IANA name: a contract cannot carry the time-zone database, and China
//! (like most of Asia and Africa) has kept one offset all year since 1991, so `Asia/Shanghai` is
//! exactly `+480`. A place with summer time states its standard offset; its local days then begin at
//! 01:00 in summer, which the tools say where they show such a place.

/// One minute.
pub const MINUTE_MS: u64 = 60_000;
/// One hour.
pub const HOUR_MS: u64 = 60 * MINUTE_MS;
/// One day.
pub const DAY_MS: u64 = 24 * HOUR_MS;

/// A place's offset from UTC in minutes, east positive (`Asia/Shanghai`: 480, `America/New_York`
/// standard time: -300).
pub type UtcOffset = i16;

/// The widest offset either way a place uses (UTC+14 in Kiribati; UTC−12 is narrower).
pub const MAX_UTC_OFFSET: UtcOffset = 14 * 60;

/// Whether `offset` is one a place on Earth can have: within ±14 hours.
pub fn is_valid_offset(offset: UtcOffset) -> bool {
    (-MAX_UTC_OFFSET..=MAX_UTC_OFFSET).contains(&offset)
}

/// The local day (whole days since 1970-01-01 by the local calendar) at UTC time `ms` in a place
/// `offset` minutes east of UTC. Times before the local epoch count as day 0.
pub fn local_day(ms: u64, offset: UtcOffset) -> u64 {
    ms.saturating_add_signed(offset_ms(offset)) / DAY_MS
}

/// The UTC time (ms) at which local day `day` begins in a place `offset` minutes east of UTC
/// (saturating at the ends of the clock's range).
pub fn local_midnight_ms(day: u64, offset: UtcOffset) -> u64 {
    day.saturating_mul(DAY_MS)
        .saturating_add_signed(offset_ms(offset).saturating_neg())
}

/// `offset` in milliseconds.
fn offset_ms(offset: UtcOffset) -> i64 {
    // MINUTE_MS as a signed constant: an `as` cast of it would be flagged as possibly wrapping.
    const MINUTE: i64 = 60_000;
    i64::from(offset).saturating_mul(MINUTE)
}

/// Day of the week of day number `day`, Monday 0 to Sunday 6 (1970-01-01 was a Thursday).
pub fn weekday(day: u64) -> u8 {
    // Both operands are small and the divisor is not zero: neither can fail.
    (day.saturating_add(3) % 7) as u8
}

/// Whether day number `day` is a Saturday or a Sunday.
pub fn is_weekend(day: u64) -> bool {
    weekday(day) >= 5
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-12-03 00:00 UTC.
    const DEC_3: u64 = 20_790 * DAY_MS;

    #[test]
    fn a_local_day_begins_at_local_midnight() {
        let shanghai = 480;
        // 07:30 on 3 December in Shanghai is 23:30 on 2 December in UTC.
        let morning = DEC_3 - 30 * MINUTE_MS;
        assert_eq!(morning / DAY_MS, 20_789);
        assert_eq!(local_day(morning, shanghai), 20_790);
        assert_eq!(local_midnight_ms(20_790, shanghai), DEC_3 - 8 * HOUR_MS);
        assert_eq!(local_day(DEC_3 - 8 * HOUR_MS - 1, shanghai), 20_789);
        // 23:59 on 2 December in New York (standard time) is 04:59 on 3 December in UTC.
        let new_york = -300;
        let late = DEC_3 + 4 * HOUR_MS + 59 * MINUTE_MS;
        assert_eq!(local_day(late, new_york), 20_789);
        assert_eq!(local_midnight_ms(20_790, new_york), DEC_3 + 5 * HOUR_MS);
        assert_eq!(local_day(0, -60), 0);
        assert_eq!(local_day(u64::MAX, 840), u64::MAX / DAY_MS);
    }

    #[test]
    fn weekdays_and_offsets() {
        assert_eq!(weekday(0), 3); // Thursday
        assert_eq!(weekday(20_790), 3); // 2026-12-03, a Thursday
        assert!(is_weekend(20_792) && is_weekend(20_793) && !is_weekend(20_794));
        assert!(is_valid_offset(480) && is_valid_offset(-720) && is_valid_offset(840));
        assert!(!is_valid_offset(841) && !is_valid_offset(-841));
    }
}
