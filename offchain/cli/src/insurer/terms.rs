//! A pool's terms as an insurer writes them (TOML, amounts in tokens, lengths in days and hours), turned
//! into the contract's `PoolTerms` and checked with the contract's own rule (`PoolTerms::problem`)
//! before anything is signed.
//!
//! ```toml
//! premium = "2"                  # tokens per policy
//! coverage_days = 30
//! waiting_hours = 24             # cover starts this long after purchase
//! exclude_planned = true         # announced outages pay nothing
//! aggregate_limit = "60"         # most one policy is paid over its coverage, tokens
//! feeder_cap = "5000"            # most liability the pool takes on one feeder, tokens
//! collateral_percent = 100       # capital locked per unit of liability
//! max_oracle_silence_hours = 24  # no sales while the oracle committee has been silent this long
//!
//! [[tiers]]                      # outage of at least `min_minutes` pays `payout` tokens
//! min_minutes = 60
//! payout = "5"
//! ```

use std::path::Path;

use anyhow::{anyhow, Context, Result};
use gridtrust_chain::units::{parse_tokens, tokens};
use gridtrust_common::{
    tiers::Tier,
    time::{DAY_MS, HOUR_MS},
};
use outage_insurance::PoolTerms;
use serde::Deserialize;

/// An amount of tokens: a string (`"0.5"`) or a whole number.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Tokens {
    Text(String),
    Whole(u64),
}

impl Tokens {
    fn amount(&self, field: &str) -> Result<u128> {
        match self {
            Tokens::Text(t) => parse_tokens(t).map_err(|e| anyhow!("{field}: {e}")),
            Tokens::Whole(n) => parse_tokens(&n.to_string()).map_err(|e| anyhow!("{field}: {e}")),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TierFile {
    min_minutes: u32,
    payout: Tokens,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TermsFile {
    premium: Tokens,
    coverage_days: u64,
    #[serde(default)]
    waiting_hours: u64,
    #[serde(default)]
    exclude_planned: bool,
    aggregate_limit: Tokens,
    feeder_cap: Tokens,
    #[serde(default = "full_collateral")]
    collateral_percent: u32,
    max_oracle_silence_hours: u64,
    tiers: Vec<TierFile>,
}

fn full_collateral() -> u32 {
    100
}

/// The terms in `text` (a terms file's content), checked as the contract checks them.
pub fn parse(text: &str) -> Result<PoolTerms> {
    let file: TermsFile = toml::from_str(text)?;
    let hours = |field: &str, h: u64| {
        h.checked_mul(HOUR_MS)
            .ok_or_else(|| anyhow!("{field}: too long"))
    };
    let terms = PoolTerms {
        tiers: file
            .tiers
            .iter()
            .enumerate()
            .map(|(i, t)| {
                Ok(Tier {
                    min_minutes: t.min_minutes,
                    payout: t.payout.amount(&format!("tiers[{i}].payout"))?,
                })
            })
            .collect::<Result<_>>()?,
        premium: file.premium.amount("premium")?,
        coverage_ms: file
            .coverage_days
            .checked_mul(DAY_MS)
            .ok_or_else(|| anyhow!("coverage_days: too long"))?,
        waiting_ms: hours("waiting_hours", file.waiting_hours)?,
        exclude_planned: file.exclude_planned,
        aggregate_limit: file.aggregate_limit.amount("aggregate_limit")?,
        feeder_cap: file.feeder_cap.amount("feeder_cap")?,
        collateral_bps: file
            .collateral_percent
            .checked_mul(100)
            .ok_or_else(|| anyhow!("collateral_percent: too large"))?,
        max_oracle_silence_ms: hours("max_oracle_silence_hours", file.max_oracle_silence_hours)?,
    };
    if let Some(problem) = terms.problem() {
        anyhow::bail!("the contract would refuse these terms: {problem}");
    }
    Ok(terms)
}

/// `terms` in words, as a customer reads a quote: what it costs, when cover starts and ends, what
/// each outage length pays, the limit and what is excluded.
pub fn describe(terms: &PoolTerms) -> Vec<String> {
    let duration = |ms: u64| {
        if ms % DAY_MS == 0 {
            format!("{} days", ms / DAY_MS)
        } else if ms % HOUR_MS == 0 {
            format!("{} h", ms / HOUR_MS)
        } else {
            format!("{} min", ms / 60_000)
        }
    };
    let length = |minutes: u32| {
        if minutes % 60 == 0 {
            format!("{} h", minutes / 60)
        } else {
            format!("{minutes} min")
        }
    };
    let mut out = vec![format!("premium {} tokens", tokens(terms.premium))];
    out.push(if terms.waiting_ms == 0 {
        format!("cover for {} from purchase", duration(terms.coverage_ms))
    } else {
        format!(
            "cover from {} after purchase until {} after purchase",
            duration(terms.waiting_ms),
            duration(terms.coverage_ms)
        )
    });
    for tier in &terms.tiers {
        out.push(format!(
            "out ≥ {} → {} tokens",
            length(tier.min_minutes),
            tokens(tier.payout)
        ));
    }
    out.push(format!(
        "at most {} tokens per policy over its cover; paid automatically, no claim",
        tokens(terms.aggregate_limit)
    ));
    out.push(if terms.exclude_planned {
        "planned (announced) outages pay nothing".to_owned()
    } else {
        "planned outages pay like any other".to_owned()
    });
    out
}

/// The terms in file `path`.
pub fn read(path: &Path) -> Result<PoolTerms> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the terms file {}", path.display()))?;
    parse(&text).with_context(|| format!("in {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use gridtrust_chain::units::UNIT;

    const GOOD: &str = r#"
premium = "2"
coverage_days = 30
waiting_hours = 24
exclude_planned = true
aggregate_limit = 60
feeder_cap = "5000"
max_oracle_silence_hours = 24
[[tiers]]
min_minutes = 60
payout = "5"
[[tiers]]
min_minutes = 240
payout = "20.5"
"#;

    #[test]
    fn a_terms_file_becomes_the_contracts_terms() {
        let t = parse(GOOD).unwrap();
        assert_eq!(t.premium, 2 * UNIT);
        assert_eq!(t.coverage_ms, 30 * DAY_MS);
        assert_eq!(t.waiting_ms, 24 * HOUR_MS);
        assert_eq!(t.aggregate_limit, 60 * UNIT);
        assert_eq!(t.collateral_bps, 10_000);
        assert_eq!(t.tiers[1].payout, 20 * UNIT + UNIT / 2);
    }

    #[test]
    fn terms_the_contract_would_refuse_are_refused_before_signing() {
        let long_wait = GOOD.replace("waiting_hours = 24", "waiting_hours = 720");
        let err = parse(&long_wait).unwrap_err().to_string();
        assert!(err.contains("waiting period"), "{err}");
        let falling = GOOD.replace("\"20.5\"", "\"1\"");
        assert!(parse(&falling).unwrap_err().to_string().contains("tiers"));
        let typo = GOOD.replace("premium", "premum");
        assert!(parse(&typo).is_err());
        assert_eq!(
            describe(&parse(GOOD).unwrap())[2..4],
            ["out ≥ 1 h → 5.00 tokens", "out ≥ 4 h → 20.50 tokens"]
        );
        let bad_amount = GOOD.replace("\"5000\"", "\"lots\"");
        let err = parse(&bad_amount).unwrap_err().to_string();
        assert!(err.contains("feeder_cap"), "{err}");
    }
}
