//! `gridtrust inspect`: what the deployed contracts hold about one account — its balance, its
//! attestations under every schema, the insurance owed to it, its meters' policies and payouts, its
//! meters' demand-response entries, and its bookings.

use anyhow::{Context, Result};
use attestations::Attestations;
use demand_response::DemandResponse;
use gridtrust_chain::{encode::call_builder, parse_ss58, ss58, AccountId, Chain, Key};
use gridtrust_common::owed::OwedPayments;
use outage_insurance::OutageInsurance;
use reservations::Reservations;

use crate::{demo::tokens, deploy};

/// Everything found, as lines to print.
pub fn inspect(
    chain: &mut impl Chain,
    manifest: &gridtrust_chain::deployment::Manifest,
    account: AccountId,
    meters: &[u64],
) -> Result<Vec<String>> {
    let address = |name: &str| -> Result<AccountId> {
        manifest
            .address(name)?
            .with_context(|| format!("the manifest names no {name} contract"))
    };
    let mut out = vec![format!(
        "account {} — free balance {} tokens",
        ss58(&account),
        tokens(chain.balance(&account)?)
    )];

    let at = address("attestations")?;
    let api = call_builder::<Attestations>(at);
    out.push("attestations:".into());
    for (schema_name, &schema) in &manifest.schemas {
        for id in chain.query(&at, api.attestations_of(account, schema), &account)? {
            let validity = chain.query(&at, api.validity(id), &account)?;
            let expiry = chain
                .query(&at, api.attestation(id), &account)?
                .and_then(|a| a.expires_at)
                .map_or("never expires".to_owned(), |t| format!("expires at {t} ms"));
            out.push(format!("  {schema_name} #{id}: {validity:?}, {expiry}"));
        }
    }

    let ins = address("outage_insurance")?;
    let api = call_builder::<OutageInsurance>(ins);
    let owed = chain.query(&ins, api.owed_to(account), &account)?;
    out.push(format!(
        "insurance: {} tokens owed (payouts the chain could not transfer; claim_owed collects them)",
        tokens(owed)
    ));
    for &meter in meters {
        for id in chain.query(&ins, api.policies_of_meter(meter), &account)? {
            let Some(p) = chain.query(&ins, api.policy(id), &account)? else {
                continue;
            };
            if p.holder != account {
                continue;
            }
            out.push(format!(
                "  meter {meter}, feeder {}: policy #{id} in pool #{}, cover {}..{} ms, paid {} tokens in {} payouts",
                p.feeder,
                p.pool,
                p.cover_from,
                p.ends_at,
                tokens(p.paid),
                p.payouts
            ));
            for (outage, amount) in chain.query(&ins, api.policy_payouts(id), &account)? {
                out.push(format!("    outage #{outage}: {} tokens", tokens(amount)));
            }
        }
    }

    let dr = address("demand_response")?;
    let api = call_builder::<DemandResponse>(dr);
    out.push("demand response:".into());
    let mut event = 0;
    while chain.query(&dr, api.event(event), &account)?.is_some() {
        for &meter in meters {
            if let Some(e) = chain.query(&dr, api.entry(event, meter), &account)? {
                if e.customer == account {
                    out.push(format!(
                        "  event #{event}, meter {meter}: baseline {} Wh, actual {} Wh, subsidy {} tokens, {:?}, paid {} tokens",
                        e.baseline_wh,
                        e.actual_wh,
                        tokens(e.subsidy),
                        e.status,
                        tokens(e.paid)
                    ));
                }
            }
        }
        event += 1;
    }

    let res = address("reservations")?;
    let api = call_builder::<Reservations>(res);
    out.push("bookings:".into());
    let mut booking = 0;
    while let Some(b) = chain.query(&res, api.booking(booking), &account)? {
        if b.guest == account {
            out.push(format!(
                "  #{booking}: property #{}, room type #{}, {} nights from day {}, {} tokens, {:?}",
                b.terms.property,
                b.terms.room_type,
                b.terms.nights,
                b.terms.check_in,
                tokens(b.terms.amount),
                b.status
            ));
        }
        booking += 1;
    }
    Ok(out)
}

/// `gridtrust inspect`: `who` is an SS58 address or a secret URI.
pub fn run(config: &std::path::Path, who: &str, meters: &[u64]) -> Result<()> {
    let loaded = deploy::load(config)?;
    let manifest = deploy::read_manifest(&loaded.manifest_path)?.with_context(|| {
        format!(
            "no deployment manifest at {} (run `gridtrust deploy` first)",
            loaded.manifest_path.display()
        )
    })?;
    let account = match parse_ss58(who) {
        Some(a) => a,
        None => Key::from_uri(who)
            .with_context(|| format!("`{who}` is neither an address nor a key"))?
            .account(),
    };
    let mut chain = deploy::connect(&loaded, None)?;
    for line in inspect(&mut chain, &manifest, account, meters)? {
        println!("{line}");
    }
    Ok(())
}
