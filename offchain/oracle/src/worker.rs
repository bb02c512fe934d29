//! One operator's round of work against the chain, the heart of the oracle daemon (and of the demo):
//! 1. **outages**: decide feeder outages from the stored meter events and queue a start report for each
//!    open one and a final report for each ended one;
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

use std::collections::BTreeSet;

use demand_response::{
    DemandResponse, DrEvent, EntryStatus, Measurement, MeasurementBatch, MAX_BATCH_ENTRIES,
    MAX_PARTICIPANT_QUERY,
};
use gridtrust_chain::{encode::call_builder, AccountId, Chain, ChainError};
use gridtrust_common::committee::Oracle;
use outage_insurance::{Affected, OutageInsurance, OutageReport, MAX_METERS_PER_REPORT};

use crate::{
    demand::{results, EventResults, EventSpec, Skipped},
    outages::{decide, OutageRule},
    report::Report,
    store::{Store, StoreError},
    submit::{drain, ChainSubmitter, DrainReport},
    trigger::{pay_outage, settle_event, TriggerError},
};

const DAY_MS: u64 = 86_400_000;

/// Where the committee contracts are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Contracts {
    /// Outage insurance.
    pub insurance: AccountId,
    /// Demand response.
    pub demand: AccountId,
}

/// How demand-response results are computed from the stored readings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemandRule {
    /// Length of each reading interval (ms).
    pub interval_ms: u64,
    /// Length of the day-of adjustment window (ms).
    pub adjustment_len_ms: u64,
    /// Gap between the adjustment window's end and the event's start (ms).
    pub adjustment_gap_ms: u64,
    /// How long after an event's end to wait for late readings before computing (ms).
    pub report_delay_ms: u64,
    /// Day type of Monday to Friday, as the programs number them.
    pub weekday_type: u8,
    /// Day type of Saturday and Sunday.
    pub weekend_type: u8,
    /// Most days before the event to take history from.
    pub history_days: u32,
}

impl Default for DemandRule {
    /// 15-minute intervals, a 2-hour adjustment window ending 1 hour before the event, no delay,
    /// weekdays 0 and weekends 1, up to 20 days of history.
    fn default() -> Self {
        Self {
            interval_ms: 900_000,
            adjustment_len_ms: 2 * 3_600_000,
            adjustment_gap_ms: 3_600_000,
            report_delay_ms: 0,
            weekday_type: 0,
            weekend_type: 1,
            history_days: 20,
        }
    }
}

impl DemandRule {
    /// The day type of UTC day number `day` (1970-01-01, day 0, was a Thursday).
    pub fn day_type(&self, day: u64) -> u8 {
        if (day + 3) % 7 >= 5 {
            self.weekend_type
        } else {
            self.weekday_type
        }
    }
}

/// What one operator does each round.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// The operator's account (a committee member; the chain client holds its key).
    pub operator: AccountId,
    /// How outages are decided.
    pub outages: OutageRule,
    /// How demand-response results are computed.
    pub demand: DemandRule,
    /// Whether this operator also triggers payouts and settlement.
    pub keeper: bool,
    /// Policies per payout call.
    pub payout_batch: u32,
    /// Send the insurance contract a heartbeat when this operator was last heard longer ago than
    /// this (ms; 0: never), so pools keep selling while the committee runs.
    pub heartbeat_ms: u64,
}

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
    /// Policies paid by the keeper this round.
    pub policies_paid: u32,
    /// Demand-response entries settled by the keeper this round.
    pub entries_settled: u32,
    /// Whether this round sent a heartbeat.
    pub heartbeat: bool,
}

/// Why a round stopped early (what it did before stays done).
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The chain could not be asked or did not take a call.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// A payout or settlement call failed.
    #[error(transparent)]
    Trigger(#[from] TriggerError),
    /// A contract refused a query the round depends on.
    #[error("{0}")]
    Refused(String),
}

impl WorkerError {
    /// Whether the chain was unreachable (the next round may do better).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Chain(e) | Self::Trigger(TriggerError::Chain(e)) => e.is_transient(),
            _ => false,
        }
    }
}

/// The final report of `outage` as the contract takes it: its meters, or the whole feeder when more
/// meters went dark than one report may list.
fn end_report(feeder: u32, start_ms: u64, end_ms: u64, meters: &[u64]) -> Report {
    let affected = if meters.len() > MAX_METERS_PER_REPORT as usize {
        Affected::WholeFeeder
    } else {
        Affected::Meters(meters.to_vec())
    };
    Report::OutageEnd(OutageReport {
        feeder,
        start_ms,
        end_ms,
        planned: false,
        affected,
    })
}

/// Runs one round for `config.operator` on `chain` over `store`.
pub fn round(
    chain: &mut impl Chain,
    store: &mut Store,
    contracts: &Contracts,
    config: &WorkerConfig,
) -> Result<RoundReport, WorkerError> {
    let mut report = RoundReport::default();
    let now = chain.now_ms()?;

    for o in decide(&store.events()?, &config.outages, now) {
        let queued = match o.end_ms {
            // Reports about the future are refused: the chain's clock may trail ours.
            Some(end) if end <= now => {
                store.enqueue(&end_report(o.feeder, o.start_ms, end, &o.meters))?
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
            insurance: contracts.insurance,
            demand: contracts.demand,
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
) -> Result<bool, WorkerError> {
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
        .call(&insurance, api.heartbeat(), &config.operator, 0)?
        .value
        .map_err(|e| WorkerError::Refused(format!("heartbeat: {e:?}")))?;
    Ok(true)
}

/// Computes and queues the results of every ended event not yet measured.
fn measure_events(
    chain: &mut impl Chain,
    store: &mut Store,
    contracts: &Contracts,
    config: &WorkerConfig,
    now: u64,
    report: &mut RoundReport,
) -> Result<(), WorkerError> {
    let me = config.operator;
    // Events below the cursor were measured or closed before we could: nothing to look at again.
    let mut cursor = LowWater::load(store, "worker.measured_below")?;
    // Every event, fetched only when results are computed (their days are not normal days).
    let mut all: Option<Vec<DrEvent>> = None;
    for (id, event) in events_from(chain, contracts, me, cursor.first)? {
        let due = event.end_ms.saturating_add(config.demand.report_delay_ms);
        let done = event.closed_at.is_some() || store.measured(id)?.is_some();
        if done || now < due {
            if done {
                cursor.done(id);
            }
            continue;
        }
        if all.is_none() {
            all = Some(chain_events(chain, contracts, me)?);
        }
        let events = all.as_deref().unwrap_or(&[]);
        let spec = event_spec(chain, store, contracts, config, id, events)?;
        let decided = event_results(chain, store, contracts, config, id, &spec)?;
        let measured: Vec<u64> = decided.results.iter().map(|r| r.meter).collect();
        for (index, chunk) in decided
            .results
            .chunks(MAX_BATCH_ENTRIES as usize)
            .enumerate()
        {
            // Each batch commits to the readings behind its own entries.
            let part = results(store, &spec, batch_meters(&measured, index as u32))?;
            let Some(root) = part.readings_root else {
                continue;
            };
            let batch = MeasurementBatch {
                event: id,
                index: index as u32,
                entries: chunk
                    .iter()
                    .map(|r| Measurement {
                        meter: r.meter,
                        baseline_wh: r.baseline_wh,
                        actual_wh: r.actual_wh,
                    })
                    .collect(),
                readings_root: root,
            };
            report.queued += usize::from(store.enqueue(&Report::Measurements(batch))?);
        }
        store.record_measured(id, &measured)?;
        report.events_measured.push(id);
        report.skipped.extend(decided.skipped);
        cursor.done(id);
    }
    cursor.save(store)?;
    Ok(())
}

/// A named cursor in the store below which every id is done for good. It passes an id only when
/// every id before it is done too, so one still pending is looked at again next round.
struct LowWater {
    name: &'static str,
    /// Where this round started.
    first: u64,
    next: u64,
}

impl LowWater {
    fn load(store: &Store, name: &'static str) -> Result<Self, StoreError> {
        let first = store.progress(name)?;
        Ok(Self {
            name,
            first,
            next: first,
        })
    }

    /// Id `id` is done for good.
    fn done(&mut self, id: u64) {
        if self.next == id {
            self.next = id + 1;
        }
    }

    /// Keeps the cursor in the store, when it moved.
    fn save(self, store: &mut Store) -> Result<(), StoreError> {
        if self.next != self.first {
            store.set_progress(self.name, self.next)?;
        }
        Ok(())
    }
}

/// The results of demand-response event `id` that `store`'s readings give: for the meters the
/// contract counts as participants (enrolled as of the start, not opted out), in the order batches
/// are cut from. Participation is settled once the event starts, so every operator with the same
/// readings computes the same results, whenever it asks.
pub fn event_results(
    chain: &mut impl Chain,
    store: &Store,
    contracts: &Contracts,
    config: &WorkerConfig,
    id: u64,
    spec: &EventSpec,
) -> Result<EventResults, WorkerError> {
    let (demand, me) = (contracts.demand, config.operator);
    let api = call_builder::<DemandResponse>(demand);
    let mut participants = Vec::new();
    // The contract judges participation (its one rule), a bounded batch of meters per query.
    for meters in store.meters()?.chunks(MAX_PARTICIPANT_QUERY as usize) {
        let answers = chain
            .query(&demand, api.participants(id, meters.to_vec()), &me)?
            .map_err(|e| WorkerError::Refused(format!("participants: {e:?}")))?;
        participants.extend(
            meters
                .iter()
                .zip(answers)
                .filter(|(_, customer)| customer.is_some())
                .map(|(meter, _)| *meter),
        );
    }
    Ok(results(store, spec, &participants)?)
}

/// The meters of batch `index` among an event's measured meters (batches of
/// [`MAX_BATCH_ENTRIES`], in meter order).
pub fn batch_meters(measured: &[u64], index: u32) -> &[u64] {
    measured
        .chunks(MAX_BATCH_ENTRIES as usize)
        .nth(index as usize)
        .unwrap_or(&[])
}

/// What the oracle computes demand-response event `id`'s results from: its window from the chain, the
/// program's baseline method, and the history days the store can supply, typed by `config.demand`.
/// Days that are not normal are not eligible: days of any event in `events`, and days of any grid
/// outage the store's meter events show.
pub fn event_spec(
    chain: &mut impl Chain,
    store: &Store,
    contracts: &Contracts,
    config: &WorkerConfig,
    id: u64,
    events: &[DrEvent],
) -> Result<EventSpec, WorkerError> {
    let (rule, asker) = (&config.demand, config.operator);
    let demand = contracts.demand;
    let api = call_builder::<DemandResponse>(demand);
    let event = events
        .get(id as usize)
        .ok_or_else(|| WorkerError::Refused(format!("no demand-response event {id}")))?;
    let program = chain
        .query(&demand, api.program(event.program), &asker)?
        .ok_or_else(|| WorkerError::Refused(format!("event {id} names no program")))?;
    let mut abnormal: BTreeSet<u64> = events.iter().map(|e| e.start_ms / DAY_MS).collect();
    for o in decide(&store.events()?, &config.outages, event.start_ms) {
        let last = o.end_ms.unwrap_or(event.start_ms) / DAY_MS;
        abnormal.extend(o.start_ms / DAY_MS..=last);
    }
    let first_reading = store.first_reading_ms()?.unwrap_or(event.start_ms);
    let reach = rule.adjustment_gap_ms + rule.adjustment_len_ms;
    let event_day = event.start_ms / DAY_MS;
    // Only days the store can have data for: older ones would leave every meter out.
    let history = (1..=rule.history_days)
        .take_while(|&d| {
            event
                .start_ms
                .checked_sub(u64::from(d) * DAY_MS + reach)
                .is_some_and(|from| from >= first_reading)
        })
        .map(|d| {
            let day = event_day - u64::from(d);
            (d, rule.day_type(day), abnormal.contains(&day))
        })
        .collect();
    Ok(EventSpec {
        start_ms: event.start_ms,
        end_ms: event.end_ms,
        interval_ms: rule.interval_ms,
        adjustment_len_ms: rule.adjustment_len_ms,
        adjustment_gap_ms: rule.adjustment_gap_ms,
        day_type: event.day_type,
        history,
        params: program.terms.baseline,
    })
}

/// Every demand-response event on chain, by id (ids are dense from 0).
pub fn chain_events(
    chain: &mut impl Chain,
    contracts: &Contracts,
    asker: AccountId,
) -> Result<Vec<DrEvent>, WorkerError> {
    Ok(events_from(chain, contracts, asker, 0)?
        .into_iter()
        .map(|(_, e)| e)
        .collect())
}

/// The demand-response events from id `first` on, with their ids.
fn events_from(
    chain: &mut impl Chain,
    contracts: &Contracts,
    asker: AccountId,
    first: u64,
) -> Result<Vec<(u64, DrEvent)>, WorkerError> {
    let api = call_builder::<DemandResponse>(contracts.demand);
    let mut events = Vec::new();
    let mut id = first;
    while let Some(e) = chain.query(&contracts.demand, api.event(id), &asker)? {
        events.push((id, e));
        id += 1;
    }
    Ok(events)
}

/// Pays every final outage until nothing remains; returns the policies paid.
fn pay_final_outages(
    chain: &mut impl Chain,
    store: &mut Store,
    contracts: &Contracts,
    config: &WorkerConfig,
) -> Result<u32, WorkerError> {
    let insurance = contracts.insurance;
    let api = call_builder::<OutageInsurance>(insurance);
    let count = chain.query(&insurance, api.outage_count(), &config.operator)?;
    let mut paid = 0;
    // Outages before the cursor are fully paid: `pay_outage` returns only when none remains.
    let first = store.progress("keeper.outage_cursor")?;
    for outage in first..count {
        let remaining = chain.query(&insurance, api.payouts_remaining(outage), &config.operator)?;
        if remaining.unwrap_or(0) > 0 {
            paid += pay_outage(
                chain,
                insurance,
                config.operator,
                outage,
                config.payout_batch,
                |_, _, _| {},
            )?;
        }
        store.set_progress("keeper.outage_cursor", outage + 1)?;
    }
    Ok(paid)
}

/// Settles every closed event whose dispute window has passed, paying each pending entry of a meter
/// the store knows (the contract skips the rest); returns the entries paid.
fn settle_due_events(
    chain: &mut impl Chain,
    store: &mut Store,
    contracts: &Contracts,
    config: &WorkerConfig,
    now: u64,
) -> Result<u32, WorkerError> {
    let demand = contracts.demand;
    let mut api = call_builder::<DemandResponse>(demand);
    let me = config.operator;
    let mut paid = 0;
    // Events below the cursor are settled for good.
    let mut cursor = LowWater::load(store, "keeper.settled_below")?;
    for (id, event) in events_from(chain, contracts, me, cursor.first)? {
        if event.settled {
            cursor.done(id);
            continue;
        }
        let Some(closed_at) = event.closed_at else {
            continue;
        };
        let program = chain
            .query(&demand, api.program(event.program), &me)?
            .ok_or_else(|| WorkerError::Refused(format!("event {id} names no program")))?;
        // Disputed entries are held by the contract; the rest are paid once the window has passed.
        if now < closed_at.saturating_add(program.terms.dispute_window_ms) {
            continue;
        }
        let mut pending = Vec::new();
        for meter in store.meters()? {
            let entry = chain.query(&demand, api.entry(id, meter), &me)?;
            if entry.is_some_and(|e| e.status == EntryStatus::Pending) {
                pending.push(meter);
            }
        }
        if !pending.is_empty() {
            paid += settle_event(
                chain,
                demand,
                me,
                id,
                &pending,
                demand_response::MAX_SETTLE_BATCH as usize,
            )?;
        } else if event.paid_entries == event.entries {
            // Nothing left to pay (or nothing was ever recorded): one empty call marks the event
            // settled, which hands its remainder back and frees the program's budget.
            chain
                .call(&demand, api.settle(id, Vec::new()), &me, 0)?
                .value
                .map_err(|e| WorkerError::Refused(format!("settle({id}): {e:?}")))?;
        }
        let settled = chain
            .query(&demand, api.event(id), &me)?
            .is_some_and(|e| e.settled);
        if settled {
            cursor.done(id);
        }
    }
    cursor.save(store)?;
    Ok(paid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekends_are_told_from_weekdays_by_utc_date() {
        let rule = DemandRule::default();
        // 1970-01-01 was a Thursday; 2026-11-27..30 are Friday to Monday.
        assert_eq!(rule.day_type(0), 0);
        assert_eq!(rule.day_type(2), 1);
        assert_eq!(
            [20784, 20785, 20786, 20787].map(|d| rule.day_type(d)),
            [0, 1, 1, 0]
        );
    }

    #[test]
    fn an_outage_of_more_meters_than_a_report_may_list_names_the_whole_feeder() {
        let few: Vec<u64> = (0..3).collect();
        let many: Vec<u64> = (0..=u64::from(MAX_METERS_PER_REPORT)).collect();
        let affected = |meters: &[u64]| match end_report(1, 10, 20, meters) {
            Report::OutageEnd(r) => r.affected,
            other => panic!("not a final report: {other:?}"),
        };
        assert_eq!(affected(&few), Affected::Meters(few.clone()));
        assert_eq!(affected(&many), Affected::WholeFeeder);
    }
}
