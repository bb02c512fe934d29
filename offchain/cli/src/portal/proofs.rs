//! What the browser checks a payout or an entry with, as JSON: the root the chain holds (read from the
//! chain here, and named as such), the customer's own leaves with their Merkle proofs (from an
//! operator's store), and the figures the shared rules recompute. The browser trusts none of the
//! leaves: a proof either leads to the chain's root or the check fails.

use anyhow::{Context, Result};
use demand_response::DemandResponse;
use gridtrust_chain::{encode::call_builder, Chain};
use gridtrust_common::{merkle::MerkleProof, outage::evidence_proof, Digest};
use gridtrust_oracle::{
    evidence::root_hex,
    measure::Operator,
    verify::{entry_evidence, EvidenceSource},
    Store,
};
use outage_insurance::OutageInsurance;
use serde_json::{json, Value};

use super::Site;

fn proof_json(proof: &MerkleProof) -> Value {
    json!({
        "index": proof.index,
        "leaf_count": proof.leaf_count,
        "siblings": proof.siblings.iter().map(root_hex).collect::<Vec<_>>(),
    })
}

fn store(site: &Site) -> Result<Store> {
    let path = site
        .operator_store
        .as_ref()
        .context("this portal was started without an operator's configuration (--oracle), so it has no proofs")?;
    Ok(Store::open(path)?)
}

/// The evidence behind `meter`'s payout from `outage` under `policy`.
pub fn payout(
    chain: &mut impl Chain,
    site: &Site,
    outage: u64,
    meter: u64,
    policy: u64,
) -> Result<Value> {
    let ins = site.contracts.insurance;
    let api = call_builder::<OutageInsurance>(ins);
    let asker = site.asker;
    let record = chain
        .query(&ins, api.outage(outage), &asker)?
        .with_context(|| format!("there is no outage #{outage}"))?;
    let p = chain
        .query(&ins, api.policy(policy), &asker)?
        .filter(|p| p.meter == meter)
        .with_context(|| format!("meter {meter} has no policy #{policy}"))?;
    let pool = chain
        .query(&ins, api.pool(p.pool), &asker)?
        .with_context(|| format!("there is no pool #{}", p.pool))?;
    let payouts = chain.query(&ins, api.policy_payouts(policy), &asker)?;
    let at = payouts.iter().position(|p| p.outage == outage);
    let paid_before: u128 = payouts.iter().take(at.unwrap_or(0)).map(|p| p.amount).sum();
    let store = store(site)?;
    let events = (&store)
        .evidence_for(&record)?
        .context("the operator's store holds no evidence for this outage")?;
    let mine: Vec<Value> = events
        .iter()
        .enumerate()
        .filter(|(_, e)| e.meter == meter)
        .filter_map(|(i, e)| {
            let proof = evidence_proof(&events, i)?;
            Some(json!({ "event": e, "proof": proof_json(&proof) }))
        })
        .collect();
    let r = &record.report;
    Ok(json!({
        "outage": outage,
        "meter": meter,
        "root": root_hex(&r.evidence_root),
        "root_source": format!("outage_insurance.outage({outage}).report.evidence_root"),
        "start_ms": r.start_ms,
        "end_ms": r.end_ms,
        "minutes": record.minutes,
        "min_dark_meters": r.min_dark_meters,
        "excluded": pool.terms.excludes(r),
        "tiers": pool.terms.tiers.iter().map(|t| json!({
            "min_minutes": t.min_minutes,
            "payout": t.payout.to_string(),
        })).collect::<Vec<_>>(),
        "limit_left": pool.terms.aggregate_limit.saturating_sub(paid_before).to_string(),
        "paid": at.map(|i| payouts[i].amount.to_string()),
        "events": mine,
        // The whole evidence, so the browser can re-decide the outage's start and end itself.
        "evidence": events,
    }))
}

/// The evidence behind `meter`'s entry in demand-response `event`.
pub fn entry(chain: &mut impl Chain, site: &Site, event: u64, meter: u64) -> Result<Value> {
    let store = store(site)?;
    let operator = Operator::new(&store, &site.contracts, &site.worker);
    let evidence = entry_evidence(chain, operator, event, meter)?;
    let dr = site.contracts.demand;
    let root: Digest = chain
        .query(
            &dr,
            call_builder::<DemandResponse>(dr).readings_root(event, evidence.entry.batch),
            &site.asker,
        )?
        .with_context(|| format!("event {event} has no batch {}", evidence.entry.batch))?;
    let e = &evidence.entry;
    Ok(json!({
        "event": event,
        "meter": meter,
        "root": root_hex(&root),
        "root_source": format!("demand_response.readings_root({event}, {})", e.batch),
        "baseline_wh": e.baseline_wh,
        "actual_wh": e.actual_wh,
        "subsidy": e.subsidy.to_string(),
        "rate_per_kwh": evidence.terms.rate_per_kwh.to_string(),
        "cap_per_event": evidence.terms.cap_per_event.to_string(),
        "min_reduction_bps": evidence.terms.min_reduction.share_bps,
        "min_reduction_wh": evidence.terms.min_reduction.wh.to_string(),
        "readings": evidence.readings().iter().map(|(at, wh, proof)| json!({
            "interval_start_ms": at,
            "wh": wh,
            "proof": proof_json(proof),
        })).collect::<Vec<_>>(),
    }))
}
