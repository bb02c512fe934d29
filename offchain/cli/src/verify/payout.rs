//! `gridtrust verify payout`: a customer's outage payouts checked against the chain and the evidence
//! behind them.

use std::path::PathBuf;

use anyhow::{Context, Result};
use gridtrust_chain::{named_account, units::tokens};
use gridtrust_oracle::{
    evidence::{read_events, root_hex},
    verify::{verify_payouts, HeldEvents, OperatorHttp, OutageCheck, PayoutCheck, PayoutQuery},
    EventKind, Store,
};
use serde_json::{json, Value};

use crate::{
    local_time::utc_millisecond,
    session::{Connected, Session},
};

/// Check a meter's outage payouts against the chain and their evidence.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["from", "events", "store"])))]
pub struct PayoutCommand {
    #[command(flatten)]
    session: Session,
    /// The customer's meter.
    #[arg(long)]
    meter: u64,
    /// Only this outage (by its id on chain); otherwise every outage on the meter's feeders.
    #[arg(long)]
    outage: Option<u64>,
    /// Only this policy (repeatable; `gridtrust inspect` lists a meter's policies); otherwise every
    /// policy ever sold, each read to find the meter's.
    #[arg(long = "policy", value_name = "ID")]
    policies: Vec<u64>,
    /// Evidence from an operator's daemon: its HTTP address (`http://host:port`), which serves the
    /// evidence of every final report it made at `/evidence/<root>`.
    #[arg(long, value_name = "URL")]
    from: Option<String>,
    /// Evidence from a file: what an operator serves at `/evidence/<root>`, or meter events as
    /// `.csv` / `.jsonl` (any feed holding the outage's events).
    #[arg(long, value_name = "FILE")]
    events: Option<PathBuf>,
    /// Evidence from an operator's oracle database (read only).
    #[arg(long, value_name = "DB")]
    store: Option<PathBuf>,
}

impl PayoutCommand {
    /// Exits non-zero unless every payout of the meter checks out.
    pub fn run(&self) -> Result<()> {
        let Connected {
            mut chain,
            contracts,
            ..
        } = self.session.connect()?;
        let asker = named_account("verifier");
        let query = PayoutQuery {
            meter: self.meter,
            outage: self.outage,
            policies: (!self.policies.is_empty()).then(|| self.policies.clone()),
        };
        let check = match (&self.from, &self.events, &self.store) {
            (Some(url), ..) => {
                let mut door = OperatorHttp(url.clone());
                verify_payouts(&mut chain, &contracts, &asker, &query, &mut door)?
            }
            (None, Some(path), _) => {
                let mut held = HeldEvents(read_events(path)?);
                verify_payouts(&mut chain, &contracts, &asker, &query, &mut held)?
            }
            (None, None, Some(path)) => {
                // Opening creates a missing database: never invent an empty one to check against.
                anyhow::ensure!(path.exists(), "no oracle database at {}", path.display());
                let store =
                    Store::open(path).with_context(|| format!("opening {}", path.display()))?;
                verify_payouts(&mut chain, &contracts, &asker, &query, &mut &store)?
            }
            (None, None, None) => unreachable!("clap requires --from, --events or --store"),
        };
        if self.session.json {
            println!("{}", serde_json::to_string_pretty(&payout_json(&check))?);
        } else {
            for line in payout_lines(&check) {
                println!("{line}");
            }
        }
        if check.outages.is_empty() {
            anyhow::bail!(
                "no payout to check: meter {} has {} policies and none was paid or due for {}",
                self.meter,
                check.policies.len(),
                self.outage
                    .map_or("any outage".to_owned(), |o| format!("outage #{o}"))
            );
        }
        if let Some((outage, mismatch)) = check.first_mismatch() {
            anyhow::bail!("outage #{outage}: {mismatch}");
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

fn kind(k: EventKind) -> &'static str {
    match k {
        EventKind::LastGasp => "last gasp",
        EventKind::Restore => "restore",
    }
}

/// The check as a person reads it.
pub fn payout_lines(check: &PayoutCheck) -> Vec<String> {
    let mut out = vec![format!(
        "meter {}: policies {:?}",
        check.meter, check.policies
    )];
    for c in &check.outages {
        out.extend(outage_lines(c));
    }
    out.push(match check.first_mismatch() {
        Some((outage, m)) => format!("FIRST MISMATCH: outage #{outage}: {m}"),
        None if check.outages.is_empty() => "nothing to check".to_owned(),
        None => "every payout checks out".to_owned(),
    });
    out
}

fn outage_lines(c: &OutageCheck) -> Vec<String> {
    let r = &c.record.report;
    let mut out = vec![format!(
        "outage #{} (feeder {}, {} to {}, {} minutes on chain), policy {}",
        c.outage,
        r.feeder,
        utc_millisecond(r.start_ms),
        utc_millisecond(r.end_ms),
        c.record.minutes,
        c.policy
    )];
    out.push(format!(
        "  evidence root on chain: {}",
        root_hex(&r.evidence_root)
    ));
    if let Some(re) = &c.recomputed {
        out.push(format!(
            "  evidence: {} events, same root; recomputed {} to {} = {} minutes: {}",
            re.events,
            utc_millisecond(re.start_ms),
            utc_millisecond(re.end_ms),
            re.minutes,
            mark((re.start_ms, re.end_ms, re.minutes) == (r.start_ms, r.end_ms, c.record.minutes))
        ));
    }
    for e in &c.own_events {
        out.push(format!(
            "  your meter's {} at {}: {}",
            kind(e.event.kind),
            utc_millisecond(e.event.at_ms),
            if e.proven {
                "proven by the contract against the root"
            } else {
                "NOT PROVEN"
            }
        ));
    }
    match (c.paid, c.due) {
        (Some(paid), Some(due)) => out.push(format!(
            "  payout: paid {} in block #{}, due {}: {}",
            tokens(paid.amount),
            paid.block,
            tokens(due),
            mark(paid.amount == due)
        )),
        (None, Some(due)) if c.pending => out.push(format!(
            "  payout: not yet made (payouts still in progress), due {}",
            tokens(due)
        )),
        (None, Some(due)) => out.push(format!("  payout: none, due {}", tokens(due))),
        (paid, None) => out.push(format!(
            "  payout: {} (not recomputed: the evidence did not check out)",
            paid.map_or("none".to_owned(), |p| tokens(p.amount))
        )),
    }
    if let Some(m) = &c.mismatch {
        out.push(format!("  MISMATCH: {m}"));
    }
    out
}

/// The check for machines.
pub fn payout_json(check: &PayoutCheck) -> Value {
    let amount = |a: Option<u128>| a.map(|a| a.to_string());
    json!({
        "meter": check.meter,
        "policies": check.policies,
        "outages": check.outages.iter().map(|c| json!({
            "outage": c.outage,
            "policy": c.policy,
            "feeder": c.record.report.feeder,
            "chain": {
                "start_ms": c.record.report.start_ms,
                "end_ms": c.record.report.end_ms,
                "minutes": c.record.minutes,
                "evidence_root": root_hex(&c.record.report.evidence_root),
            },
            "recomputed": c.recomputed.as_ref().map(|r| json!({
                "start_ms": r.start_ms,
                "end_ms": r.end_ms,
                "minutes": r.minutes,
                "events": r.events,
            })),
            "own_events": c.own_events.iter().map(|e| json!({
                "kind": e.event.kind,
                "at_ms": e.event.at_ms,
                "proven": e.proven,
            })).collect::<Vec<_>>(),
            "paid": amount(c.paid.map(|p| p.amount)),
            "paid_in_block": c.paid.map(|p| p.block),
            "due": amount(c.due),
            "pending": c.pending,
            "mismatch": c.mismatch,
        })).collect::<Vec<_>>(),
        "first_mismatch": check.first_mismatch().map(|(o, m)| json!({ "outage": o, "mismatch": m })),
        "holds": check.holds(),
    })
}
