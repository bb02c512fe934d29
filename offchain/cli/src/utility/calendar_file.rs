//! A program's holiday calendar as a utility writes it: one date per line, a public holiday unless
//! the word after it says the day is worked.
//!
//! ```text
//! # Spring Festival 2027
//! 2027-02-08            # a holiday (the word `holiday` may follow the date)
//! 2027-02-20 workday    # a Saturday worked to make up for it
//! ```
//!
//! Dates are local dates of the program's time zone. Order does not matter; the file is checked with
//! the contract's own rule (`gridtrust_common::calendar::Holidays::problem`) before anything is signed.

use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};
use demand_response::Holidays;

use crate::lodging::terms::parse_day;

/// Reads the calendar file at `path`.
pub fn read(path: &Path) -> Result<Holidays> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    parse(&text).map_err(|e| anyhow!("{}:{e}", path.display()))
}

/// Parses a calendar file's text; an error starts with the line number it is about.
pub fn parse(text: &str) -> Result<Holidays> {
    let mut holidays = Holidays::default();
    for (i, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let mut words = line.split_whitespace();
        let date = words.next().unwrap_or_default();
        let day = parse_day(date).map_err(|e| anyhow!("{}: {e}", i + 1))?;
        let list = match words.next() {
            None | Some("holiday") => &mut holidays.rest_days,
            Some("workday") => &mut holidays.working_days,
            Some(other) => bail!(
                "{}: `{other}` after the date: write `holiday` or `workday` (or nothing)",
                i + 1
            ),
        };
        if let Some(extra) = words.next() {
            bail!("{}: unexpected `{extra}`", i + 1);
        }
        list.push(day);
    }
    for list in [&mut holidays.rest_days, &mut holidays.working_days] {
        list.sort_unstable();
        let before = list.len();
        list.dedup();
        if list.len() != before {
            bail!("a date is listed twice");
        }
    }
    if let Some(problem) = holidays.problem() {
        bail!("the contract would refuse this calendar: {problem}");
    }
    Ok(holidays)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holidays_and_worked_weekends_are_read_in_any_order() {
        let h = parse(
            "# Spring Festival\n2027-02-09\n2027-02-08 holiday\n\n2027-02-20 workday # Sat\n",
        )
        .unwrap();
        assert_eq!(h.rest_days, vec![20_857, 20_858]);
        assert_eq!(h.working_days, vec![20_869]);
        let err = parse("2027-02-08\n2027-02-30\n").unwrap_err().to_string();
        assert!(err.starts_with("2: "), "{err}");
        let err = parse("2027-02-08 vacation\n").unwrap_err().to_string();
        assert!(err.contains("`vacation`"), "{err}");
        let err = parse("2027-02-08\n2027-02-08 workday\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("both a holiday and a working day"), "{err}");
    }
}
