//! One operator's round of work against the chain, the heart of the oracle daemon (and of the demo):
//! 1. **outages**: decide feeder outages from the stored meter events and queue a start report for each
//!    open one and a final report for each ended one (keeping the evidence it commits to);
//! 2. **demand response**: for every event on chain that has ended (plus a grace period for late
//!    readings), compute each participating meter's result once and queue the measurement batches;
//! 3. **send** the outbox as this operator ([`crate::submit::drain`]);
//! 4. **keep** (when this operator is the keeper): pay every final outage and settle every event whose
//!    dispute window has passed, until nothing remains (a keeper need not have measured an event to
//!    settle it: the entries are on chain, the meters in its store).
//!
//! Every step is idempotent: reports are keyed by content in the outbox, results are computed once per
//! event and remembered in the store, and the contracts count a vote or a payout only once. A round can
//! be interrupted anywhere and simply run again.

use gridtrust_chain::{encode::call_builder, Answer, Chain, Contracts};
use gridtrust_common::committee::Oracle;
use outage_insurance::OutageInsurance;

use crate::{
    demand::Skipped,
    error::OracleError,
    keeper::{pay_final_outages, settle_due_events},
    measure::measure_events,
    outages::{decide, final_report},
    report::Report,
    settings::WorkerConfig,
    store::Store,
    submit::{drain, ChainSubmitter, DrainReport},
};

/// What a round did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RoundReport {
    /// Reports newly queued.
    pub queued: usize,
    /// What sending the outbox did.
    pub sent: DrainReport,
    /// Demand-response events whose results were computed this round.
    pub events_measured: Vec<u64>,
    /// Meters left out of those results, and why.
    pub skipped: Vec<Skipped>,
    /// How many of them an estimated or missing read kept out.
    pub skipped_for_quality: usize,
    /// Policies paid by the keeper this round.
    pub policies_paid: u32,
    /// Demand-response entries settled by the keeper this round.
    pub entries_settled: u32,
    /// Whether this round sent a heartbeat.
    pub heartbeat: bool,
}

/// Runs one round for `config.operator` on `chain` over `store`.
pub fn round(
    chain: &mut impl Chain,
    store: &mut Store,
    contracts: &Contracts,
    config: &WorkerConfig,
) -> Result<RoundReport, OracleError> {
    let mut report = RoundReport::default();
    let now = chain.now_ms()?;

    for o in decide(&store.meter_events()?, &config.outages, now) {
        let queued = match final_report(&o, &config.outages) {
            // Reports about the future are refused: the chain's clock may trail ours.
            Some(end) if end.end_ms <= now => {
                // The evidence is kept before its report is queued, so no report is ever sent whose
                // evidence this operator could not serve.
                store.keep_evidence(&o)?;
                store.enqueue(&Report::OutageEnd(end))?
            }
            Some(_) => false,
            None if !o.stale && o.start_ms <= now => store.enqueue(&Report::OutageStart {
                feeder: o.feeder,
                start_ms: o.start_ms,
            })?,
            None => false,
        };
        report.queued += usize::from(queued);
    }

    measure_events(chain, store, contracts, config, now, &mut report)?;

    report.sent = drain(
        store,
        &mut ChainSubmitter {
            chain: &mut *chain,
            operator: config.operator,
            contracts: *contracts,
        },
    )?;

    report.heartbeat = heartbeat(chain, contracts, config, now)?;

    if config.keeper {
        report.policies_paid = pay_final_outages(chain, store, contracts, config)?;
        report.entries_settled = settle_due_events(chain, store, contracts, config, now)?;
    }
    Ok(report)
}

/// Tells the insurance contract this operator runs, when it was last heard (a vote or a heartbeat)
/// longer ago than `config.heartbeat_ms`; returns whether it did.
fn heartbeat(
    chain: &mut impl Chain,
    contracts: &Contracts,
    config: &WorkerConfig,
    now: u64,
) -> Result<bool, OracleError> {
    if config.heartbeat_ms == 0 {
        return Ok(false);
    }
    let insurance = contracts.insurance;
    let mut api = call_builder::<OutageInsurance>(insurance);
    let heard = chain.query(&insurance, api.last_heard(), &config.operator)?;
    let Some(&(_, last)) = heard.iter().find(|(member, _)| *member == config.operator) else {
        return Ok(false); // not a member (any more): nothing to say
    };
    if now.saturating_sub(last) < config.heartbeat_ms {
        return Ok(false);
    }
    chain
        .call(&insurance, api.heartbeat(), &config.operator, 0)
        .or_refused("heartbeat")?;
    Ok(true)
}
