//! The customer page: what the chain holds about one meter and its holder — attestations, outage
//! cover with its terms in words, every payout with its outage, demand-response entries — each table
//! naming the contract and message its figures come from and the block they were read at. Buttons
//! let the browser check a payout or an entry itself (see `assets/portal/check.js`).

use std::fmt::Write;

use anyhow::Result;
use attestations::{Attestations, Validity};
use demand_response::{DemandResponse, EntryStatus, MinReduction, ProgramTerms};
use gridtrust_chain::{encode::call_builder, ss58, units::tokens, AccountId, Chain};
use gridtrust_common::tiers::{outage_minutes, tier_reached, Tier};
use outage_insurance::OutageInsurance;
use reservations::{BookingStatus, Reservations};

use super::{
    event_count,
    html::{escape, table},
    i18n::{Lang, Text},
    Site,
};
use crate::local_time::utc_minute;

/// Demand-response events looked at per page, newest first: a page's work stays bounded however long
/// the chain runs.
pub const MAX_EVENTS: u64 = 200;

/// Who the page is about.
#[derive(Debug, Clone, Default)]
pub struct Lookup {
    /// The account, if given (else the meter's policy holder).
    pub account: Option<AccountId>,
    /// The meter, if given.
    pub meter: Option<u64>,
}

fn validity_text(v: Validity) -> Text {
    match v {
        Validity::Valid => Text::Valid,
        Validity::NotFound => Text::NotFound,
        Validity::Revoked => Text::Revoked,
        Validity::Suspended => Text::Suspended,
        Validity::Expired => Text::Expired,
        Validity::AttesterDistrusted => Text::AttesterDistrusted,
        Validity::ParentInvalid => Text::ParentInvalid,
    }
}

/// The outage a tier starts at, in words: "out ≥ 1 h".
fn tier_threshold(lang: Lang, tier: &Tier) -> String {
    let span = if tier.min_minutes % 60 == 0 {
        format!("{} {}", tier.min_minutes / 60, lang.t(Text::Hours))
    } else {
        format!("{} min", tier.min_minutes)
    };
    format!("{} {span}", lang.t(Text::OutAtLeast))
}

/// One tier in words: "out ≥ 1 h → 5.00 tokens".
fn tier_in_words(lang: Lang, tier: &Tier) -> String {
    format!(
        "{} → {} {}",
        tier_threshold(lang, tier),
        tokens(tier.payout),
        lang.t(Text::Tokens)
    )
}

/// A pool's tiers in words: "out ≥ 1 h → 5.00 tokens; out ≥ 6 h → 20.00 tokens".
pub fn tiers_in_words(lang: Lang, tiers: &[Tier]) -> String {
    tiers
        .iter()
        .map(|t| tier_in_words(lang, t))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The body of the customer page for `lookup`.
pub fn body(chain: &mut impl Chain, site: &Site, lookup: &Lookup, lang: Lang) -> Result<String> {
    let t = |x| lang.t(x);
    let block = chain.block_number()?;
    let read_at = format!("{} #{block}", t(Text::ReadAtBlock));
    let ins = site.contracts.insurance;
    let ins_api = call_builder::<OutageInsurance>(ins);
    let asker = site.asker;

    // The meter's policies (at most a few per meter), and through them its holder.
    let mut policies = Vec::new();
    if let Some(meter) = lookup.meter {
        for id in chain.query(&ins, ins_api.policies_of_meter(meter), &asker)? {
            if let Some(p) = chain.query(&ins, ins_api.policy(id), &asker)? {
                policies.push((id, p));
            }
        }
    }
    let account = lookup
        .account
        .or_else(|| policies.first().map(|(_, p)| p.holder));
    if let Some(a) = lookup.account {
        policies.retain(|(_, p)| p.holder == a);
    }

    let mut out = String::new();
    if let Some(account) = account {
        let _ = write!(
            out,
            "<p>{}: <code>{}</code></p>",
            escape(t(Text::Holder)),
            escape(&ss58(&account))
        );
        out.push_str(&attestations(chain, site, account, lang, &read_at)?);
    }

    let mut cover = Vec::new();
    let mut payouts = Vec::new();
    for (id, p) in &policies {
        let terms = chain
            .query(&ins, ins_api.pool(p.pool), &asker)?
            .map(|pool| pool.terms);
        cover.push(vec![
            format!("#{id}"),
            format!("#{}", p.pool),
            p.feeder.to_string(),
            escape(&utc_minute(p.cover_from)),
            escape(&utc_minute(p.ends_at)),
            escape(
                &terms
                    .as_ref()
                    .map_or(String::new(), |t| tiers_in_words(lang, &t.tiers)),
            ),
            format!("{} {}", tokens(p.paid), escape(t(Text::Tokens))),
        ]);
        for payout in chain.query(&ins, ins_api.policy_payouts(*id), &asker)? {
            let (outage, amount) = (payout.outage, payout.amount);
            let Some(o) = chain.query(&ins, ins_api.outage(outage), &asker)? else {
                continue;
            };
            let r = &o.report;
            let minutes = outage_minutes(r.start_ms, r.end_ms);
            let tier = terms.as_ref().and_then(|terms| {
                let i = tier_reached(&terms.tiers, minutes)?;
                Some(format!(
                    "{} ({})",
                    i + 1,
                    tier_threshold(lang, terms.tiers.get(i)?)
                ))
            });
            let planned = if r.planned {
                Text::Planned
            } else {
                Text::Unplanned
            };
            payouts.push(vec![
                format!("#{outage}"),
                r.feeder.to_string(),
                escape(&utc_minute(r.start_ms)),
                escape(&utc_minute(r.end_ms)),
                format!("{minutes} ({})", escape(t(planned))),
                escape(tier.as_deref().unwrap_or("—")),
                format!(
                    "<span class=\"amount\">{} {}</span>",
                    tokens(amount),
                    escape(t(Text::Tokens))
                ),
                format!("#{}", payout.block),
                format!(
                    "<button type=\"button\" class=\"check\" data-kind=\"payout\" data-outage=\"{outage}\" \
                     data-meter=\"{}\" data-policy=\"{id}\">{}</button><output></output>",
                    p.meter,
                    escape(t(Text::CheckInBrowser))
                ),
            ]);
        }
    }
    if lookup.meter.is_some() {
        out.push_str(&table(
            lang,
            t(Text::Policies),
            &[
                Text::Policy,
                Text::Pool,
                Text::Feeder,
                Text::CoverFrom,
                Text::CoverUntil,
                Text::Terms,
                Text::Paid,
            ],
            &cover,
            &format!("outage_insurance.policies_of_meter, policy, pool · {read_at}"),
        ));
        out.push_str(&table(
            lang,
            t(Text::Payouts),
            &[
                Text::Outage,
                Text::Feeder,
                Text::Start,
                Text::End,
                Text::Minutes,
                Text::Tier,
                Text::Amount,
                Text::Block,
                Text::Check,
            ],
            &payouts,
            &format!(
                "outage_insurance.policy_payouts, outage, pool (event PayoutMade in the block named) · {read_at}"
            ),
        ));
    }
    if let Some(meter) = lookup.meter {
        out.push_str(&entries(chain, site, meter, account, lang, &read_at)?);
    }
    if let (Some(account), Some(hotels)) = (account, site.contracts.reservations) {
        out.push_str(&bookings(chain, site, hotels, account, lang, &read_at)?);
    }
    Ok(out)
}

/// How many of the newest bookings a page looks through for the customer's: bookings are kept by
/// id, not by guest, so the work per page is bounded by this.
const BOOKINGS_SCANNED: u64 = 500;

/// The customer's bookings among the newest [`BOOKINGS_SCANNED`], newest first.
fn bookings(
    chain: &mut impl Chain,
    site: &Site,
    hotels: AccountId,
    guest: AccountId,
    lang: Lang,
    read_at: &str,
) -> Result<String> {
    let t = |x| lang.t(x);
    let api = call_builder::<Reservations>(hotels);
    let count = chain.query(&hotels, api.booking_count(), &site.asker)?;
    let mut rows = Vec::new();
    for id in (count.saturating_sub(BOOKINGS_SCANNED)..count).rev() {
        let Some(b) = chain.query(&hotels, api.booking(id), &site.asker)? else {
            continue;
        };
        if b.guest != guest {
            continue;
        }
        let status = match b.status {
            BookingStatus::Booked => Text::Booked,
            BookingStatus::CheckedIn => Text::CheckedIn,
            BookingStatus::CancelledByGuest => Text::CancelledByGuest,
            BookingStatus::CancelledByMerchant => Text::CancelledByMerchant,
            BookingStatus::NoShow => Text::NoShow,
            BookingStatus::Completed => Text::Completed,
            BookingStatus::Lapsed => Text::Lapsed,
        };
        let terms = &b.terms;
        rows.push(vec![
            format!("#{id}"),
            format!("#{}", terms.property),
            format!("#{}", terms.room_type),
            escape(&crate::lodging::terms::show_day(terms.check_in)),
            terms.nights.to_string(),
            format!("{} {}", tokens(terms.amount), escape(t(Text::Tokens))),
            escape(t(status)),
        ]);
    }
    Ok(table(
        lang,
        t(Text::Bookings),
        &[
            Text::Booking,
            Text::Property,
            Text::Room,
            Text::CheckInDay,
            Text::Nights,
            Text::Amount,
            Text::Status,
        ],
        &rows,
        &format!("reservations.booking_count, booking (event Booked) · {read_at}"),
    ))
}

fn attestations(
    chain: &mut impl Chain,
    site: &Site,
    account: AccountId,
    lang: Lang,
    read_at: &str,
) -> Result<String> {
    let t = |x| lang.t(x);
    let at = site.contracts.attestations;
    let api = call_builder::<Attestations>(at);
    let mut rows = Vec::new();
    for (name, schema) in &site.schemas {
        for id in chain.query(&at, api.attestations_of(account, *schema), &site.asker)? {
            let validity = chain.query(&at, api.validity(id), &site.asker)?;
            let expires = chain
                .query(&at, api.attestation(id), &site.asker)?
                .and_then(|a| a.expires_at)
                .map_or_else(|| t(Text::Never).to_owned(), utc_minute);
            let class = if validity == Validity::Valid {
                "ok"
            } else {
                "bad"
            };
            rows.push(vec![
                escape(name),
                format!("#{id}"),
                format!(
                    "<span class=\"{class}\">{}</span>",
                    escape(t(validity_text(validity)))
                ),
                escape(&expires),
            ]);
        }
    }
    Ok(table(
        lang,
        t(Text::Attestations),
        &[Text::Schema, Text::Id, Text::Status, Text::Expires],
        &rows,
        &format!("attestations.attestations_of, validity, attestation · {read_at}"),
    ))
}

/// A program's terms as a customer reads them: the rate and cap, the least cut that earns anything,
/// and where its days turn.
fn program_in_words(lang: Lang, terms: &ProgramTerms) -> String {
    let (rate, cap) = (tokens(terms.rate_per_kwh), tokens(terms.cap_per_event));
    let zone = crate::local_time::show_offset(terms.utc_offset);
    let MinReduction { share_bps, wh } = terms.min_reduction;
    let percent = format!("{}.{:02} %", share_bps / 100, share_bps % 100);
    let percent = percent.replace(".00 %", " %");
    match lang {
        Lang::En => {
            let floor = match (share_bps, wh) {
                (0, 0) => String::new(),
                (_, 0) => format!("; a cut under {percent} of the baseline earns nothing"),
                (0, _) => format!("; a cut under {wh} Wh earns nothing"),
                _ => format!(
                    "; a cut under the larger of {percent} of the baseline and {wh} Wh earns nothing"
                ),
            };
            format!("{rate} tokens per kWh below the baseline, at most {cap} per event{floor}; days turn at midnight {zone}")
        }
        Lang::Zh => {
            let floor = match (share_bps, wh) {
                (0, 0) => String::new(),
                (_, 0) => format!(";削减不足基线的 {percent} 不予补贴"),
                (0, _) => format!(";削减不足 {wh} 瓦时不予补贴"),
                _ => format!(";削减不足基线的 {percent} 与 {wh} 瓦时中较大者不予补贴"),
            };
            format!("低于基线每千瓦时 {rate} 代币,每次最多 {cap}{floor};按 {zone} 午夜计日")
        }
    }
}

fn entries(
    chain: &mut impl Chain,
    site: &Site,
    meter: u64,
    account: Option<AccountId>,
    lang: Lang,
    read_at: &str,
) -> Result<String> {
    let t = |x| lang.t(x);
    let dr = site.contracts.demand;
    let api = call_builder::<DemandResponse>(dr);
    let count = event_count(chain, site)?;
    let mut rows = Vec::new();
    for event in (count.saturating_sub(MAX_EVENTS)..count).rev() {
        let Some(e) = chain.query(&dr, api.entry(event, meter), &site.asker)? else {
            continue;
        };
        if account.is_some_and(|a| a != e.customer) {
            continue;
        }
        let ev = chain.query(&dr, api.event(event), &site.asker)?;
        let terms = match &ev {
            Some(ev) => chain
                .query(&dr, api.program(ev.program), &site.asker)?
                .map(|p| p.terms),
            None => None,
        };
        let window = ev
            .as_ref()
            .and_then(|ev| ev.closed_at)
            .zip(terms.as_ref())
            .map_or_else(
                || "—".into(),
                |(closed, terms)| utc_minute(closed.saturating_add(terms.dispute_window_ms)),
            );
        let in_words = terms
            .as_ref()
            .map_or_else(String::new, |terms| program_in_words(lang, terms));
        let status = t(match e.status {
            EntryStatus::Pending => Text::Pending,
            EntryStatus::Disputed => Text::Disputed,
            EntryStatus::Paid => Text::PaidStatus,
        });
        rows.push(vec![
            format!("#{event}"),
            escape(&in_words),
            e.baseline_wh.to_string(),
            e.actual_wh.to_string(),
            format!(
                "<span class=\"amount\">{} {}</span>",
                tokens(e.subsidy),
                escape(t(Text::Tokens))
            ),
            escape(status),
            escape(&window),
            format!(
                "<button type=\"button\" class=\"check\" data-kind=\"entry\" data-event=\"{event}\" \
                 data-meter=\"{meter}\">{}</button><output></output>",
                escape(t(Text::CheckInBrowser))
            ),
        ]);
    }
    let mut out = table(
        lang,
        t(Text::DemandResponse),
        &[
            Text::Event,
            Text::Terms,
            Text::Baseline,
            Text::Actual,
            Text::Subsidy,
            Text::Status,
            Text::DisputeUntil,
            Text::Check,
        ],
        &rows,
        &format!("demand_response.entry, event, program (event EntryRecorded) · {read_at}"),
    );
    if !rows.is_empty() {
        let _ = write!(
            out,
            "<section><h2>{}</h2><p>{}</p><label>{} <input type=\"file\" id=\"own-export\" \
             accept=\".csv,text/csv\" data-meter=\"{meter}\"></label><output id=\"own-result\"></output></section>",
            escape(t(Text::OwnExport)),
            escape(t(Text::OwnExportHelp)),
            escape(t(Text::OwnExport)),
        );
    }
    Ok(out)
}
