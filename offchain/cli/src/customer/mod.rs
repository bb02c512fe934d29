//! `gridtrust customer …`: what a customer does with their own meter — quote and buy outage cover,
//! take part in demand response (enroll, leave, opt out of an event, dispute an entry), grant or
//! withdraw consent for attestation checks, and claim payments the chain could not deliver. Policies and payouts are listed by `gridtrust inspect`; a
//! payout is checked by `gridtrust verify payout`.

mod actions;

use anyhow::Result;
use gridtrust_chain::{units::tokens, Chain};
use serde_json::json;

pub use self::actions::{Claimed, Quote};
use crate::{
    insurer::terms::describe,
    session::{account, Session},
};

/// A customer's commands.
#[derive(Debug, clap::Subcommand)]
pub enum CustomerCommand {
    /// Outage cover.
    #[command(subcommand)]
    Cover(CoverCommand),
    /// Demand response.
    #[command(subcommand)]
    Program(ProgramCommand),
    /// Consent for a verifier (a bank, a hotel) to record checks of the signer's attestations.
    #[command(subcommand)]
    Consent(ConsentCommand),
    /// Claim what outage payouts and subsidies could not deliver (kept as owed).
    Claim {
        #[command(flatten)]
        session: Session,
    },
}

/// Consent to attestation checks.
#[derive(Debug, clap::Subcommand)]
pub enum ConsentCommand {
    /// Let a verifier record checks of the signer's attestations of a schema, for some days.
    Grant {
        #[command(flatten)]
        session: Session,
        /// The verifier (SS58).
        #[arg(long)]
        verifier: String,
        /// The schema.
        #[arg(long)]
        schema: u32,
        /// For how many days.
        #[arg(long, default_value_t = 30)]
        days: u64,
    },
    /// Withdraw a verifier's consent.
    Withdraw {
        #[command(flatten)]
        session: Session,
        /// The verifier (SS58).
        #[arg(long)]
        verifier: String,
        /// The schema.
        #[arg(long)]
        schema: u32,
    },
}

/// Outage cover.
#[derive(Debug, clap::Subcommand)]
pub enum CoverCommand {
    /// What a pool's policy costs and pays, in words; with `--feeder`, whether it sells there now.
    Quote {
        #[command(flatten)]
        session: Session,
        /// The pool.
        #[arg(long)]
        pool: u32,
        /// The customer's feeder.
        #[arg(long)]
        feeder: Option<u32>,
    },
    /// Buy a policy for a meter the signer holds an attestation for, paying the premium.
    Buy {
        #[command(flatten)]
        session: Session,
        /// The pool.
        #[arg(long)]
        pool: u32,
        /// The meter.
        #[arg(long)]
        meter: u64,
        /// Its feeder.
        #[arg(long)]
        feeder: u32,
    },
}

/// Demand response.
#[derive(Debug, clap::Subcommand)]
pub enum ProgramCommand {
    /// Enroll a meter the signer holds an attestation for.
    Enroll {
        #[command(flatten)]
        session: Session,
        /// The program.
        #[arg(long)]
        program: u32,
        /// The meter.
        #[arg(long)]
        meter: u64,
        /// Its feeder.
        #[arg(long)]
        feeder: u32,
    },
    /// Take a meter out of a program (events already started still count it).
    Leave {
        #[command(flatten)]
        session: Session,
        /// The program.
        #[arg(long)]
        program: u32,
        /// The meter.
        #[arg(long)]
        meter: u64,
    },
    /// Opt a meter out of one announced event, before its deadline.
    OptOut {
        #[command(flatten)]
        session: Session,
        /// The event.
        #[arg(long)]
        event: u64,
        /// The meter.
        #[arg(long)]
        meter: u64,
    },
    /// Dispute a meter's entry within the event's dispute window; it is held until resolved.
    Dispute {
        #[command(flatten)]
        session: Session,
        #[command(flatten)]
        entry: DisputeArgs,
    },
}

/// Which entry to dispute: a customer disputes their own, a regulator any (the contract checks).
#[derive(Debug, Clone, clap::Args)]
pub struct DisputeArgs {
    /// The event.
    #[arg(long)]
    pub event: u64,
    /// The meter.
    #[arg(long)]
    pub meter: u64,
}

impl DisputeArgs {
    /// Disputes the entry as the session's signer and says so.
    pub fn run(&self, session: &Session) -> Result<()> {
        let (mut s, who) = session.signing()?;
        let Self { event, meter } = self;
        s.actor(who).dispute(*event, *meter)?;
        session.say(
            json!({ "event": event, "meter": meter, "disputed": true }),
            format!("meter {meter}'s entry in event {event} disputed; held until resolved"),
        );
        Ok(())
    }
}

impl CustomerCommand {
    /// Runs the subcommand against the configured deployment.
    pub fn run(&self) -> Result<()> {
        match self {
            Self::Cover(CoverCommand::Quote {
                session,
                pool,
                feeder,
            }) => {
                let q = session.connect()?.reader().cover_quote(*pool, *feeder)?;
                if session.json {
                    println!(
                        "{}",
                        json!({
                            "pool": q.pool,
                            "premium": q.terms.premium.to_string(),
                            "terms": describe(&q.terms),
                            "selling": q.selling,
                            "why_not": q.why_not,
                        })
                    );
                } else {
                    println!("pool {}:", q.pool);
                    for line in describe(&q.terms) {
                        println!("  {line}");
                    }
                    match &q.why_not {
                        None => println!("  on sale"),
                        Some(why) => println!("  NOT on sale now: {why}"),
                    }
                }
            }
            Self::Cover(CoverCommand::Buy {
                session,
                pool,
                meter,
                feeder,
            }) => {
                let (mut s, who) = session.signing()?;
                let (policy, premium) = s.actor(who).buy_cover(*pool, *meter, *feeder)?;
                session.say(
                    json!({ "policy": policy, "premium": premium.to_string() }),
                    format!(
                        "policy {policy}: meter {meter} on feeder {feeder} covered by pool {pool} \
                         for {} tokens",
                        tokens(premium)
                    ),
                );
            }
            Self::Program(p) => p.run()?,
            Self::Consent(ConsentCommand::Grant {
                session,
                verifier,
                schema,
                days,
            }) => {
                let who_checks = account(verifier)?;
                let (mut s, who) = session.signing()?;
                let until = s
                    .chain
                    .now_ms()?
                    .saturating_add(days.saturating_mul(gridtrust_common::time::DAY_MS));
                s.actor(who).grant_consent(who_checks, *schema, until)?;
                session.say(
                    json!({ "verifier": verifier, "schema": schema, "until_ms": until }),
                    format!("{verifier} may record checks of schema {schema} for {days} days"),
                );
            }
            Self::Consent(ConsentCommand::Withdraw {
                session,
                verifier,
                schema,
            }) => {
                let who_checks = account(verifier)?;
                let (mut s, who) = session.signing()?;
                s.actor(who).withdraw_consent(who_checks, *schema)?;
                session.say(
                    json!({ "verifier": verifier, "schema": schema, "withdrawn": true }),
                    format!("{verifier} may no longer record checks of schema {schema}"),
                );
            }
            Self::Claim { session } => {
                let (mut s, who) = session.signing()?;
                let c = s.actor(who).claim_owed()?;
                session.say(
                    json!({
                        "insurance": c.insurance.to_string(),
                        "demand_response": c.demand.to_string(),
                    }),
                    format!(
                        "claimed {} tokens of outage payouts and {} tokens of subsidies",
                        tokens(c.insurance),
                        tokens(c.demand)
                    ),
                );
            }
        }
        Ok(())
    }
}

impl ProgramCommand {
    fn run(&self) -> Result<()> {
        let (session, value, done) = match self {
            Self::Enroll {
                session,
                program,
                meter,
                feeder,
            } => {
                let (mut s, who) = session.signing()?;
                s.actor(who).enroll(*program, *meter, *feeder)?;
                (
                    session,
                    json!({ "program": program, "meter": meter, "enrolled": true }),
                    format!("meter {meter} enrolled in program {program}"),
                )
            }
            Self::Leave {
                session,
                program,
                meter,
            } => {
                let (mut s, who) = session.signing()?;
                s.actor(who).leave(*program, *meter)?;
                (
                    session,
                    json!({ "program": program, "meter": meter, "enrolled": false }),
                    format!("meter {meter} left program {program}"),
                )
            }
            Self::OptOut {
                session,
                event,
                meter,
            } => {
                let (mut s, who) = session.signing()?;
                s.actor(who).opt_out(*event, *meter)?;
                (
                    session,
                    json!({ "event": event, "meter": meter, "opted_out": true }),
                    format!("meter {meter} opted out of event {event}"),
                )
            }
            Self::Dispute { session, entry } => return entry.run(session),
        };
        session.say(value, done);
        Ok(())
    }
}
