//! `gridtrust utility …`: what a utility (or any attesting authority) does with attestations —
//! register a schema and authorize attesters, attest one meter holder or import many from CSV in
//! batches, revoke, suspend or resume one, and list what an account holds.

pub mod calendar_file;
pub mod holders;
pub mod program;
mod registry;

use std::path::PathBuf;

use anyhow::{Context, Result};
use attestations::AttestRequest;
use demand_response::{MinReduction, ProgramTerms};
use gridtrust_chain::units::{parse_tokens, tokens as show};
use gridtrust_common::{baseline::BaselineParams, claims::meter_holder_claim, Digest};
use serde_json::json;

pub use self::program::EventTimes;
pub use self::registry::{Change, Held, SchemaSpec};
use crate::{
    local_time::{parse_offset, show_offset},
    session::{account, Session},
};

/// A utility's commands.
#[derive(Debug, clap::Subcommand)]
pub enum UtilityCommand {
    /// Demand-response programs.
    #[command(subcommand)]
    Program(ProgramCommand),
    /// Demand-response events.
    #[command(subcommand)]
    Event(EventCommand),
    /// Resolve a disputed demand-response entry: keep its figures, or correct them.
    Resolve {
        #[command(flatten)]
        session: Session,
        #[command(flatten)]
        entry: ResolveArgs,
    },
    /// Attestation schemas.
    #[command(subcommand)]
    Schema(SchemaCommand),
    /// Attest an account under a schema whose claim is the account itself, with no meter: a hotel
    /// as a verified merchant, a guest's real name.
    Attest(AttestArgs),
    /// Meter-holder attestations.
    #[command(subcommand)]
    Meters(MetersCommand),
    /// Change one attestation: revoke, suspend, resume.
    #[command(subcommand)]
    Attestation(AttestationCommand),
    /// Every attestation an account holds, with its validity now.
    Attestations {
        #[command(flatten)]
        session: Session,
        /// The account (SS58).
        #[arg(long)]
        account: String,
    },
}

/// Demand-response programs.
#[derive(Debug, clap::Subcommand)]
pub enum ProgramCommand {
    /// Create a program the signer runs (it must hold the contract's utility role); its terms are
    /// checked with the contract's own rule before signing.
    Create {
        #[command(flatten)]
        session: Session,
        /// Paid per kWh reduced below the baseline, in tokens.
        #[arg(long, value_name = "TOKENS")]
        rate_per_kwh: String,
        /// Most one customer is paid for one event, in tokens.
        #[arg(long, value_name = "TOKENS")]
        cap_per_event: String,
        /// Baseline: the highest X days...
        #[arg(long, default_value_t = 3)]
        highest: u8,
        /// ...of the last Y eligible days.
        #[arg(long, default_value_t = 5)]
        lookback: u8,
        /// Day-of adjustment cap, in percent (20 = ±20 %).
        #[arg(long, default_value_t = 20)]
        adjustment_cap_percent: u32,
        /// How long after an event closes its entries may be disputed, in hours.
        #[arg(long, default_value_t = 48)]
        dispute_window_hours: u64,
        /// Least reduction that earns anything, in percent of the baseline (10 = a cut under 10 %
        /// earns nothing; 0 = every Wh below the baseline earns).
        #[arg(long, default_value_t = 0)]
        min_reduction_percent: u32,
        /// Least reduction that earns anything, in Wh (the larger of this and the percentage counts).
        #[arg(long, default_value_t = 0)]
        min_reduction_wh: u64,
        /// The program's time zone as an offset from UTC (+08:00 for China): its days, day types and
        /// event days turn at its local midnight.
        #[arg(long, value_name = "OFFSET", default_value = "+00:00")]
        utc_offset: String,
        /// Its holiday calendar (see `utility program holidays`), set right after it is created.
        #[arg(long, value_name = "FILE")]
        holidays: Option<PathBuf>,
        /// First budget, in tokens.
        #[arg(long, value_name = "TOKENS")]
        fund: Option<String>,
    },
    /// Set a program's holiday calendar from a file: one local date per line, a public holiday, or
    /// `2027-02-20 workday` for a weekend day worked. Only days after today may change.
    Holidays {
        #[command(flatten)]
        session: Session,
        /// The program.
        #[arg(long)]
        program: u32,
        /// The calendar file.
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
    },
    /// Add to a program's budget (anyone may).
    Fund {
        #[command(flatten)]
        session: Session,
        /// The program.
        #[arg(long)]
        program: u32,
        /// How much, in tokens.
        #[arg(long, value_name = "TOKENS")]
        amount: String,
    },
}

/// Demand-response events.
#[derive(Debug, clap::Subcommand)]
pub enum EventCommand {
    /// Announce an event: enrolled meters take part unless they opt out before the deadline.
    Announce {
        #[command(flatten)]
        session: Session,
        /// The program.
        #[arg(long)]
        program: u32,
        /// Start: RFC 3339 (2026-12-24T18:00:00+08:00) or milliseconds.
        #[arg(long)]
        start: String,
        /// Length in minutes.
        #[arg(long, default_value_t = 120)]
        minutes: u64,
        /// Opt-out deadline, this many minutes before the start.
        #[arg(long, default_value_t = 60)]
        opt_out_minutes: u64,
        /// The event day's type as the program's baseline counts it; by default 1 when the event
        /// starts on a rest day of the program's calendar (weekend or public holiday, local date),
        /// else 0 — the oracle's own numbering.
        #[arg(long)]
        day_type: Option<u8>,
    },
    /// Close an event after its end: no more results; its dispute window starts.
    Close {
        #[command(flatten)]
        session: Session,
        /// The event.
        #[arg(long)]
        event: u64,
    },
}

/// Which entry to resolve, and how.
#[derive(Debug, Clone, clap::Args)]
pub struct ResolveArgs {
    /// The event.
    #[arg(long)]
    pub event: u64,
    /// The meter.
    #[arg(long)]
    pub meter: u64,
    /// Corrected baseline, Wh (with `--actual-wh`); without both the entry's figures stand.
    #[arg(long, requires = "actual_wh")]
    pub baseline_wh: Option<u64>,
    /// Corrected actual load, Wh.
    #[arg(long, requires = "baseline_wh")]
    pub actual_wh: Option<u64>,
}

impl ResolveArgs {
    /// Resolves the entry as the session's signer and says what it now pays.
    pub fn run(&self, session: &Session) -> Result<()> {
        let (mut s, who) = session.signing()?;
        let correction = self.baseline_wh.zip(self.actual_wh);
        let subsidy = s.actor(who).resolve(self.event, self.meter, correction)?;
        session.say(
            json!({ "event": self.event, "meter": self.meter, "subsidy": subsidy.to_string() }),
            format!(
                "meter {}'s entry in event {} resolved{}: it pays {} tokens",
                self.meter,
                self.event,
                if correction.is_some() {
                    " with corrected figures"
                } else {
                    ""
                },
                gridtrust_chain::units::tokens(subsidy)
            ),
        );
        Ok(())
    }
}

/// A time as written on the command line: RFC 3339 or milliseconds since the Unix epoch.
pub fn parse_time(text: &str) -> Result<u64> {
    if let Ok(ms) = text.parse::<u64>() {
        return Ok(ms);
    }
    let at = chrono::DateTime::parse_from_rfc3339(text).map_err(|_| {
        anyhow::anyhow!(
            "`{text}` is neither an RFC 3339 time (2026-12-24T18:00:00+08:00) nor milliseconds"
        )
    })?;
    u64::try_from(at.timestamp_millis()).with_context(|| format!("`{text}` is before 1970"))
}

/// Attestation schemas.
#[derive(Debug, clap::Subcommand)]
pub enum SchemaCommand {
    /// Register a schema the signer owns.
    Register {
        #[command(flatten)]
        session: Session,
        /// Its name (at most 64 bytes).
        #[arg(long)]
        name: String,
        /// The document defining its claims; its blake2-256 is the schema's definition hash
        /// (the name's, without one).
        #[arg(long, value_name = "FILE")]
        definition: Option<PathBuf>,
        /// Attestations can be revoked and suspended.
        #[arg(long)]
        revocable: bool,
        /// Longest an attestation may be valid, in days.
        #[arg(long, value_name = "DAYS")]
        max_validity_days: Option<u64>,
        /// Verifiers need the subject's consent to record checks.
        #[arg(long)]
        consent_required: bool,
    },
    /// Let an account attest under a schema the signer owns.
    AddAttester {
        #[command(flatten)]
        session: Session,
        /// The schema.
        #[arg(long)]
        schema: u32,
        /// The attester (SS58).
        #[arg(long)]
        account: String,
    },
}

/// Meter-holder attestations.
#[derive(Debug, clap::Subcommand)]
pub enum MetersCommand {
    /// Attest one meter holder.
    Attest {
        /// The holder (`--account`) and the meter-holder schema.
        #[command(flatten)]
        holder: AttestArgs,
        /// The meter.
        #[arg(long)]
        meter: u64,
        /// Its feeder.
        #[arg(long)]
        feeder: u32,
    },
    /// Attest every holder of a CSV file (account,meter,feeder,expiry) in batches of 100; holders
    /// already attested are skipped, so a re-run after an interruption attests each holder once.
    Import {
        #[command(flatten)]
        session: Session,
        /// The meter-holder schema.
        #[arg(long)]
        schema: u32,
        /// The CSV file.
        #[arg(long, value_name = "FILE")]
        csv: PathBuf,
    },
}

/// One attestation's status.
#[derive(Debug, clap::Subcommand)]
pub enum AttestationCommand {
    /// Revoke it for good.
    Revoke(WithReason),
    /// Suspend it until resumed.
    Suspend(WithReason),
    /// Lift its suspension.
    Resume {
        #[command(flatten)]
        session: Session,
        /// The attestation.
        #[arg(long)]
        id: u64,
    },
}

/// An attestation and why its status changes.
#[derive(Debug, clap::Args)]
pub struct WithReason {
    #[command(flatten)]
    session: Session,
    /// The attestation.
    #[arg(long)]
    id: u64,
    /// A reason code, kept on chain.
    #[arg(long, default_value_t = 0)]
    reason: u32,
}

/// One account to attest under a schema, until an expiry.
#[derive(Debug, Clone, clap::Args)]
pub struct AttestArgs {
    #[command(flatten)]
    session: Session,
    /// The schema.
    #[arg(long)]
    schema: u32,
    /// Who is attested (SS58).
    #[arg(long)]
    account: String,
    /// Expiry: a date (2027-12-31, 00:00 UTC) or milliseconds; none by default.
    #[arg(long)]
    expires: Option<String>,
}

impl AttestArgs {
    /// Attests the account with `claim_hash` as the session's signer; `holds` says what the
    /// attestation states, after the account's address.
    fn run(&self, claim_hash: Digest, holds: &str) -> Result<()> {
        let subject = account(&self.account)?;
        let expires_at = holders::parse_expiry(self.expires.as_deref().unwrap_or_default())
            .map_err(|e| anyhow::anyhow!("--expires: {e}"))?;
        let (mut s, who) = self.session.signing()?;
        let request = AttestRequest {
            subject,
            claim_hash,
            expires_at,
            parent: None,
        };
        let id = s.actor(who).attest(self.schema, request)?;
        self.session.say(
            json!({ "attestation": id }),
            format!("attestation {id}: {} {holds}", self.account),
        );
        Ok(())
    }
}

impl UtilityCommand {
    /// Runs the subcommand against the configured deployment.
    pub fn run(&self) -> Result<()> {
        match self {
            Self::Program(ProgramCommand::Create {
                session,
                rate_per_kwh,
                cap_per_event,
                highest,
                lookback,
                adjustment_cap_percent,
                dispute_window_hours,
                min_reduction_percent,
                min_reduction_wh,
                utc_offset,
                holidays,
                fund,
            }) => {
                let utc_offset =
                    parse_offset(utc_offset).map_err(|e| anyhow::anyhow!("--utc-offset: {e}"))?;
                let holidays = holidays.as_deref().map(calendar_file::read).transpose()?;
                // Connected first: amounts are in the chain's own token decimals.
                let mut s = session.connect()?;
                let tokens = |t: &str, what: &str| {
                    parse_tokens(t).map_err(|e| anyhow::anyhow!("{what}: {e}"))
                };
                let terms = ProgramTerms {
                    rate_per_kwh: tokens(rate_per_kwh, "--rate-per-kwh")?,
                    cap_per_event: tokens(cap_per_event, "--cap-per-event")?,
                    baseline: BaselineParams {
                        highest: *highest,
                        lookback: *lookback,
                        adjustment_cap_bps: adjustment_cap_percent.saturating_mul(100),
                    },
                    dispute_window_ms: dispute_window_hours
                        .saturating_mul(gridtrust_common::time::HOUR_MS),
                    min_reduction: MinReduction {
                        share_bps: min_reduction_percent.saturating_mul(100),
                        wh: *min_reduction_wh,
                    },
                    utc_offset,
                };
                if let Some(problem) = terms.problem() {
                    anyhow::bail!("the contract would refuse these terms: {problem}");
                }
                let budget = fund.as_deref().map_or(Ok(0), |t| tokens(t, "--fund"))?;
                let who = s.signer()?;
                let id = s.actor(who).create_program(terms, budget)?;
                let listed = holidays.as_ref().map(|h| h.rest_days.len());
                if let Some(h) = holidays {
                    s.actor(who).set_holidays(id, h)?;
                }
                session.say(
                    json!({
                        "program": id,
                        "budget": budget.to_string(),
                        "utc_offset_minutes": utc_offset,
                        "holidays": listed,
                    }),
                    format!(
                        "program {id} created with a budget of {} tokens; its days turn at midnight {}{}",
                        show(budget),
                        show_offset(utc_offset),
                        listed.map_or(String::new(), |n| format!(", {n} holidays listed")),
                    ),
                );
            }
            Self::Program(ProgramCommand::Holidays {
                session,
                program: id,
                file,
            }) => {
                let h = calendar_file::read(file)?;
                let (rest, worked) = (h.rest_days.len(), h.working_days.len());
                let (mut s, who) = session.signing()?;
                s.actor(who).set_holidays(*id, h)?;
                session.say(
                    json!({ "program": id, "holidays": rest, "working_days": worked }),
                    format!("program {id}: {rest} holidays and {worked} worked weekend days set"),
                );
            }
            Self::Program(ProgramCommand::Fund {
                session,
                program: id,
                amount,
            }) => {
                let mut s = session.connect()?;
                let value = parse_tokens(amount).map_err(|e| anyhow::anyhow!("--amount: {e}"))?;
                let who = s.signer()?;
                let budget = s.actor(who).fund_program(*id, value)?;
                session.say(
                    json!({ "program": id, "budget": budget.to_string() }),
                    format!("program {id}: budget now {} tokens", show(budget)),
                );
            }
            Self::Event(EventCommand::Announce {
                session,
                program: id,
                start,
                minutes,
                opt_out_minutes,
                day_type,
            }) => {
                let start_ms = parse_time(start)?;
                let times = program::EventTimes {
                    start_ms,
                    end_ms: start_ms.saturating_add(minutes.saturating_mul(60_000)),
                    opt_out_deadline_ms: start_ms
                        .saturating_sub(opt_out_minutes.saturating_mul(60_000)),
                };
                let (mut s, who) = session.signing()?;
                let day_type = match day_type {
                    Some(t) => *t,
                    None => u8::from(s.actor(who).starts_on_rest_day(*id, start_ms)?),
                };
                let event = s.actor(who).announce(*id, times, day_type)?;
                let kind = if day_type == 0 { "working" } else { "rest" };
                session.say(
                    json!({ "event": event, "program": id, "day_type": day_type }),
                    format!("event {event} of program {id} announced (day type {day_type}, a {kind} day)"),
                );
            }
            Self::Event(EventCommand::Close { session, event }) => {
                let (mut s, who) = session.signing()?;
                s.actor(who).close_event(*event)?;
                session.say(
                    json!({ "event": event, "closed": true }),
                    format!("event {event} closed; its dispute window runs from now"),
                );
            }
            Self::Resolve { session, entry } => entry.run(session)?,
            Self::Schema(SchemaCommand::Register {
                session,
                name,
                definition,
                revocable,
                max_validity_days,
                consent_required,
            }) => {
                let document = match definition {
                    Some(path) => std::fs::read(path)
                        .with_context(|| format!("reading {}", path.display()))?,
                    None => name.as_bytes().to_vec(),
                };
                let max_validity_ms = max_validity_days
                    .map(|d| d.checked_mul(gridtrust_common::time::DAY_MS))
                    .map(|ms| ms.context("--max-validity-days: too long"))
                    .transpose()?;
                let spec = SchemaSpec {
                    name: name.clone(),
                    definition: document,
                    revocable: *revocable,
                    max_validity_ms,
                    consent_required: *consent_required,
                };
                let (mut s, who) = session.signing()?;
                let id = s.actor(who).register_schema(&spec)?;
                session.say(
                    json!({ "schema": id, "name": name }),
                    format!("schema {id} `{name}` registered"),
                );
            }
            Self::Schema(SchemaCommand::AddAttester {
                session,
                schema,
                account: text,
            }) => {
                let attester = account(text)?;
                let (mut s, who) = session.signing()?;
                s.actor(who).add_attester(*schema, attester)?;
                session.say(
                    json!({ "schema": schema, "attester": text }),
                    format!("{text} may attest under schema {schema}"),
                );
            }
            Self::Attest(subject) => {
                // A claim that is the account itself: no meter, nothing more to hash.
                subject.run([0; 32], &format!("under schema {}", subject.schema))?;
            }
            Self::Meters(MetersCommand::Attest {
                holder,
                meter,
                feeder,
            }) => {
                let holds = format!("holds meter {meter} on feeder {feeder}");
                holder.run(meter_holder_claim(*meter, *feeder), &holds)?;
            }
            Self::Meters(MetersCommand::Import {
                session,
                schema,
                csv,
            }) => {
                // Every line is checked before anything is sent.
                let rows = holders::read(csv)?;
                let (mut s, who) = session.signing()?;
                let quiet = session.json;
                let done = s
                    .actor(who)
                    .import_holders(*schema, &rows, |done, total| {
                        if !quiet {
                            eprint!("\rattested {done}/{total}");
                            if done == total {
                                eprintln!();
                            }
                        }
                    })
                    .with_context(|| csv.display().to_string())?;
                session.say(
                    serde_json::to_value(done)?,
                    format!(
                        "{} holders attested in {} calls; {} already held a valid attestation",
                        done.attested, done.calls, done.already
                    ),
                );
            }
            Self::Attestation(c) => {
                let (session, id, what, done) = match c {
                    AttestationCommand::Revoke(c) => {
                        (&c.session, &c.id, Change::Revoke(c.reason), "revoked")
                    }
                    AttestationCommand::Suspend(c) => {
                        (&c.session, &c.id, Change::Suspend(c.reason), "suspended")
                    }
                    AttestationCommand::Resume { session, id } => {
                        (session, id, Change::Resume, "resumed")
                    }
                };
                let (mut s, who) = session.signing()?;
                s.actor(who).change_attestation(*id, what)?;
                session.say(
                    json!({ "attestation": id, "now": done }),
                    format!("attestation {id} {done}"),
                );
            }
            Self::Attestations {
                session,
                account: text,
            } => {
                let subject = account(text)?;
                let held = session.connect()?.reader().held_by(subject)?;
                if session.json {
                    println!("{}", json!({ "account": text, "attestations": held }));
                } else {
                    println!(
                        "{:>6} {:>7} {:<24} {:<22} {:>15}",
                        "id", "schema", "name", "validity", "expires (ms)"
                    );
                    for h in &held {
                        println!(
                            "{:>6} {:>7} {:<24} {:<22} {:>15}",
                            h.id,
                            h.schema,
                            h.schema_name,
                            h.validity,
                            h.expires_at.map_or("never".to_owned(), |e| e.to_string())
                        );
                    }
                }
            }
        }
        Ok(())
    }
}
