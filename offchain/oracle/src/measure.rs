//! Measuring demand-response events: for each event that has ended, the participants' results computed
//! from the store's readings with the shared baseline code, and the measurement batches the committee
//! votes on, each committing to the readings behind its own entries.

use std::collections::BTreeSet;

use demand_response::{
    DemandResponse, DrEvent, Measurement, MeasurementBatch, MAX_BATCH_ENTRIES,
    MAX_PARTICIPANT_QUERY,
};
use gridtrust_chain::{encode::call_builder, AccountId, Answer, Chain, Contracts};
use gridtrust_common::time::DAY_MS;

use crate::{
    cursor::LowWater,
    demand::{results, EventResults, EventSpec},
    error::OracleError,
    outages::decide,
    report::Report,
    settings::WorkerConfig,
    store::Store,
    worker::RoundReport,
};

/// Computes and queues the results of every ended event not yet measured.
pub(crate) fn measure_events(
    chain: &mut impl Chain,
    store: &mut Store,
    contracts: &Contracts,
    config: &WorkerConfig,
    now: u64,
    report: &mut RoundReport,
) -> Result<(), OracleError> {
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
            all = Some(demand_events(chain, contracts, me)?);
        }
        let events = all.as_deref().unwrap_or(&[]);
        let spec = event_spec(chain, store, contracts, config, id, events)?;
        let decided = event_results(chain, store, contracts, config, id, &spec)?;
        let measured: Vec<u64> = decided.results.iter().map(|r| r.meter).collect();
        for batch in measurement_batches(id, &decided) {
            report.queued += usize::from(store.enqueue(&Report::Measurements(batch))?);
        }
        store.record_measured(id, &measured)?;
        store.record_commitment(id, &measured, &spec.windows())?;
        report.events_measured.push(id);
        report.skipped_for_quality += decided
            .skipped
            .iter()
            .filter(|s| s.quality.is_some())
            .count();
        report.skipped.extend(decided.skipped);
        cursor.done(id);
    }
    cursor.save(store)?;
    Ok(())
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
) -> Result<EventResults, OracleError> {
    let (demand, me) = (contracts.demand, config.operator);
    let api = call_builder::<DemandResponse>(demand);
    let mut participants = Vec::new();
    // The contract judges participation (its one rule), a bounded batch of meters per query.
    for meters in store.meters()?.chunks(MAX_PARTICIPANT_QUERY as usize) {
        let answers = chain
            .query(&demand, api.participants(id, meters.to_vec()), &me)
            .or_refused("participants")?;
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

/// Event `id`'s results cut into the batches the committee votes on: [`MAX_BATCH_ENTRIES`] entries
/// each, in meter order, each committing to the readings behind its own entries.
pub fn measurement_batches(id: u64, decided: &EventResults) -> Vec<MeasurementBatch> {
    let measured: Vec<u64> = decided.results.iter().map(|r| r.meter).collect();
    decided
        .results
        .chunks(MAX_BATCH_ENTRIES as usize)
        .enumerate()
        .filter_map(|(index, chunk)| {
            let part = decided.part(batch_meters(&measured, index as u32));
            Some(MeasurementBatch {
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
                readings_root: part.readings_root?,
            })
        })
        .collect()
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
) -> Result<EventSpec, OracleError> {
    let (rule, asker) = (&config.demand, config.operator);
    let demand = contracts.demand;
    let api = call_builder::<DemandResponse>(demand);
    let event = events
        .get(id as usize)
        .ok_or_else(|| OracleError::Missing(format!("no demand-response event {id}")))?;
    let program = chain
        .query(&demand, api.program(event.program), &asker)?
        .ok_or_else(|| OracleError::Missing(format!("event {id} names no program")))?;
    let mut abnormal: BTreeSet<u64> = events.iter().map(|e| e.start_ms / DAY_MS).collect();
    for o in decide(&store.meter_events()?, &config.outages, event.start_ms) {
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
pub fn demand_events(
    chain: &mut impl Chain,
    contracts: &Contracts,
    asker: AccountId,
) -> Result<Vec<DrEvent>, OracleError> {
    Ok(events_from(chain, contracts, asker, 0)?
        .into_iter()
        .map(|(_, e)| e)
        .collect())
}

/// The demand-response events from id `first` on, with their ids.
pub(crate) fn events_from(
    chain: &mut impl Chain,
    contracts: &Contracts,
    asker: AccountId,
    first: u64,
) -> Result<Vec<(u64, DrEvent)>, OracleError> {
    let api = call_builder::<DemandResponse>(contracts.demand);
    let mut events = Vec::new();
    let mut id = first;
    while let Some(e) = chain.query(&contracts.demand, api.event(id), &asker)? {
        events.push((id, e));
        id += 1;
    }
    Ok(events)
}
