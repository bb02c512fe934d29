//! `gridtrust insurer …`: an insurer's and a capital provider's work on outage-insurance pools —
//! create one from a terms file (checked with the contract's own rule before signing), fund it,
//! withdraw free capital, release expired policies' liability, close it, and see its book.

mod pool;
pub mod terms;

use std::path::PathBuf;

use anyhow::Result;
use gridtrust_chain::units::{parse_tokens, tokens};
use serde_json::json;

pub use self::pool::{FeederBook, PoolStatus, Released, Take};
use crate::session::Session;

/// An insurer's commands.
#[derive(Debug, clap::Subcommand)]
pub enum InsurerCommand {
    /// Outage-insurance pools.
    #[command(subcommand)]
    Pool(PoolCommand),
}

/// What an insurer does with a pool.
#[derive(Debug, clap::Subcommand)]
pub enum PoolCommand {
    /// Create a pool from a terms file (see `gridtrust_cli::insurer::terms`), optionally funding it.
    Create {
        #[command(flatten)]
        session: Session,
        /// The terms file (TOML).
        #[arg(long, value_name = "FILE")]
        terms: PathBuf,
        /// First capital, in tokens.
        #[arg(long, value_name = "TOKENS")]
        fund: Option<String>,
    },
    /// Add capital to a pool (anyone may); shares are minted at the pool's capital per share.
    Fund {
        #[command(flatten)]
        session: Session,
        /// The pool.
        #[arg(long)]
        pool: u32,
        /// How much, in tokens.
        #[arg(long, value_name = "TOKENS")]
        amount: String,
    },
    /// Withdraw free capital: shares worth `--amount`, or `--all` the signer holds.
    Withdraw {
        #[command(flatten)]
        session: Session,
        /// The pool.
        #[arg(long)]
        pool: u32,
        /// At most this much, in tokens.
        #[arg(
            long,
            value_name = "TOKENS",
            conflicts_with = "all",
            required_unless_present = "all"
        )]
        amount: Option<String>,
        /// Every share the signer holds.
        #[arg(long)]
        all: bool,
    },
    /// Release the liability of the pool's policies whose cover ended more than the settlement
    /// grace (7 days) ago, so the capital behind them becomes free (anyone may).
    Release {
        #[command(flatten)]
        session: Session,
        /// The pool.
        #[arg(long)]
        pool: u32,
    },
    /// Stop a pool selling (its insurer only); existing cover stays.
    Close {
        #[command(flatten)]
        session: Session,
        /// The pool.
        #[arg(long)]
        pool: u32,
    },
    /// A pool's capital (total, locked, free), shares, exposure per feeder, policies, premiums and
    /// payouts; shares held are the `--suri` account's (none without one).
    Status {
        #[command(flatten)]
        session: Session,
        /// The pool.
        #[arg(long)]
        pool: u32,
    },
}

fn amount(text: &str, what: &str) -> Result<u128> {
    parse_tokens(text).map_err(|e| anyhow::anyhow!("{what}: {e}"))
}

impl InsurerCommand {
    /// Runs the subcommand.
    pub fn run(&self) -> Result<()> {
        let InsurerCommand::Pool(command) = self;
        command.run()
    }
}

impl PoolCommand {
    /// Runs the subcommand against the configured deployment.
    pub fn run(&self) -> Result<()> {
        match self {
            Self::Create {
                session,
                terms,
                fund: capital,
            } => {
                // Connected first: amounts are in the chain's own token decimals. Still checked
                // before anything is signed, so a mistake costs nothing.
                let mut s = session.connect()?;
                let terms = terms::read(terms)?;
                let capital = capital.as_deref().map_or(Ok(0), |t| amount(t, "--fund"))?;
                let who = s.signer()?;
                let id = s.actor(who).create_pool(terms, capital)?;
                session.say(
                    json!({ "pool": id, "funded": capital.to_string() }),
                    format!("pool {id} created, {} tokens of capital", tokens(capital)),
                );
            }
            Self::Fund {
                session,
                pool,
                amount: text,
            } => {
                let mut s = session.connect()?;
                let value = amount(text, "--amount")?;
                let who = s.signer()?;
                let shares = s.actor(who).fund_pool(*pool, value)?;
                session.say(
                    json!({ "pool": pool, "amount": value.to_string(), "shares": shares.to_string() }),
                    format!(
                        "pool {pool}: {} tokens added, {shares} shares minted",
                        tokens(value)
                    ),
                );
            }
            Self::Withdraw {
                session,
                pool,
                amount: text,
                all,
            } => {
                let mut s = session.connect()?;
                let take = match (text, all) {
                    (_, true) => Take::All,
                    (Some(t), false) => Take::Amount(amount(t, "--amount")?),
                    (None, false) => unreachable!("clap requires --amount or --all"),
                };
                let who = s.signer()?;
                let (paid, shares) = s.actor(who).withdraw_capital(*pool, take)?;
                session.say(
                    json!({ "pool": pool, "paid": paid.to_string(), "shares": shares.to_string() }),
                    format!(
                        "pool {pool}: {} tokens withdrawn, {shares} shares burned",
                        tokens(paid)
                    ),
                );
            }
            Self::Release { session, pool } => {
                let (mut s, who) = session.signing()?;
                let done = s.actor(who).release_expired(*pool)?;
                session.say(
                    json!({ "pool": pool, "released": done.released, "calls": done.calls }),
                    format!(
                        "pool {pool}: {} expired policies released in {} calls; their capital is free",
                        done.released, done.calls
                    ),
                );
            }
            Self::Close { session, pool } => {
                let (mut s, who) = session.signing()?;
                s.actor(who).close_pool(*pool)?;
                session.say(
                    json!({ "pool": pool, "closed": true }),
                    format!("pool {pool} no longer sells policies"),
                );
            }
            Self::Status { session, pool } => {
                let st = session.connect()?.reader().pool_status(*pool)?;
                if session.json {
                    println!("{}", serde_json::to_string_pretty(&st)?);
                } else {
                    for line in status_lines(&st) {
                        println!("{line}");
                    }
                }
            }
        }
        Ok(())
    }
}

/// A pool's status as a person reads it.
pub fn status_lines(st: &PoolStatus) -> Vec<String> {
    let mut out = vec![
        format!(
            "pool {} (insurer {}){}",
            st.pool,
            st.insurer,
            if st.closed { ", closed" } else { "" }
        ),
        format!(
            "  capital {:>14}   locked {:>14}   free {:>14}",
            tokens(st.capital),
            tokens(st.locked),
            tokens(st.free)
        ),
        format!(
            "  shares {} outstanding, {} yours; exposure {}",
            st.shares,
            st.shares_held,
            tokens(st.exposure)
        ),
        format!(
            "  {} policies sold, {} in premiums, {} paid out",
            st.policies_sold,
            tokens(st.premiums),
            tokens(st.paid_out)
        ),
        format!("  {:>8} {:>9} {:>14}", "feeder", "policies", "exposure"),
    ];
    for f in &st.feeders {
        out.push(format!(
            "  {:>8} {:>9} {:>14}",
            f.feeder,
            f.policies,
            tokens(f.exposure)
        ));
    }
    out
}
