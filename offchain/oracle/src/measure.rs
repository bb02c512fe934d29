//! Measuring demand-response events: for each event that has ended, the participants' results computed
//! from the store's readings with the shared baseline code, and the measurement batches the committee
//! votes on, each committing to the readings behind its own entries.

use std::collections::BTreeSet;

use demand_response::{
    DemandResponse, DrEvent, Holidays, Measurement, MeasurementBatch, Program, MAX_BATCH_ENTRIES,
    MAX_PARTICIPANT_QUERY,
};
use gridtrust_chain::{encode::call_builder, AccountId, Answer, Chain, ChainError, Contracts};
use gridtrust_common::{
    calendar,
    time::{self, UtcOffset, DAY_MS},
};

use crate::{
    cursor::LowWater,
    demand::{results, EventResults, EventSpec},
    error::OracleError,
    outages::decide,
    report::Report,
    settings::{DemandRule, WorkerConfig},
    store::Store,
    worker::RoundReport,
};

/// What one operator computes demand-response results from: its store of readings and meter events,
/// where the contracts are, and its rules (`config.operator` only asks the queries). Every operator
/// with the same readings computes the same results.
#[derive(Clone, Copy)]
pub struct Operator<'a> {
    /// The readings and meter events.
    pub store: &'a Store,
    /// Where the contracts are.
    pub contracts: &'a Contracts,
    /// The outage and demand rules, and the asking account.
    pub config: &'a WorkerConfig,
}

impl<'a> Operator<'a> {
    /// The operator with `store`, `contracts` and `config`.
    pub fn new(store: &'a Store, contracts: &'a Contracts, config: &'a WorkerConfig) -> Self {
        Self {
            store,
            contracts,
            config,
        }
    }
}

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
        let operator = Operator::new(store, contracts, config);
        let spec = event_spec(chain, operator, id, events)?;
        let decided = event_results(chain, operator, id, &spec)?;
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
    operator: Operator<'_>,
    id: u64,
    spec: &EventSpec,
) -> Result<EventResults, OracleError> {
    let Operator {
        store,
        contracts,
        config,
    } = operator;
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
/// program's baseline method, and the history days the operator's store can supply, typed by its
/// demand rule and the program's calendar. Days that are not normal are not eligible: days of any
/// event in `events`, and days of any grid outage the store's meter events show.
pub fn event_spec(
    chain: &mut impl Chain,
    operator: Operator<'_>,
    id: u64,
    events: &[DrEvent],
) -> Result<EventSpec, OracleError> {
    let Operator {
        store,
        contracts,
        config,
    } = operator;
    let event = events
        .get(id as usize)
        .ok_or_else(|| OracleError::Missing(format!("no demand-response event {id}")))?;
    let (program, calendar) = program_calendar(chain, contracts, &config.operator, event.program)?
        .ok_or_else(|| OracleError::Missing(format!("event {id} names no program")))?;
    let mut abnormal: BTreeSet<u64> = events.iter().map(|e| calendar.day(e.start_ms)).collect();
    for o in decide(&store.meter_events()?, &config.outages, event.start_ms) {
        let last = calendar.day(o.end_ms.unwrap_or(event.start_ms));
        abnormal.extend(calendar.day(o.start_ms)..=last);
    }
    let first_reading = store.first_reading_ms()?.unwrap_or(event.start_ms);
    Ok(EventSpec {
        start_ms: event.start_ms,
        end_ms: event.end_ms,
        interval_ms: config.demand.interval_ms,
        adjustment_len_ms: config.demand.adjustment_len_ms,
        adjustment_gap_ms: config.demand.adjustment_gap_ms,
        event_day: u32::try_from(calendar.day(event.start_ms)).unwrap_or(u32::MAX),
        day_type: event.day_type,
        history: history_days(
            &config.demand,
            &calendar,
            event.start_ms,
            &abnormal,
            first_reading,
        ),
        params: program.terms.baseline,
    })
}

/// Where a program's days begin and which are rest days: its time zone and holiday calendar.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    /// Minutes east of UTC.
    pub utc_offset: UtcOffset,
    /// Its public holidays and worked weekend days.
    pub holidays: Holidays,
}

impl Calendar {
    /// The local day of UTC time `ms`.
    pub fn day(&self, ms: u64) -> u64 {
        time::local_day(ms, self.utc_offset)
    }

    /// Whether UTC time `ms` falls on a rest day here: a weekend not worked or a public holiday, by
    /// the local date (`gridtrust_common::calendar::is_rest_day`, which also types history days).
    pub fn is_rest_day(&self, ms: u64) -> bool {
        calendar::is_rest_day(self.day(ms), &self.holidays)
    }
}

/// Demand-response `program` and its calendar as the chain holds them, asked as `asker`; `None` when
/// there is no such program. The oracle types event and history days with it, the utility's CLI an
/// announced event's day, so both read the same two answers.
pub fn program_calendar(
    chain: &mut impl Chain,
    contracts: &Contracts,
    asker: &AccountId,
    program: u32,
) -> Result<Option<(Program, Calendar)>, ChainError> {
    let api = call_builder::<DemandResponse>(contracts.demand);
    let Some(found) = chain.query(&contracts.demand, api.program(program), asker)? else {
        return Ok(None);
    };
    let calendar = Calendar {
        utc_offset: found.terms.utc_offset,
        holidays: chain.query(&contracts.demand, api.holidays(program), asker)?,
    };
    Ok(Some((found, calendar)))
}

/// The history days an event starting at `start_ms` takes its baseline from: (days before the event
/// day, day type by `rule` and `calendar`, whether abnormal), nearest first, as far back as
/// `rule.history_days` and as the store's first reading allows (older days would leave every meter
/// out). The program's days are local: with a fixed offset "`d` days before" is the same local clock
/// time `d × 24` hours earlier.
pub fn history_days(
    rule: &DemandRule,
    calendar: &Calendar,
    start_ms: u64,
    abnormal: &BTreeSet<u64>,
    first_reading_ms: u64,
) -> Vec<(u32, u8, bool)> {
    let reach = rule.adjustment_gap_ms + rule.adjustment_len_ms;
    let event_day = calendar.day(start_ms);
    (1..=rule.history_days)
        .take_while(|&d| {
            start_ms
                .checked_sub(u64::from(d) * DAY_MS + reach)
                .is_some_and(|from| from >= first_reading_ms)
        })
        .map(|d| {
            let day = event_day - u64::from(d);
            (
                d,
                rule.day_type(day, &calendar.holidays),
                abnormal.contains(&day),
            )
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use gridtrust_common::{baseline::BaselineParams, time::HOUR_MS};

    use super::*;
    use crate::{demand::results, records::Reading, store::scratch_store};

    const Q: u64 = 900_000;
    const SHANGHAI: UtcOffset = 480;
    /// Tuesday 9 February 2027, the day after a public holiday (Monday 8 February).
    const EVENT_DAY: u64 = 20_858;
    const HOLIDAY: u32 = 20_857;

    /// A Shanghai meter drawing 500 Wh a quarter over 17:00–18:00 local on every day of the week
    /// before, but 900 on the holiday (the family at home), and 300 during the event; 200 a quarter
    /// in the adjustment window every day.
    fn store() -> (tempfile::TempDir, Store, u64) {
        let (dir, mut store) = scratch_store();
        let start = time::local_midnight_ms(EVENT_DAY, SHANGHAI) + 17 * HOUR_MS;
        let mut rows = Vec::new();
        for d in 0..=8u64 {
            let day_start = start - d * DAY_MS;
            for q in 0..8 {
                let at = day_start - 3 * HOUR_MS + q * Q;
                rows.push(Reading {
                    meter: 1,
                    interval_start_ms: at,
                    wh: 200,
                });
            }
            let wh = match d {
                0 => 300,
                1 => 900,
                _ => 500,
            };
            for q in 0..4 {
                let at = day_start + q * Q;
                rows.push(Reading {
                    meter: 1,
                    interval_start_ms: at,
                    wh,
                });
            }
        }
        store.put_readings(&rows).unwrap();
        (dir, store, start)
    }

    fn spec(calendar: &Calendar, start: u64, store: &Store) -> EventSpec {
        let rule = DemandRule::default();
        EventSpec {
            start_ms: start,
            end_ms: start + 4 * Q,
            interval_ms: Q,
            adjustment_len_ms: rule.adjustment_len_ms,
            adjustment_gap_ms: rule.adjustment_gap_ms,
            event_day: calendar.day(start) as u32,
            day_type: rule.day_type(calendar.day(start), &calendar.holidays),
            history: history_days(
                &rule,
                calendar,
                start,
                &BTreeSet::new(),
                store.first_reading_ms().unwrap().unwrap(),
            ),
            params: BaselineParams {
                highest: 3,
                lookback: 3,
                adjustment_cap_bps: 0,
            },
        }
    }

    #[test]
    fn a_baseline_for_the_day_after_a_public_holiday_skips_the_holiday() {
        let (_dir, store, start) = store();
        let shanghai = Calendar {
            utc_offset: SHANGHAI,
            holidays: Holidays {
                rest_days: vec![HOLIDAY],
                working_days: vec![],
            },
        };
        let with_holiday = spec(&shanghai, start, &store);
        assert_eq!(with_holiday.event_day, EVENT_DAY as u32);
        // One day before is the holiday, a rest day: only the weekdays before it are eligible.
        assert_eq!(with_holiday.history[0], (1, 1, false));
        let r = results(&store, &with_holiday, &[1]).unwrap();
        assert_eq!(
            (r.results[0].baseline_wh, r.results[0].actual_wh),
            (2_000, 1_200)
        );

        // Without the calendar the holiday counts as an ordinary Monday and its load lifts the
        // baseline: the customer would be paid for the family's day at home.
        let no_calendar = Calendar {
            utc_offset: SHANGHAI,
            holidays: Holidays::default(),
        };
        let r = results(&store, &spec(&no_calendar, start, &store), &[1]).unwrap();
        assert_eq!(r.results[0].baseline_wh, (900 + 500 + 500) * 4 / 3);

        // Days turn at Shanghai's midnight: the event at 17:00 local is 09:00 UTC the same date, but
        // a reading at 07:30 local of the event day belongs to that day, not the UTC day before.
        let morning = time::local_midnight_ms(EVENT_DAY, SHANGHAI) + 7 * HOUR_MS + 30 * 60_000;
        assert_eq!(shanghai.day(morning), EVENT_DAY);
        assert_eq!(morning / DAY_MS, EVENT_DAY - 1);
    }
}
