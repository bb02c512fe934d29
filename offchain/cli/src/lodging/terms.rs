//! A room type's terms as a hotel writes them (TOML, price in tokens, refunds in percent), turned into
//! the contract's `RoomTerms` and checked with the contract's own rule (`RoomTerms::problem`) before
//! anything is signed.
//!
//! ```toml
//! price_per_night = "80"
//! no_show_refund_percent = 0
//! rules = "house-rules.txt"      # optional: the house rules; their blake2-256 is kept on chain
//! [[refund]]                     # cancelling at least `days_before` days ahead refunds `percent`
//! days_before = 7
//! percent = 100
//! [[refund]]
//! days_before = 1
//! percent = 50
//! ```

use std::path::Path;

use anyhow::{anyhow, Context, Result};
/// The inverse of [`parse_day`].
pub use gridtrust_chain::lodging::show_day;
use gridtrust_chain::units::parse_tokens;
use gridtrust_common::{blake2_256, refunds::RefundTier};
use reservations::RoomTerms;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RefundFile {
    days_before: u32,
    percent: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TermsFile {
    price_per_night: String,
    #[serde(default)]
    no_show_refund_percent: u32,
    rules: Option<String>,
    #[serde(default)]
    refund: Vec<RefundFile>,
}

/// The terms in `text`, with the rules file (if named) read relative to `dir`.
pub fn parse(text: &str, dir: &Path) -> Result<RoomTerms> {
    let file: TermsFile = toml::from_str(text)?;
    let rules = match &file.rules {
        Some(name) => {
            let path = dir.join(name);
            std::fs::read(&path).with_context(|| format!("reading the rules {}", path.display()))?
        }
        None => Vec::new(),
    };
    let percent = |p: u32, what: &str| {
        p.checked_mul(100)
            .ok_or_else(|| anyhow!("{what}: {p} % is too large"))
    };
    let terms = RoomTerms {
        price_per_night: parse_tokens(&file.price_per_night)
            .map_err(|e| anyhow!("price_per_night: {e}"))?,
        refund_tiers: file
            .refund
            .iter()
            .map(|r| {
                Ok(RefundTier {
                    min_days_before: r.days_before,
                    refund_bps: percent(r.percent, "refund.percent")?,
                })
            })
            .collect::<Result<_>>()?,
        no_show_refund_bps: percent(file.no_show_refund_percent, "no_show_refund_percent")?,
        rules_hash: blake2_256(&rules),
    };
    if let Some(problem) = terms.problem() {
        anyhow::bail!("the contract would refuse these terms: {problem}");
    }
    Ok(terms)
}

/// The terms in file `path`.
pub fn read(path: &Path) -> Result<RoomTerms> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the room terms {}", path.display()))?;
    parse(&text, path.parent().unwrap_or(Path::new(".")))
        .with_context(|| format!("in {}", path.display()))
}

/// A day as the contract counts them (days since the Unix epoch, UTC) from `2026-12-24`.
pub fn parse_day(text: &str) -> Result<u32> {
    let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| anyhow!("`{text}` is not a date like 2026-12-24"))?;
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).context("the epoch is a date")?;
    u32::try_from(date.signed_duration_since(epoch).num_days())
        .map_err(|_| anyhow!("`{text}` is before 1970"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use gridtrust_chain::units::UNIT;

    #[test]
    fn room_terms_parse_and_bad_ones_are_refused_before_signing() {
        let good = "price_per_night = \"80\"\n[[refund]]\ndays_before = 7\npercent = 100\n[[refund]]\ndays_before = 1\npercent = 50\n";
        let t = parse(good, Path::new(".")).unwrap();
        assert_eq!(t.price_per_night, 80 * UNIT);
        assert_eq!(t.refund_tiers[1].refund_bps, 5_000);
        let growing = good
            .replace("percent = 50", "percent = 100")
            .replace("percent = 100\n[[", "percent = 40\n[[");
        let err = parse(&growing, Path::new(".")).unwrap_err().to_string();
        assert!(err.contains("refund tiers"), "{err}");
        assert!(parse("price_per_night = \"0\"", Path::new(".")).is_err());
        assert_eq!(parse_day("1970-01-02").unwrap(), 1);
        assert_eq!(show_day(parse_day("2026-12-24").unwrap()), "2026-12-24");
        assert!(parse_day("24/12/2026").is_err());
    }
}
