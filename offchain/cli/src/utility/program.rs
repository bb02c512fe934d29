//! Demand-response programs and events: what a utility runs, and what a regulator oversees
//! (pausing, resolving disputes, auditing) with the same actions.

use demand_response::{DrEvent, Holidays, Program, ProgramTerms};
use gridtrust_chain::{CallError, Chain};
use gridtrust_oracle::measure::program_calendar;
use serde::Serialize;

use crate::actor::Actor;

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

impl<C: Chain> Actor<'_, C> {
    /// Creates a program with `terms`, funded with `budget`; returns its id.
    pub fn create_program(&mut self, terms: ProgramTerms, budget: u128) -> Result<u32, CallError> {
        self.send(
            "create_program",
            self.demand().create_program(terms),
            budget,
        )
    }

    /// Sets `program`'s holiday calendar (its utility only; days up to today must stay as they
    /// were).
    pub fn set_holidays(&mut self, program: u32, holidays: Holidays) -> Result<(), CallError> {
        self.send(
            "set_holidays",
            self.demand().set_holidays(program, holidays),
            0,
        )
    }

    /// Adds `amount` to `program`'s budget; returns the budget after.
    pub fn fund_program(&mut self, program: u32, amount: u128) -> Result<u128, CallError> {
        self.send("fund_program", self.demand().fund_program(program), amount)
    }

    /// Pauses (or resumes) `program`, as its utility or a regulator.
    pub fn set_paused(&mut self, program: u32, paused: bool) -> Result<(), CallError> {
        self.send("set_paused", self.demand().set_paused(program, paused), 0)
    }

    /// Whether an event of `program` starting at `start_ms` falls on a rest day of its calendar (a
    /// weekend not worked or a public holiday, by the program's local date), read and decided as
    /// the oracle types its history days.
    pub fn starts_on_rest_day(&mut self, program: u32, start_ms: u64) -> Result<bool, CallError> {
        let (_, calendar) = program_calendar(self.chain, self.contracts, &self.who, program)?
            .ok_or_else(|| {
                CallError::refused("program", demand_response::Error::ProgramNotFound)
            })?;
        Ok(calendar.is_rest_day(start_ms))
    }

    /// Announces an event of `program` as its utility; returns its id.
    pub fn announce(
        &mut self,
        program: u32,
        times: EventTimes,
        day_type: u8,
    ) -> Result<u64, CallError> {
        let message = self.demand().announce_event(
            program,
            times.start_ms,
            times.end_ms,
            times.opt_out_deadline_ms,
            day_type,
        );
        self.send("announce_event", message, 0)
    }

    /// Closes `event` (no more batches; its dispute window starts); returns when it closed.
    pub fn close_event(&mut self, event: u64) -> Result<u64, CallError> {
        self.send("close_event", self.demand().close_event(event), 0)
    }

    /// Resolves the dispute of `meter`'s entry in `event`, keeping its figures or correcting them
    /// to (baseline Wh, actual Wh); returns the subsidy it then carries.
    pub fn resolve(
        &mut self,
        event: u64,
        meter: u64,
        correction: Option<(u64, u64)>,
    ) -> Result<u128, CallError> {
        self.send(
            "resolve",
            self.demand().resolve(event, meter, correction),
            0,
        )
    }

    /// `program` and every event of it.
    pub fn audit(&mut self, program: u32) -> Result<ProgramAudit, CallError> {
        let p: Program = self.ask(self.demand().program(program))?.ok_or_else(|| {
            CallError::refused("program", demand_response::Error::ProgramNotFound)
        })?;
        let mut events = Vec::new();
        let mut id = 0u64;
        while let Some(e) = self.ask(self.demand().event(id))? {
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
}
