//! `gridtrust regulator …`: what the energy regulator does with demand-response programs — dispute
//! an entry, resolve a dispute, pause and resume a program, and audit a program's events — with the
//! same handlers the utility and the customer use (the contract checks the regulator's role).

use anyhow::Result;
use gridtrust_chain::units::tokens;
use serde_json::json;

use crate::{customer::DisputeArgs, session::Session, utility::ResolveArgs};

/// A regulator's commands.
#[derive(Debug, clap::Subcommand)]
pub enum RegulatorCommand {
    /// Dispute an entry within its event's dispute window; it is held until resolved.
    Dispute {
        #[command(flatten)]
        session: Session,
        #[command(flatten)]
        entry: DisputeArgs,
    },
    /// Resolve a disputed entry: keep its figures, or correct them.
    Resolve {
        #[command(flatten)]
        session: Session,
        #[command(flatten)]
        entry: ResolveArgs,
    },
    /// Pause a program: no enrollments, events, results or payments until resumed.
    Pause {
        #[command(flatten)]
        session: Session,
        /// The program.
        #[arg(long)]
        program: u32,
    },
    /// Resume a paused program.
    Resume {
        #[command(flatten)]
        session: Session,
        /// The program.
        #[arg(long)]
        program: u32,
    },
    /// A program's budget and every event's entries, disputes, amounts owed and paid (read-only).
    Audit {
        #[command(flatten)]
        session: Session,
        /// The program.
        #[arg(long)]
        program: u32,
    },
}

impl RegulatorCommand {
    /// Runs the subcommand against the configured deployment.
    pub fn run(&self) -> Result<()> {
        match self {
            Self::Dispute { session, entry } => entry.run(session)?,
            Self::Resolve { session, entry } => entry.run(session)?,
            Self::Pause { session, program } | Self::Resume { session, program } => {
                let paused = matches!(self, Self::Pause { .. });
                let (mut s, who) = session.signing()?;
                s.actor(who).set_paused(*program, paused)?;
                session.say(
                    json!({ "program": program, "paused": paused }),
                    format!(
                        "program {program} {}",
                        if paused { "paused" } else { "resumed" }
                    ),
                );
            }
            Self::Audit { session, program } => {
                let a = session.connect()?.reader().audit(*program)?;
                if session.json {
                    println!("{}", serde_json::to_string_pretty(&a)?);
                    return Ok(());
                }
                println!(
                    "program {} (utility {}): budget {} tokens{}",
                    a.program,
                    a.utility,
                    tokens(a.budget),
                    if a.paused { ", PAUSED" } else { "" }
                );
                println!(
                    "{:>6} {:>15} {:>15} {:>8} {:>6} {:>9} {:>12} {:>12} {:>8}",
                    "event",
                    "start (ms)",
                    "end (ms)",
                    "entries",
                    "paid",
                    "disputes",
                    "owed",
                    "paid out",
                    "settled"
                );
                for e in &a.events {
                    println!(
                        "{:>6} {:>15} {:>15} {:>8} {:>6} {:>9} {:>12} {:>12} {:>8}",
                        e.event,
                        e.start_ms,
                        e.end_ms,
                        e.entries,
                        e.paid_entries,
                        e.open_disputes,
                        tokens(e.owed),
                        tokens(e.paid),
                        if e.settled { "yes" } else { "no" }
                    );
                }
            }
        }
        Ok(())
    }
}
