//! `gridtrust inspect`: what the deployed contracts hold about one account — its balance, its
//! attestations under every schema, the insurance owed to it, its meters' policies and payouts, its
//! meters' demand-response entries, and its bookings.

use std::path::PathBuf;

use anyhow::{Context, Result};
use attestations::Attestations;
use demand_response::DemandResponse;
use gridtrust_chain::{encode::call_builder, ss58, units::tokens, AccountId, Chain, Manifest};
use gridtrust_common::owed::OwedPayments;
use outage_insurance::OutageInsurance;
use reservations::Reservations;
use serde::Serialize;

use crate::{deploy, session::account_or_key};

/// Look up what the deployed contracts hold about an account.
#[derive(Debug, clap::Args)]
pub struct InspectCommand {
    /// The deployment configuration whose manifest names the contracts.
    #[arg(long, value_name = "FILE", default_value = "deploy/local.toml")]
    config: PathBuf,
    /// The account: an SS58 address or a secret URI.
    account: String,
    /// Meters of the account to look up policies and entries for.
    #[arg(long = "meter", value_name = "METER")]
    meters: Vec<u64>,
    /// Print what was found as JSON instead of text (amounts in the chain's smallest unit, as
    /// strings).
    #[arg(long)]
    json: bool,
}

impl InspectCommand {
    /// Looks the account up on the configured chain and prints what was found.
    pub fn run(&self) -> Result<()> {
        let loaded = deploy::load(&self.config)?;
        let manifest = loaded.manifest()?;
        let who = &self.account;
        let account = account_or_key(who)?;
        let mut chain = deploy::connect(&loaded, None)?;
        // One block's state, and the reader told which.
        let block = chain.pin_reads()?;
        let found = inspect(&mut chain, &manifest, account, &self.meters)?;
        chain.unpin_reads();
        if self.json {
            let mut value = serde_json::to_value(&found)?;
            value["read_at"] = serde_json::json!({
                "number": block.number,
                "hash": format!("0x{}", hex::encode(block.hash)),
                "finalized": block.finalized,
            });
            println!("{}", serde_json::to_string_pretty(&value)?);
        } else {
            for line in found.lines() {
                println!("{line}");
            }
            println!("read at {block}");
        }
        Ok(())
    }
}

/// Amounts travel as decimal strings: JSON numbers lose precision beyond 2⁵³.
pub(crate) fn amount<S: serde::Serializer>(value: &u128, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&value.to_string())
}

/// Everything the contracts hold about one account.
#[derive(Debug, Clone, Serialize)]
pub struct Inspection {
    /// The account, SS58.
    pub account: String,
    /// Its free balance.
    #[serde(serialize_with = "amount")]
    pub free_balance: u128,
    /// Its attestations under every schema the deployment registered.
    pub attestations: Vec<AttestationFound>,
    /// Insurance payouts the chain could not transfer, waiting for `claim_owed`.
    #[serde(serialize_with = "amount")]
    pub insurance_owed: u128,
    /// Its policies on the meters asked about, with their payouts.
    pub policies: Vec<PolicyFound>,
    /// Its demand-response entries on those meters.
    pub entries: Vec<EntryFound>,
    /// Its bookings.
    pub bookings: Vec<BookingFound>,
}

/// One attestation of the account.
#[derive(Debug, Clone, Serialize)]
pub struct AttestationFound {
    /// The schema's name in the manifest.
    pub schema: String,
    /// The attestation id.
    pub id: u64,
    /// Its validity as the contract answers it.
    pub validity: String,
    /// When it expires (ms), if it does.
    pub expires_at: Option<u64>,
}

/// One policy of the account.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyFound {
    /// The insured meter.
    pub meter: u64,
    /// Its feeder.
    pub feeder: u32,
    /// The policy id.
    pub policy: u64,
    /// Its pool.
    pub pool: u32,
    /// Cover starts (ms).
    pub cover_from: u64,
    /// Cover ends (ms).
    pub ends_at: u64,
    /// Paid so far.
    #[serde(serialize_with = "amount")]
    pub paid: u128,
    /// Payouts so far.
    pub payouts: u32,
    /// What each outage paid.
    pub outage_payouts: Vec<OutagePayout>,
}

/// What one outage paid a policy.
#[derive(Debug, Clone, Serialize)]
pub struct OutagePayout {
    /// The outage.
    pub outage: u64,
    /// The amount.
    #[serde(serialize_with = "amount")]
    pub amount: u128,
    /// The block it was paid in (its `PayoutMade` event is there).
    pub block: u32,
}

/// One demand-response entry of the account.
#[derive(Debug, Clone, Serialize)]
pub struct EntryFound {
    /// The event.
    pub event: u64,
    /// The meter.
    pub meter: u64,
    /// Baseline load (Wh).
    pub baseline_wh: u64,
    /// Actual load (Wh).
    pub actual_wh: u64,
    /// The subsidy the entry earns.
    #[serde(serialize_with = "amount")]
    pub subsidy: u128,
    /// Its status as the contract names it.
    pub status: String,
    /// Paid so far.
    #[serde(serialize_with = "amount")]
    pub paid: u128,
}

/// One booking of the account.
#[derive(Debug, Clone, Serialize)]
pub struct BookingFound {
    /// The booking id.
    pub booking: u64,
    /// The property.
    pub property: u32,
    /// The room type.
    pub room_type: u32,
    /// Nights booked.
    pub nights: u32,
    /// Check-in day.
    pub check_in: u32,
    /// The price.
    #[serde(serialize_with = "amount")]
    pub amount: u128,
    /// Its status as the contract names it.
    pub status: String,
}

impl Inspection {
    /// What was found, as lines for a person.
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![format!(
            "account {} — free balance {} tokens",
            self.account,
            tokens(self.free_balance)
        )];
        out.push("attestations:".into());
        for a in &self.attestations {
            let expiry = a
                .expires_at
                .map_or("never expires".to_owned(), |t| format!("expires at {t} ms"));
            out.push(format!(
                "  {} #{}: {}, {expiry}",
                a.schema, a.id, a.validity
            ));
        }
        out.push(format!(
            "insurance: {} tokens owed (payouts the chain could not transfer; claim_owed collects them)",
            tokens(self.insurance_owed)
        ));
        for p in &self.policies {
            out.push(format!(
                "  meter {}, feeder {}: policy #{} in pool #{}, cover {}..{} ms, paid {} tokens in {} payouts",
                p.meter,
                p.feeder,
                p.policy,
                p.pool,
                p.cover_from,
                p.ends_at,
                tokens(p.paid),
                p.payouts
            ));
            for o in &p.outage_payouts {
                out.push(format!(
                    "    outage #{}: {} tokens in block #{}",
                    o.outage,
                    tokens(o.amount),
                    o.block
                ));
            }
        }
        out.push("demand response:".into());
        for e in &self.entries {
            out.push(format!(
                "  event #{}, meter {}: baseline {} Wh, actual {} Wh, subsidy {} tokens, {}, paid {} tokens",
                e.event,
                e.meter,
                e.baseline_wh,
                e.actual_wh,
                tokens(e.subsidy),
                e.status,
                tokens(e.paid)
            ));
        }
        out.push("bookings:".into());
        for b in &self.bookings {
            out.push(format!(
                "  #{}: property #{}, room type #{}, {} nights from day {}, {} tokens, {}",
                b.booking,
                b.property,
                b.room_type,
                b.nights,
                b.check_in,
                tokens(b.amount),
                b.status
            ));
        }
        out
    }
}

/// Everything the contracts `manifest` names hold about `account` (policies and entries of `meters`).
pub fn inspect(
    chain: &mut impl Chain,
    manifest: &Manifest,
    account: AccountId,
    meters: &[u64],
) -> Result<Inspection> {
    let contracts = manifest.contracts()?;
    let mut found = Inspection {
        account: ss58(&account),
        free_balance: chain.balance(&account)?,
        attestations: Vec::new(),
        insurance_owed: 0,
        policies: Vec::new(),
        entries: Vec::new(),
        bookings: Vec::new(),
    };

    let at = contracts.attestations;
    let api = call_builder::<Attestations>(at);
    for (schema_name, &schema) in &manifest.schemas {
        for id in chain.query(&at, api.attestations_of(account, schema), &account)? {
            let validity = chain.query(&at, api.validity(id), &account)?;
            let expires_at = chain
                .query(&at, api.attestation(id), &account)?
                .and_then(|a| a.expires_at);
            found.attestations.push(AttestationFound {
                schema: schema_name.clone(),
                id,
                validity: format!("{validity:?}"),
                expires_at,
            });
        }
    }

    let ins = contracts.insurance;
    let api = call_builder::<OutageInsurance>(ins);
    found.insurance_owed = chain.query(&ins, api.owed_to(account), &account)?;
    for &meter in meters {
        for id in chain.query(&ins, api.policies_of_meter(meter), &account)? {
            let Some(p) = chain.query(&ins, api.policy(id), &account)? else {
                continue;
            };
            if p.holder != account {
                continue;
            }
            let outage_payouts = chain
                .query(&ins, api.policy_payouts(id), &account)?
                .into_iter()
                .map(|p| OutagePayout {
                    outage: p.outage,
                    amount: p.amount,
                    block: p.block,
                })
                .collect();
            found.policies.push(PolicyFound {
                meter,
                feeder: p.feeder,
                policy: id,
                pool: p.pool,
                cover_from: p.cover_from,
                ends_at: p.ends_at,
                paid: p.paid,
                payouts: p.payouts,
                outage_payouts,
            });
        }
    }

    let dr = contracts.demand;
    let api = call_builder::<DemandResponse>(dr);
    let mut event = 0;
    while chain.query(&dr, api.event(event), &account)?.is_some() {
        for &meter in meters {
            if let Some(e) = chain.query(&dr, api.entry(event, meter), &account)? {
                if e.customer == account {
                    found.entries.push(EntryFound {
                        event,
                        meter,
                        baseline_wh: e.baseline_wh,
                        actual_wh: e.actual_wh,
                        subsidy: e.subsidy,
                        status: format!("{:?}", e.status),
                        paid: e.paid,
                    });
                }
            }
        }
        event += 1;
    }

    let res = contracts
        .reservations
        .context("the manifest names no reservations contract")?;
    let api = call_builder::<Reservations>(res);
    let mut booking = 0;
    while let Some(b) = chain.query(&res, api.booking(booking), &account)? {
        if b.guest == account {
            found.bookings.push(BookingFound {
                booking,
                property: b.terms.property,
                room_type: b.terms.room_type,
                nights: b.terms.nights,
                check_in: b.terms.check_in,
                amount: b.terms.amount,
                status: format!("{:?}", b.status),
            });
        }
        booking += 1;
    }
    Ok(found)
}
