//! Checking a customer's outage payouts against the chain: for every outage a policy of the meter was
//! paid for (or should have been), the evidence is fetched from a source the customer chooses, its
//! root compared with the one the chain keeps, the outage recomputed from it with the shared rule
//! (`gridtrust_common::outage`), the customer's own meter events proven by the contract's
//! `verify_outage_event`, and the payout recomputed through the pool's tiers and the policy's
//! remaining limit. The first thing that disagrees is named.

use gridtrust_chain::{encode::call_builder, AccountId, Chain, Contracts};
use gridtrust_common::{
    outage::{evidence_proof, evidence_root, EvidenceError, MeterEvent, OutageRule},
    tiers,
};
use outage_insurance::{OutageInsurance, OutageRecord, Payout, Policy, PoolTerms};

use crate::{
    error::OracleError,
    evidence::{root_hex, EvidenceFile},
    outages::{affected, decide, recompute},
    store::Store,
};

/// Where the evidence of an outage comes from.
pub trait EvidenceSource {
    /// The events this source holds as the evidence of `outage` (the chain's record of it), or
    /// `None` when it holds none.
    fn evidence_for(
        &mut self,
        outage: &OutageRecord,
    ) -> Result<Option<Vec<MeterEvent>>, OracleError>;
}

/// Events the customer holds (an evidence file, or any feed of meter events): the outage of the same
/// feeder and start that the rule decides from them is the evidence.
pub struct HeldEvents(pub Vec<MeterEvent>);

impl EvidenceSource for HeldEvents {
    fn evidence_for(
        &mut self,
        outage: &OutageRecord,
    ) -> Result<Option<Vec<MeterEvent>>, OracleError> {
        let r = &outage.report;
        let rule = OutageRule {
            min_dark_meters: r.min_dark_meters,
            ..OutageRule::default()
        };
        Ok(decide(&self.0, &rule, 0)
            .into_iter()
            .find(|o| o.feeder == r.feeder && o.start_ms == r.start_ms && o.end_ms.is_some())
            .map(|o| o.evidence))
    }
}

/// An operator's store: the evidence it kept when it reported (by root), or else what its events
/// decide now (a store that did not report the outage itself).
impl EvidenceSource for &Store {
    fn evidence_for(
        &mut self,
        outage: &OutageRecord,
    ) -> Result<Option<Vec<MeterEvent>>, OracleError> {
        if let Some(kept) = self.evidence(&outage.report.evidence_root)? {
            return Ok(Some(kept.events));
        }
        HeldEvents(self.meter_events()?).evidence_for(outage)
    }
}

/// An operator's HTTP door (`gridtrust oracle run`'s listener, e.g. `http://operator-1:9100`): the
/// evidence it kept under the outage's root, `GET /evidence/0x<root>`.
pub struct OperatorHttp(pub String);

impl EvidenceSource for OperatorHttp {
    fn evidence_for(
        &mut self,
        outage: &OutageRecord,
    ) -> Result<Option<Vec<MeterEvent>>, OracleError> {
        let url = format!(
            "{}/evidence/{}",
            self.0.trim_end_matches('/'),
            root_hex(&outage.report.evidence_root)
        );
        let failed = |e: String| OracleError::Missing(format!("fetching {url}: {e}"));
        match ureq::get(&url).call() {
            Ok(answer) => {
                let text = answer
                    .into_string()
                    .map_err(|e| failed(format!("reading the answer: {e}")))?;
                let doc: EvidenceFile = serde_json::from_str(&text)
                    .map_err(|e| failed(format!("not an evidence document: {e}")))?;
                Ok(Some(doc.events))
            }
            Err(ureq::Error::Status(404, _)) => Ok(None),
            Err(e) => Err(failed(e.to_string())),
        }
    }
}

/// One of the customer's events in the evidence, and whether the contract proved it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvenEvent {
    /// The event.
    pub event: MeterEvent,
    /// Whether `verify_outage_event` accepted it against the outage's evidence root.
    pub proven: bool,
}

/// What the evidence recomputes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recomputed {
    /// Start (ms).
    pub start_ms: u64,
    /// End (ms).
    pub end_ms: u64,
    /// Whole minutes.
    pub minutes: u32,
    /// Events in the evidence.
    pub events: usize,
}

/// One outage checked for one policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutageCheck {
    /// The outage's id.
    pub outage: u64,
    /// The policy.
    pub policy: u64,
    /// The chain's record of the outage.
    pub record: OutageRecord,
    /// What its evidence recomputes, once it got that far.
    pub recomputed: Option<Recomputed>,
    /// The customer's meter's events in the evidence, each proven (or not) by the contract.
    pub own_events: Vec<ProvenEvent>,
    /// What the policy is due by its pool's tiers and its remaining limit, for the recomputed
    /// minutes (0 when the policy is not eligible).
    pub due: Option<u128>,
    /// What the chain paid the policy for it, and in which block (its `PayoutMade` event is there).
    pub paid: Option<Payout>,
    /// Payouts for the outage are still being processed and this policy was not paid yet.
    pub pending: bool,
    /// The first thing that does not check out.
    pub mismatch: Option<String>,
}

/// Every outage checked for a meter's policies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutCheck {
    /// The meter.
    pub meter: u64,
    /// The policies found for the meter.
    pub policies: Vec<u64>,
    /// One check per (policy, outage) paid or due.
    pub outages: Vec<OutageCheck>,
}

impl PayoutCheck {
    /// The first mismatch and the outage it is about.
    pub fn first_mismatch(&self) -> Option<(u64, &str)> {
        self.outages
            .iter()
            .find_map(|c| c.mismatch.as_deref().map(|m| (c.outage, m)))
    }

    /// Whether there was something to check and all of it checks out.
    pub fn holds(&self) -> bool {
        !self.outages.is_empty() && self.first_mismatch().is_none()
    }
}

/// What to check: a meter's payouts for one outage or all, from some of its policies or all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutQuery {
    /// The meter.
    pub meter: u64,
    /// Only this outage, or every outage on chain.
    pub outage: Option<u64>,
    /// Only these policies (those of other meters are ignored), or every policy ever sold for the
    /// meter — found by reading every policy, since the contract's per-meter list forgets policies
    /// past their settlement grace.
    pub policies: Option<Vec<u64>>,
}

/// Checks the payouts `query` names, with evidence from `source`; `asker` only asks the queries.
pub fn verify_payouts(
    chain: &mut impl Chain,
    contracts: &Contracts,
    asker: &AccountId,
    query: &PayoutQuery,
    source: &mut impl EvidenceSource,
) -> Result<PayoutCheck, OracleError> {
    let (meter, outage) = (query.meter, query.outage);
    let insurance = contracts.insurance;
    let api = call_builder::<OutageInsurance>(insurance);
    let candidates: Vec<u64> = match &query.policies {
        Some(ids) => ids.clone(),
        None => (0..chain.query(&insurance, api.policy_count(), asker)?).collect(),
    };
    let mut policies = Vec::new();
    for id in candidates {
        if let Some(p) = chain.query(&insurance, api.policy(id), asker)? {
            if p.meter == meter {
                policies.push((id, p));
            }
        }
    }
    let outage_ids: Vec<u64> = match outage {
        Some(id) => vec![id],
        None => (0..chain.query(&insurance, api.outage_count(), asker)?).collect(),
    };
    let mut records = Vec::new();
    for &id in &outage_ids {
        let record = chain
            .query(&insurance, api.outage(id), asker)?
            .ok_or_else(|| OracleError::Missing(format!("there is no outage {id} on chain")))?;
        records.push((id, record));
    }

    let mut checks = Vec::new();
    for (policy_id, policy) in &policies {
        let payouts = chain.query(&insurance, api.policy_payouts(*policy_id), asker)?;
        let pool = chain
            .query(&insurance, api.pool(policy.pool), asker)?
            .ok_or_else(|| OracleError::Missing(format!("policy {policy_id} names no pool")))?;
        for (id, record) in &records {
            let paid_at = payouts.iter().position(|p| p.outage == *id);
            let eligible = eligible(policy, record, &pool.terms, meter);
            if record.report.feeder != policy.feeder || (!eligible && paid_at.is_none()) {
                continue;
            }
            // The limit left when this payout was made (or now, for one not made).
            let paid_before: u128 = payouts
                .iter()
                .take(paid_at.unwrap_or(payouts.len()))
                .map(|p| p.amount)
                .sum();
            let mut check = OutageCheck {
                outage: *id,
                policy: *policy_id,
                record: record.clone(),
                recomputed: None,
                own_events: Vec::new(),
                due: None,
                paid: paid_at.map(|i| payouts[i]),
                pending: paid_at.is_none() && record.cursor < record.targets,
                mismatch: None,
            };
            check.mismatch = check_one(chain, contracts, asker, meter, source, &mut check)
                .err()
                .or_else(|| {
                    let due = if eligible {
                        pool.terms
                            .due(check.recomputed.as_ref()?.minutes, paid_before)
                    } else {
                        0
                    };
                    check.due = Some(due);
                    payment_mismatch(due, check.paid.map(|p| p.amount), check.pending)
                });
            checks.push(check);
        }
    }
    Ok(PayoutCheck {
        meter,
        policies: policies.iter().map(|(id, _)| *id).collect(),
        outages: checks,
    })
}

/// Whether `policy` (of `meter`) is owed a payout for `record` by its terms: the outage hit the
/// meter, began while the cover was in force, and is not a planned one its pool excludes.
fn eligible(policy: &Policy, record: &OutageRecord, terms: &PoolTerms, meter: u64) -> bool {
    let r = &record.report;
    let hit = match &r.affected {
        outage_insurance::Affected::WholeFeeder => true,
        outage_insurance::Affected::Meters(meters) => meters.binary_search(&meter).is_ok(),
    };
    hit && policy.covers(r) && !terms.excludes(r)
}

fn payment_mismatch(due: u128, paid: Option<u128>, pending: bool) -> Option<String> {
    match paid {
        Some(paid) if paid == due => None,
        Some(paid) => Some(format!(
            "paid {paid}, but the pool's tiers and the policy's remaining limit give {due} \
             (less is paid only when the pool's capital ran short)"
        )),
        None if due == 0 || pending => None,
        None => Some(format!(
            "nothing was paid, but the pool's tiers give {due} and the outage's payouts are done"
        )),
    }
}

/// The evidence checks for one outage, filling `check` as it goes; the first failure is the error.
fn check_one(
    chain: &mut impl Chain,
    contracts: &Contracts,
    asker: &AccountId,
    meter: u64,
    source: &mut impl EvidenceSource,
    check: &mut OutageCheck,
) -> Result<(), String> {
    let report = check.record.report.clone();
    let evidence = source
        .evidence_for(&check.record)
        .map_err(|e| format!("the evidence could not be read: {e}"))?
        .ok_or_else(|| {
            format!(
                "the evidence source holds no outage of feeder {} starting at {} ms",
                report.feeder, report.start_ms
            )
        })?;
    let root = evidence_root(&evidence);
    if root != report.evidence_root {
        return Err(format!(
            "the evidence's root {} is not the root the chain keeps, {}",
            root_hex(&root),
            root_hex(&report.evidence_root)
        ));
    }
    let rule = OutageRule {
        min_dark_meters: report.min_dark_meters,
        ..OutageRule::default()
    };
    let outage = recompute(&evidence, &rule).map_err(|e: EvidenceError| e.describe().to_owned())?;
    let end_ms = outage.end_ms.unwrap_or_default();
    let minutes = tiers::outage_minutes(outage.start_ms, end_ms);
    check.recomputed = Some(Recomputed {
        start_ms: outage.start_ms,
        end_ms,
        minutes,
        events: evidence.len(),
    });
    if (outage.start_ms, end_ms) != (report.start_ms, report.end_ms) {
        return Err(format!(
            "the evidence gives {}..{} ms, the chain says {}..{} ms",
            outage.start_ms, end_ms, report.start_ms, report.end_ms
        ));
    }
    if minutes != check.record.minutes {
        return Err(format!(
            "the evidence gives {minutes} minutes, the chain says {}",
            check.record.minutes
        ));
    }
    if affected(&outage.meters) != report.affected {
        return Err("the evidence's dark meters are not the meters the report lists".to_owned());
    }
    let insurance = contracts.insurance;
    let api = call_builder::<OutageInsurance>(insurance);
    for (index, event) in evidence.iter().enumerate() {
        if event.meter != meter {
            continue;
        }
        let proven = match evidence_proof(&evidence, index) {
            Some(proof) => chain
                .query(
                    &insurance,
                    api.verify_outage_event(check.outage, *event, proof),
                    asker,
                )
                .map_err(|e| format!("the chain could not be asked: {e}"))?,
            None => false,
        };
        check.own_events.push(ProvenEvent {
            event: *event,
            proven,
        });
    }
    if let Some(bad) = check.own_events.iter().find(|e| !e.proven) {
        return Err(format!(
            "your meter's event {:?} at {} ms does not prove against the chain's root",
            bad.event.kind, bad.event.at_ms
        ));
    }
    Ok(())
}
