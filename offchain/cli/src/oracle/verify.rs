//! `gridtrust oracle verify`: a customer's demand-response entry checked against the chain from this
//! operator's own data.

use std::path::PathBuf;

use anyhow::{Context, Result};
use gridtrust_chain::{ss58, Chain, NodeChain, NodeOptions};
use gridtrust_oracle::{
    daemon,
    verify::{verify_entry, Verification},
};
use serde_json::{json, Value};

/// Recompute a customer's entry and prove each reading behind it against the chain.
#[derive(Debug, clap::Args)]
pub struct VerifyCommand {
    /// The daemon configuration (chain, manifest, store, demand rule).
    #[arg(long, value_name = "FILE")]
    config: PathBuf,
    /// The demand-response event.
    #[arg(long)]
    event: u64,
    /// The customer's meter.
    #[arg(long)]
    meter: u64,
    /// Print the verification as JSON instead of text.
    #[arg(long)]
    json: bool,
}

impl VerifyCommand {
    /// Exits non-zero unless every figure and every reading checks out.
    pub fn run(&self) -> Result<()> {
        let config = daemon::DaemonConfig::load(&self.config)?;
        let contracts = daemon::contracts_from_manifest(&config.manifest)?;
        let store = gridtrust_oracle::Store::open(&config.store)
            .with_context(|| format!("opening {}", config.store.display()))?;
        let mut chain = NodeChain::connect(NodeOptions::new(&config.url))?;
        // Computed as an operator would; the "verifier" account only asks the queries.
        let as_operator = config.worker(chain.actor("verifier"));
        let v = verify_entry(
            &mut chain,
            &store,
            &contracts,
            &as_operator,
            self.event,
            self.meter,
        )?;
        if self.json {
            println!("{}", serde_json::to_string_pretty(&as_json(&v))?);
        } else {
            for line in as_text(&v) {
                println!("{line}");
            }
        }
        anyhow::ensure!(v.holds(), "the entry does not check out");
        if !self.json {
            println!("the entry checks out");
        }
        Ok(())
    }
}

fn mark(ok: bool) -> &'static str {
    if ok {
        "ok"
    } else {
        "MISMATCH"
    }
}

/// The verification as a person reads it.
fn as_text(v: &Verification) -> Vec<String> {
    let mut out = vec![
        format!(
            "event #{}, meter {} (customer {})",
            v.event,
            v.meter,
            ss58(&v.entry.customer)
        ),
        format!(
            "  baseline: chain {} Wh, recomputed {} Wh: {}",
            v.entry.baseline_wh,
            v.recomputed.baseline_wh,
            mark(v.entry.baseline_wh == v.recomputed.baseline_wh)
        ),
        format!(
            "  actual:   chain {} Wh, recomputed {} Wh: {}",
            v.entry.actual_wh,
            v.recomputed.actual_wh,
            mark(v.entry.actual_wh == v.recomputed.actual_wh)
        ),
        format!(
            "  subsidy:  chain {}, by the program's terms {}: {}",
            v.entry.subsidy,
            v.expected_subsidy,
            mark(v.entry.subsidy == v.expected_subsidy)
        ),
    ];
    for r in &v.readings {
        let proven = if r.proven {
            "proven against the batch root"
        } else {
            "NOT PROVEN"
        };
        out.push(format!(
            "  reading at {} ms, {} Wh: {proven}",
            r.at_ms, r.wh
        ));
    }
    out
}

/// The verification for machines: each figure as the chain holds it and as recomputed.
fn as_json(v: &Verification) -> Value {
    let figure = |chain: u128, recomputed: u128| json!({ "chain": chain.to_string(), "recomputed": recomputed.to_string(), "ok": chain == recomputed });
    json!({
        "event": v.event,
        "meter": v.meter,
        "customer": ss58(&v.entry.customer),
        "baseline_wh": figure(v.entry.baseline_wh.into(), v.recomputed.baseline_wh.into()),
        "actual_wh": figure(v.entry.actual_wh.into(), v.recomputed.actual_wh.into()),
        "subsidy": figure(v.entry.subsidy, v.expected_subsidy),
        "readings": v.readings.iter().map(|r| json!({
            "at_ms": r.at_ms,
            "wh": r.wh,
            "proven": r.proven,
        })).collect::<Vec<_>>(),
        "holds": v.holds(),
    })
}
