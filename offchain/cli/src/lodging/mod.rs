//! `gridtrust hotel …` and `gridtrust guest …`: a verified hotel registers its property with a bond,
//! lists room types from a terms file (checked with the contract's own rule before signing), and works
//! its front desk (check in, no-show, cancel); a guest quotes, books (at exactly the quoted terms),
//! cancels, and anyone checks a confirmation.

pub mod actions;
pub mod terms;

use std::path::PathBuf;

use anyhow::{anyhow, Context, Result};
use gridtrust_chain::units::{parse_tokens, tokens};
use gridtrust_common::blake2_256;
use serde_json::json;

pub use self::actions::{Desk, Listing};
use crate::{
    local_time::{parse_offset, show_offset},
    session::{account, Session},
};

/// A hotel's commands.
#[derive(Debug, clap::Subcommand)]
pub enum HotelCommand {
    /// Register a property (the signer must hold a verified-merchant attestation), paying its bond.
    Register {
        #[command(flatten)]
        session: Session,
        /// The property's public details (name, address, ...); the chain keeps their blake2-256.
        #[arg(long, value_name = "FILE")]
        details: PathBuf,
        /// The bond, in tokens (at least the deployment's minimum).
        #[arg(long, value_name = "TOKENS")]
        bond: String,
        /// What a guest receives on top of a refund when the hotel cancels, in percent.
        #[arg(long, default_value_t = 0)]
        compensation_percent: u32,
        /// Guests must hold a real-name attestation.
        #[arg(long)]
        real_name: bool,
        /// The property's time zone as an offset from UTC (+08:00 for China): its nights, check-in
        /// days and cancellation cut-offs turn at its local midnight.
        #[arg(long, value_name = "OFFSET", default_value = "+00:00")]
        utc_offset: String,
    },
    /// Room types.
    #[command(subcommand)]
    Room(RoomCommand),
    /// Record a guest's arrival.
    CheckIn {
        #[command(flatten)]
        session: Session,
        /// The booking.
        #[arg(long)]
        booking: u64,
    },
    /// Mark a booking a no-show, after its check-in day.
    NoShow {
        #[command(flatten)]
        session: Session,
        /// The booking.
        #[arg(long)]
        booking: u64,
    },
    /// Cancel a booking as the hotel: the guest gets everything back plus the compensation.
    Cancel {
        #[command(flatten)]
        session: Session,
        /// The booking.
        #[arg(long)]
        booking: u64,
    },
}

/// Room types.
#[derive(Debug, clap::Subcommand)]
pub enum RoomCommand {
    /// Add a room type from a terms file (see `gridtrust::lodging::terms`).
    Add {
        #[command(flatten)]
        session: Session,
        /// The property.
        #[arg(long)]
        property: u32,
        /// Rooms of this type.
        #[arg(long)]
        capacity: u32,
        /// The terms file (TOML).
        #[arg(long, value_name = "FILE")]
        terms: PathBuf,
    },
    /// Change a room type's capacity and/or its terms for new bookings.
    Update {
        #[command(flatten)]
        session: Session,
        /// The property.
        #[arg(long)]
        property: u32,
        /// The room type.
        #[arg(long)]
        room: u32,
        /// New capacity.
        #[arg(long)]
        capacity: Option<u32>,
        /// New terms file (TOML).
        #[arg(long, value_name = "FILE")]
        terms: Option<PathBuf>,
    },
}

/// A guest's commands.
#[derive(Debug, clap::Subcommand)]
pub enum GuestCommand {
    /// What a stay costs now, its refund terms and how many rooms are free.
    Quote {
        #[command(flatten)]
        session: Session,
        #[command(flatten)]
        stay: Stay,
    },
    /// Book a stay at the terms quoted now, paying into escrow.
    Book {
        #[command(flatten)]
        session: Session,
        #[command(flatten)]
        stay: Stay,
    },
    /// Cancel a booking; the refund follows the terms it was booked on.
    Cancel {
        #[command(flatten)]
        session: Session,
        /// The booking.
        #[arg(long)]
        booking: u64,
    },
    /// Check a confirmation: the booking's status if it is the guest's and on exactly these terms.
    Verify {
        #[command(flatten)]
        session: Session,
        /// The booking.
        #[arg(long)]
        booking: u64,
        /// The guest (SS58).
        #[arg(long)]
        guest: String,
        /// The terms hash on the confirmation (0x…).
        #[arg(long)]
        terms_hash: String,
    },
}

/// A stay.
#[derive(Debug, Clone, clap::Args)]
pub struct Stay {
    /// The property.
    #[arg(long)]
    property: u32,
    /// The room type.
    #[arg(long)]
    room: u32,
    /// Check-in day, as a date at the property (2026-12-24), or `tonight` for the property's
    /// current local day.
    #[arg(long)]
    check_in: String,
    /// Nights.
    #[arg(long)]
    nights: u32,
}

fn hex(digest: &[u8; 32]) -> String {
    format!("0x{}", hex::encode(digest))
}

impl HotelCommand {
    /// Runs the subcommand against the configured deployment.
    pub fn run(&self) -> Result<()> {
        match self {
            Self::Register {
                session,
                details,
                bond,
                compensation_percent,
                real_name,
                utc_offset,
            } => {
                let utc_offset =
                    parse_offset(utc_offset).map_err(|e| anyhow!("--utc-offset: {e}"))?;
                let details = std::fs::read(details)
                    .with_context(|| format!("reading {}", details.display()))?;
                let compensation = compensation_percent
                    .checked_mul(100)
                    .filter(|bps| *bps <= 10_000)
                    .context("--compensation-percent: at most 100")?;
                // Connected first: the bond is in the chain's own token decimals.
                let mut s = session.connect()?;
                let bond = parse_tokens(bond).map_err(|e| anyhow!("--bond: {e}"))?;
                let who = s.signer()?;
                let listing = Listing {
                    details_hash: blake2_256(&details),
                    compensation_bps: compensation,
                    requires_real_name: *real_name,
                    utc_offset,
                };
                let id = s.actor(who).register_property(&listing, bond)?;
                session.say(
                    json!({ "property": id, "bond": bond.to_string(), "utc_offset_minutes": utc_offset }),
                    format!(
                        "property {id} registered with a bond of {} tokens; its days turn at midnight {}",
                        tokens(bond),
                        show_offset(utc_offset)
                    ),
                );
            }
            Self::Room(RoomCommand::Add {
                session,
                property,
                capacity,
                terms: path,
            }) => {
                let mut s = session.connect()?;
                let terms = terms::read(path)?;
                let who = s.signer()?;
                let id = s.actor(who).add_room(*property, *capacity, terms)?;
                session.say(
                    json!({ "property": property, "room": id, "capacity": capacity }),
                    format!("room type {id} of property {property}: {capacity} rooms"),
                );
            }
            Self::Room(RoomCommand::Update {
                session,
                property,
                room,
                capacity,
                terms: path,
            }) => {
                let mut s = session.connect()?;
                let terms = path.as_deref().map(terms::read).transpose()?;
                let who = s.signer()?;
                s.actor(who)
                    .update_room(*property, *room, *capacity, terms)?;
                session.say(
                    json!({ "property": property, "room": room, "updated": true }),
                    format!("room type {room} of property {property} updated"),
                );
            }
            Self::CheckIn { session, booking }
            | Self::NoShow { session, booking }
            | Self::Cancel { session, booking } => {
                let (action, done) = match self {
                    Self::CheckIn { .. } => (Desk::CheckIn, "checked in"),
                    Self::NoShow { .. } => (Desk::NoShow, "marked a no-show"),
                    _ => (Desk::Cancel, "cancelled by the hotel"),
                };
                let (mut s, who) = session.signing()?;
                s.actor(who).desk(*booking, action)?;
                session.say(
                    json!({ "booking": booking, "now": done }),
                    format!("booking {booking} {done}"),
                );
            }
        }
        Ok(())
    }
}

impl GuestCommand {
    /// Runs the subcommand against the configured deployment.
    pub fn run(&self) -> Result<()> {
        match self {
            Self::Quote { session, stay } | Self::Book { session, stay } => {
                let mut s = session.connect()?;
                let check_in = if stay.check_in == "tonight" {
                    s.reader().local_today(stay.property)?
                } else {
                    terms::parse_day(&stay.check_in)?
                };
                let q = s
                    .reader()
                    .stay_quote(stay.property, stay.room, check_in, stay.nights)?;
                let booking = if matches!(self, Self::Book { .. }) {
                    let who = s.signer()?;
                    Some(s.actor(who).book(&q)?)
                } else {
                    None
                };
                if session.json {
                    println!(
                        "{}",
                        json!({
                            "booking": booking,
                            "amount": q.terms.amount.to_string(),
                            "terms_hash": hex(&q.terms_hash),
                            "available": q.available,
                            "refund_tiers": q.terms.refund_tiers.iter().map(|t| json!({
                                "days_before": t.min_days_before, "refund_bps": t.refund_bps,
                            })).collect::<Vec<_>>(),
                            "check_in": terms::show_day(check_in),
                        })
                    );
                } else {
                    println!(
                        "{} nights from {}: {} tokens; {} rooms free",
                        stay.nights,
                        terms::show_day(check_in),
                        tokens(q.terms.amount),
                        q.available
                    );
                    for t in &q.terms.refund_tiers {
                        println!(
                            "  cancelled ≥ {} days before check-in: {} % back",
                            t.min_days_before,
                            t.refund_bps / 100
                        );
                    }
                    if let Some(id) = booking {
                        println!("booked: booking {id}, terms hash {}", hex(&q.terms_hash));
                    }
                }
            }
            Self::Cancel { session, booking } => {
                let (mut s, who) = session.signing()?;
                let refund = s.actor(who).cancel_booking(*booking)?;
                session.say(
                    json!({ "booking": booking, "refund": refund.to_string() }),
                    format!(
                        "booking {booking} cancelled; {} tokens refunded",
                        tokens(refund)
                    ),
                );
            }
            Self::Verify {
                session,
                booking,
                guest,
                terms_hash,
            } => {
                let guest = account(guest)?;
                let hash: [u8; 32] = hex::decode(terms_hash.trim_start_matches("0x"))
                    .ok()
                    .and_then(|b| b.try_into().ok())
                    .context("--terms-hash: 32 bytes of hex")?;
                let status = session
                    .connect()?
                    .reader()
                    .verify_booking(*booking, guest, hash)?;
                session.say(
                    json!({ "booking": booking, "status": format!("{status:?}") }),
                    format!(
                        "booking {booking}: {status:?}, the guest's and on exactly these terms"
                    ),
                );
            }
        }
        Ok(())
    }
}
