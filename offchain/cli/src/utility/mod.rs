//! `gridtrust utility …`: what a utility (or any attesting authority) does with attestations —
//! register a schema and authorize attesters, attest one meter holder or import many from CSV in
//! batches, revoke, suspend or resume one, and list what an account holds.

pub mod holders;
mod registry;

use std::path::PathBuf;

use anyhow::{Context, Result};
use gridtrust_chain::parse_ss58;
use serde_json::json;

pub use self::registry::{
    add_attester, attest_meter, change, held_by, register_schema, Change, Held,
};
use crate::session::Session;

/// A utility's commands.
#[derive(Debug, clap::Subcommand)]
pub enum UtilityCommand {
    /// Attestation schemas.
    #[command(subcommand)]
    Schema(SchemaCommand),
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
        /// Print the list as JSON.
        #[arg(long)]
        json: bool,
    },
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
        #[command(flatten)]
        session: Session,
        /// The meter-holder schema.
        #[arg(long)]
        schema: u32,
        /// The holder (SS58).
        #[arg(long)]
        account: String,
        /// The meter.
        #[arg(long)]
        meter: u64,
        /// Its feeder.
        #[arg(long)]
        feeder: u32,
        /// Expiry: a date (2027-12-31, 00:00 UTC) or milliseconds; none by default.
        #[arg(long)]
        expires: Option<String>,
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
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// One attestation's status.
#[derive(Debug, clap::Subcommand)]
pub enum AttestationCommand {
    /// Revoke it for good.
    Revoke {
        #[command(flatten)]
        session: Session,
        /// The attestation.
        #[arg(long)]
        id: u64,
        /// A reason code, kept on chain.
        #[arg(long, default_value_t = 0)]
        reason: u32,
    },
    /// Suspend it until resumed.
    Suspend {
        #[command(flatten)]
        session: Session,
        /// The attestation.
        #[arg(long)]
        id: u64,
        /// A reason code, kept on chain.
        #[arg(long, default_value_t = 0)]
        reason: u32,
    },
    /// Lift its suspension.
    Resume {
        #[command(flatten)]
        session: Session,
        /// The attestation.
        #[arg(long)]
        id: u64,
    },
}

fn account(text: &str) -> Result<gridtrust_chain::AccountId> {
    parse_ss58(text).with_context(|| format!("`{text}` is not an SS58 address"))
}

impl UtilityCommand {
    /// Runs the subcommand against the configured deployment.
    pub fn run(&self) -> Result<()> {
        match self {
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
                let mut s = session.connect()?;
                let who = s.signer()?;
                let id = register_schema(
                    &mut s.chain,
                    &s.contracts,
                    &who,
                    name,
                    &document,
                    *revocable,
                    max_validity_ms,
                    *consent_required,
                )?;
                println!("schema {id} `{name}` registered");
            }
            Self::Schema(SchemaCommand::AddAttester {
                session,
                schema,
                account: text,
            }) => {
                let attester = account(text)?;
                let mut s = session.connect()?;
                let who = s.signer()?;
                add_attester(&mut s.chain, &s.contracts, &who, *schema, attester)?;
                println!("{text} may attest under schema {schema}");
            }
            Self::Meters(MetersCommand::Attest {
                session,
                schema,
                account: text,
                meter,
                feeder,
                expires,
            }) => {
                let holder = account(text)?;
                let expires_at = holders::parse_expiry(expires.as_deref().unwrap_or_default())
                    .map_err(|e| anyhow::anyhow!("--expires: {e}"))?;
                let mut s = session.connect()?;
                let who = s.signer()?;
                let id = attest_meter(
                    &mut s.chain,
                    &s.contracts,
                    &who,
                    *schema,
                    holder,
                    *meter,
                    *feeder,
                    expires_at,
                )?;
                println!("attestation {id}: {text} holds meter {meter} on feeder {feeder}");
            }
            Self::Meters(MetersCommand::Import {
                session,
                schema,
                csv,
                json: as_json,
            }) => {
                // Every line is checked before anything is sent.
                let rows = holders::read(csv)?;
                let mut s = session.connect()?;
                let who = s.signer()?;
                let quiet = *as_json;
                let done = holders::import(
                    &mut s.chain,
                    &s.contracts,
                    &who,
                    *schema,
                    &rows,
                    |done, total| {
                        if !quiet {
                            eprint!("\rattested {done}/{total}");
                            if done == total {
                                eprintln!();
                            }
                        }
                    },
                )
                .with_context(|| csv.display().to_string())?;
                if *as_json {
                    println!("{}", serde_json::to_string(&done)?);
                } else {
                    println!(
                        "{} holders attested in {} calls; {} already held a valid attestation",
                        done.attested, done.calls, done.already
                    );
                }
            }
            Self::Attestation(c) => {
                let (session, id, what, done) = match c {
                    AttestationCommand::Revoke {
                        session,
                        id,
                        reason,
                    } => (session, id, Change::Revoke(*reason), "revoked"),
                    AttestationCommand::Suspend {
                        session,
                        id,
                        reason,
                    } => (session, id, Change::Suspend(*reason), "suspended"),
                    AttestationCommand::Resume { session, id } => {
                        (session, id, Change::Resume, "resumed")
                    }
                };
                let mut s = session.connect()?;
                let who = s.signer()?;
                change(&mut s.chain, &s.contracts, &who, *id, what)?;
                println!("attestation {id} {done}");
            }
            Self::Attestations {
                session,
                account: text,
                json: as_json,
            } => {
                let subject = account(text)?;
                let mut s = session.connect()?;
                let asker = s.asker();
                let held = held_by(&mut s.chain, &s.contracts, &asker, subject)?;
                if *as_json {
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
