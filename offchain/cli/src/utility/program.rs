//! Demand-response programs and events over the `Chain` trait: what a utility runs, and what a
//! regulator oversees (pausing, resolving disputes, auditing) with the same handlers.

use demand_response::{DemandResponse, DrEvent, Holidays, Program, ProgramTerms};
use gridtrust_chain::{
    encode::call_builder, AccountId, Answer, CallError, Chain, ContractError, Contracts,
};
use gridtrust_oracle::measure::program_calendar;
use serde::Serialize;

/// Creates a program with `terms`, funded with `budget`, as `utility`; returns its id.
pub fn create_program(
    chain: &mut impl Chain,
    contracts: &Contracts,
    utility: &AccountId,
    terms: ProgramTerms,
    budget: u128,
) -> Result<u32, CallError> {
    let mut api = call_builder::<DemandResponse>(contracts.demand);
    chain
        .call(
            &contracts.demand,
            api.create_program(terms),
            utility,
            budget,
        )
        .or_refused("create_program")
}

/// Sets `program`'s holiday calendar (its utility only; days up to today must stay as they were).
pub fn set_holidays(
    chain: &mut impl Chain,
    contracts: &Contracts,
    utility: &AccountId,
    program: u32,
    holidays: Holidays,
) -> Result<(), CallError> {
    let mut api = call_builder::<DemandResponse>(contracts.demand);
    chain
        .call(
            &contracts.demand,
            api.set_holidays(program, holidays),
            utility,
            0,
        )
        .or_refused("set_holidays")
}

/// Adds `amount` to `program`'s budget; returns the budget after.
pub fn fund_program(
    chain: &mut impl Chain,
    contracts: &Contracts,
    who: &AccountId,
    program: u32,
    amount: u128,
) -> Result<u128, CallError> {
    let mut api = call_builder::<DemandResponse>(contracts.demand);
    chain
        .call(&contracts.demand, api.fund_program(program), who, amount)
        .or_refused("fund_program")
}

/// Pauses (or resumes) `program`, as its utility or a regulator.
pub fn set_paused(
    chain: &mut impl Chain,
    contracts: &Contracts,
    who: &AccountId,
    program: u32,
    paused: bool,
) -> Result<(), CallError> {
    let mut api = call_builder::<DemandResponse>(contracts.demand);
    chain
        .call(&contracts.demand, api.set_paused(program, paused), who, 0)
        .or_refused("set_paused")
}

/// When an event runs and until when customers may opt out (ms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventTimes {
    /// Start.
    pub start_ms: u64,
    /// End.
    pub end_ms: u64,
    /// Opt-out deadline.
    pub opt_out_deadline_ms: u64,
}

/// Whether an event of `program` starting at `start_ms` falls on a rest day of its calendar (a weekend
/// not worked or a public holiday, by the program's local date), read and decided as the oracle types
/// its history days.
pub fn starts_on_rest_day(
    chain: &mut impl Chain,
    contracts: &Contracts,
    asker: &AccountId,
    program: u32,
    start_ms: u64,
) -> Result<bool, CallError> {
    let (_, calendar) =
        program_calendar(chain, contracts, asker, program)?.ok_or(CallError::Refused {
            message: "program",
            error: ContractError::DemandResponse(demand_response::Error::ProgramNotFound),
        })?;
    Ok(calendar.is_rest_day(start_ms))
}

/// Announces an event of `program` as its utility; returns its id.
pub fn announce(
    chain: &mut impl Chain,
    contracts: &Contracts,
    utility: &AccountId,
    program: u32,
    times: EventTimes,
    day_type: u8,
) -> Result<u64, CallError> {
    let mut api = call_builder::<DemandResponse>(contracts.demand);
    chain
        .call(
            &contracts.demand,
            api.announce_event(
                program,
                times.start_ms,
                times.end_ms,
                times.opt_out_deadline_ms,
                day_type,
            ),
            utility,
            0,
        )
        .or_refused("announce_event")
}

/// Closes `event` (no more batches; its dispute window starts); returns when it closed.
pub fn close_event(
    chain: &mut impl Chain,
    contracts: &Contracts,
    utility: &AccountId,
    event: u64,
) -> Result<u64, CallError> {
    let mut api = call_builder::<DemandResponse>(contracts.demand);
    chain
        .call(&contracts.demand, api.close_event(event), utility, 0)
        .or_refused("close_event")
}

/// Resolves the dispute of `meter`'s entry in `event`, keeping its figures or correcting them to
/// (baseline Wh, actual Wh); returns the subsidy it then carries.
pub fn resolve(
    chain: &mut impl Chain,
    contracts: &Contracts,
    who: &AccountId,
    event: u64,
    meter: u64,
    correction: Option<(u64, u64)>,
) -> Result<u128, CallError> {
    let mut api = call_builder::<DemandResponse>(contracts.demand);
    chain
        .call(
            &contracts.demand,
            api.resolve(event, meter, correction),
            who,
            0,
        )
        .or_refused("resolve")
}

/// A program and its events, as an auditor reads them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProgramAudit {
    /// The program.
    pub program: u32,
    /// Its utility (SS58).
    pub utility: String,
    /// Budget not yet allocated.
    #[serde(serialize_with = "crate::inspect::amount")]
    pub budget: u128,
    /// Whether it is paused.
    pub paused: bool,
    /// Its events, oldest first.
    pub events: Vec<EventAudit>,
}

/// One event's figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventAudit {
    /// The event's id.
    pub event: u64,
    /// Start (ms).
    pub start_ms: u64,
    /// End (ms).
    pub end_ms: u64,
    /// When it closed (ms), if it did.
    pub closed_at: Option<u64>,
    /// Entries recorded.
    pub entries: u32,
    /// Entries paid.
    pub paid_entries: u32,
    /// Disputes not yet resolved.
    pub open_disputes: u32,
    /// Subsidies owed by the entries.
    #[serde(serialize_with = "crate::inspect::amount")]
    pub owed: u128,
    /// Paid so far.
    #[serde(serialize_with = "crate::inspect::amount")]
    pub paid: u128,
    /// Whether it is settled for good.
    pub settled: bool,
}

/// `program` and every event of it.
pub fn audit(
    chain: &mut impl Chain,
    contracts: &Contracts,
    asker: &AccountId,
    program: u32,
) -> Result<ProgramAudit, CallError> {
    let demand = contracts.demand;
    let api = call_builder::<DemandResponse>(demand);
    let p: Program =
        chain
            .query(&demand, api.program(program), asker)?
            .ok_or(CallError::Refused {
                message: "program",
                error: demand_response::Error::ProgramNotFound.into(),
            })?;
    let mut events = Vec::new();
    let mut id = 0u64;
    while let Some(e) = chain.query(&demand, api.event(id), asker)? {
        let e: DrEvent = e;
        if e.program == program {
            events.push(EventAudit {
                event: id,
                start_ms: e.start_ms,
                end_ms: e.end_ms,
                closed_at: e.closed_at,
                entries: e.entries,
                paid_entries: e.paid_entries,
                open_disputes: e.open_disputes,
                owed: e.owed,
                paid: e.paid,
                settled: e.settled,
            });
        }
        id += 1;
    }
    Ok(ProgramAudit {
        program,
        utility: gridtrust_chain::ss58(&p.utility),
        budget: p.budget,
        paused: p.paused,
        events,
    })
}
