//! `gridtrust oracle verify`: a customer's demand-response entry checked against the chain from this
//! operator's own data, or from the customer's own meter export (`--readings`).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use gridtrust_chain::{ss58, Chain, NodeChain, NodeOptions};
use gridtrust_oracle::{
    daemon, ingest_file,
    measure::Operator,
    verify::{verify_entry, Verification},
    Bounds, Store,
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
    /// Recompute from the customer's own readings (their meter's export, `.csv` or `.jsonl` as
    /// `oracle ingest` reads) instead of the operator's: each is proven at its place in the batch,
    /// and one that differs from what the chain committed is named with the committed value.
    #[arg(long, value_name = "FILE")]
    readings: Option<PathBuf>,
    /// Print the verification as JSON instead of text.
    #[arg(long)]
    json: bool,
}

impl VerifyCommand {
    /// Exits non-zero unless every figure and every reading checks out.
    pub fn run(&self) -> Result<()> {
        let config = daemon::DaemonConfig::load(&self.config)?;
        let contracts = daemon::contracts_from_manifest(&config.manifest)?;
        let store = Store::open(&config.store)
            .with_context(|| format!("opening {}", config.store.display()))?;
        let own = self.readings.as_deref().map(own_readings).transpose()?;
        let mut chain = NodeChain::connect(NodeOptions::new(&config.url))?;
        // Computed as an operator would; the "verifier" account only asks the queries.
        let as_operator = config.worker(chain.actor("verifier"));
        let operator = Operator::new(&store, &contracts, &as_operator);
        let v = verify_entry(&mut chain, operator, self.event, self.meter, own.as_ref())?;
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

/// The customer's export in a store of its own (in memory: it is theirs, not the operator's). A line
/// that is not a reading or an event fails the check: a verifier must not skip data silently.
fn own_readings(path: &Path) -> Result<Store> {
    let mut own = Store::open(Path::new(":memory:"))?;
    let report = ingest_file(path, &Bounds::storable(), &mut own)?;
    if let Some(first) = report.rejects.first() {
        anyhow::bail!(
            "{} of the customer's lines are not readings; the first: {first}",
            report.rejects.len()
        );
    }
    Ok(own)
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
        out.push(match (r.wh, r.proven, r.committed_wh) {
            (Some(wh), true, _) => format!(
                "  reading at {} ms, {wh} Wh: proven against the batch root",
                r.at_ms
            ),
            (Some(wh), false, Some(committed)) => format!(
                "  reading at {} ms, {wh} Wh: DIFFERS from what the chain committed, {committed} Wh",
                r.at_ms
            ),
            (Some(wh), false, None) => format!("  reading at {} ms, {wh} Wh: NOT PROVEN", r.at_ms),
            (None, ..) => format!(
                "  reading at {} ms: MISSING from the readings checked (the batch committed one)",
                r.at_ms
            ),
        });
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
            "committed_wh": r.committed_wh,
        })).collect::<Vec<_>>(),
        "holds": v.holds(),
    })
}
