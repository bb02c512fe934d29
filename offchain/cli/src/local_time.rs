//! A place's time zone on the command line: the fixed offset the contracts keep
//! (`gridtrust_common::time`), written as people write it, and local dates turned into the local day
//! numbers the contracts count in; and the chain's times (Unix ms) written in UTC for people.

use anyhow::{anyhow, bail, Result};
use gridtrust_common::time::{is_valid_offset, UtcOffset};

/// Reads an offset from UTC: `+08:00`, `-05:00`, `+0530`, `+8`, `UTC+8`, `UTC` or `Z`. IANA names
/// (`Asia/Shanghai`) are refused with the offset to give instead: the chain keeps a fixed offset, and
/// naming a zone with summer time would promise a change of offset it never makes.
pub fn parse_offset(text: &str) -> Result<UtcOffset> {
    let t = text.trim();
    let t = t
        .strip_prefix("UTC")
        .or_else(|| t.strip_prefix("GMT"))
        .unwrap_or(t);
    if t.is_empty() || t == "Z" || t == "0" {
        return Ok(0);
    }
    let sign = match t.chars().next() {
        Some('+') => 1,
        Some('-') | Some('−') => -1,
        _ if t.contains('/') => bail!(
            "`{text}`: give the zone's offset from UTC, e.g. +08:00 for Asia/Shanghai (the chain \
             keeps a fixed offset, so a zone with summer time gives its standard one)"
        ),
        _ => bail!("`{text}` is not an offset from UTC like +08:00 or -05:00"),
    };
    let digits = t.trim_start_matches(['+', '-', '−']);
    let (hours, minutes) = match digits.split_once(':') {
        Some((h, m)) => (h, m),
        None if digits.len() == 4 => digits.split_at(2),
        None => (digits, "0"),
    };
    let bad = || anyhow!("`{text}` is not an offset from UTC like +08:00 or -05:00");
    let hours: i16 = hours.parse().map_err(|_| bad())?;
    let minutes: i16 = minutes.parse().map_err(|_| bad())?;
    if !(0..60).contains(&minutes) || !(0..=14).contains(&hours) {
        return Err(bad());
    }
    let offset = sign * (hours * 60 + minutes);
    if !is_valid_offset(offset) {
        bail!("`{text}`: offsets reach at most 14 hours either way");
    }
    Ok(offset)
}

/// An offset as people read it: `UTC+08:00`.
pub fn show_offset(offset: UtcOffset) -> String {
    let sign = if offset < 0 { '-' } else { '+' };
    let a = offset.unsigned_abs();
    format!("UTC{sign}{:02}:{:02}", a / 60, a % 60)
}

/// `ms` as a UTC time to the minute: what a page shows.
pub fn utc_minute(ms: u64) -> String {
    utc_as(ms, "%Y-%m-%d %H:%M UTC")
}

/// `ms` as a UTC time to the millisecond: what a check shows beside the chain's own figures.
pub fn utc_millisecond(ms: u64) -> String {
    utc_as(ms, "%Y-%m-%d %H:%M:%S%.3f UTC")
}

/// `ms` in `format`, or as milliseconds when it is past what a calendar date can hold.
fn utc_as(ms: u64, format: &str) -> String {
    i64::try_from(ms)
        .ok()
        .and_then(chrono::DateTime::from_timestamp_millis)
        .map_or_else(|| format!("{ms} ms"), |t| t.format(format).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_read_as_people_write_them() {
        for (text, minutes) in [
            ("+08:00", 480),
            ("UTC+8", 480),
            ("+0530", 330),
            ("-05:00", -300),
            ("UTC", 0),
            ("Z", 0),
            ("+14:00", 840),
        ] {
            assert_eq!(parse_offset(text).unwrap(), minutes, "{text}");
        }
        assert_eq!(show_offset(480), "UTC+08:00");
        assert_eq!(show_offset(-210), "UTC-03:30");
        let err = parse_offset("Asia/Shanghai").unwrap_err().to_string();
        assert!(err.contains("+08:00"), "{err}");
        for bad in ["8", "+15", "+08:60", "+ab", "-14:30"] {
            assert!(parse_offset(bad).is_err(), "{bad}");
        }
    }
}
