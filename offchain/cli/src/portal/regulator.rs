//! The regulator page: outages per feeder on a timeline, demand-response events with their totals and
//! open disputes, and for the newest committee reports who voted what, conflicts included.

use std::fmt::Write;

use anyhow::Result;
use demand_response::DemandResponse;
use gridtrust_chain::{encode::call_builder, ss58, units::tokens, AccountId, Chain};
use gridtrust_common::{
    committee::{Oracle, ReportId},
    tiers::{outage_end_id, outage_minutes, outage_start_id},
    Digest,
};
use outage_insurance::OutageInsurance;

use super::{
    customer::MAX_EVENTS,
    event_count,
    html::{escape, table},
    i18n::{Lang, Text},
    insurer::MAX_OUTAGES,
    Site,
};
use crate::local_time::utc_minute;

/// The body of the regulator page.
pub fn body<C: Chain>(chain: &mut C, site: &Site, lang: Lang) -> Result<String> {
    let t = |x| lang.t(x);
    let block = chain.block_number()?;
    let read_at = format!("{} #{block}", t(Text::ReadAtBlock));
    let ins = site.contracts.insurance;
    let api = call_builder::<OutageInsurance>(ins);
    let count = chain.query(&ins, api.outage_count(), &site.asker)?;
    let mut outages = Vec::new();
    for id in count.saturating_sub(MAX_OUTAGES)..count {
        if let Some(o) = chain.query(&ins, api.outage(id), &site.asker)? {
            outages.push((id, o));
        }
    }
    let (first, last) = outages.iter().fold((u64::MAX, 0), |(a, b), (_, o)| {
        (a.min(o.report.start_ms), b.max(o.report.end_ms))
    });
    let mut out = String::new();
    if !outages.is_empty() {
        // A timeline: one lane per feeder, each outage a bar from its start to its end.
        let span = last.saturating_sub(first).max(1);
        let mut feeders: Vec<u32> = outages.iter().map(|(_, o)| o.report.feeder).collect();
        feeders.sort_unstable();
        feeders.dedup();
        let height = feeders.len() * 26 + 8;
        let _ = write!(
            out,
            "<figure><svg role=\"img\" aria-label=\"{title}\" viewBox=\"0 0 480 {height}\" width=\"100%\" \
             xmlns=\"http://www.w3.org/2000/svg\">",
            title = escape(t(Text::Outages))
        );
        for (lane, feeder) in feeders.iter().enumerate() {
            let y = lane * 26 + 4;
            let _ = write!(
                out,
                "<text x=\"0\" y=\"{}\" font-size=\"12\">{} {feeder}</text>",
                y + 14,
                escape(t(Text::Feeder))
            );
            for (id, o) in outages.iter().filter(|(_, o)| o.report.feeder == *feeder) {
                let x = 80 + o.report.start_ms.saturating_sub(first) * 390 / span;
                let length = o.report.end_ms.saturating_sub(o.report.start_ms);
                let w = (length * 390 / span).max(2);
                let _ = write!(
                    out,
                    "<rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"18\" class=\"bar\"><title>#{id}</title></rect>"
                );
            }
        }
        let _ = write!(
            out,
            "</svg><figcaption>{} — {}</figcaption></figure>",
            escape(&utc_minute(first)),
            escape(&utc_minute(last))
        );
    }
    let rows: Vec<Vec<String>> = outages
        .iter()
        .map(|(id, o)| {
            let r = &o.report;
            vec![
                format!("#{id}"),
                r.feeder.to_string(),
                escape(&utc_minute(r.start_ms)),
                escape(&utc_minute(r.end_ms)),
                outage_minutes(r.start_ms, r.end_ms).to_string(),
                escape(t(if r.planned {
                    Text::Planned
                } else {
                    Text::Unplanned
                })),
                format!("{} / {}", o.paid_policies, tokens(o.paid_total)),
            ]
        })
        .collect();
    out.push_str(&table(
        lang,
        t(Text::Outages),
        &[
            Text::Outage,
            Text::Feeder,
            Text::Start,
            Text::End,
            Text::Minutes,
            Text::Status,
            Text::PayoutsTotal,
        ],
        &rows,
        &format!("outage_insurance.outage_count, outage (event OutageFinalized) · {read_at}"),
    ));

    // The newest reports first: each outage's start and end, then each event's batches.
    let mut reports: Vec<(AccountId, ReportId, String)> = Vec::new();
    for (id, o) in outages.iter().rev() {
        let (feeder, start) = (o.report.feeder, o.report.start_ms);
        for (report, kind) in [
            (outage_end_id(feeder, start), Text::OutageEnd),
            (outage_start_id(feeder, start), Text::OutageStart),
        ] {
            let label = format!("{} · #{id} · {} {feeder}", t(kind), t(Text::Feeder));
            reports.push((ins, report, label));
        }
    }

    let dr = site.contracts.demand;
    let api = call_builder::<DemandResponse>(dr);
    let count = event_count(chain, site)?;
    let mut rows = Vec::new();
    for id in (count.saturating_sub(MAX_EVENTS)..count).rev() {
        let Some(e) = chain.query(&dr, api.event(id), &site.asker)? else {
            continue;
        };
        for index in (0..e.batches).rev() {
            let label = format!("{} {index} · {} #{id}", t(Text::Batch), t(Text::Event));
            reports.push((dr, demand_response::batch_report_id(id, index), label));
        }
        rows.push(vec![
            format!("#{id}"),
            format!("#{}", e.program),
            escape(&utc_minute(e.start_ms)),
            escape(&utc_minute(e.end_ms)),
            e.entries.to_string(),
            e.open_disputes.to_string(),
            tokens(e.owed),
            tokens(e.paid),
        ]);
    }
    out.push_str(&table(
        lang,
        t(Text::DrEvents),
        &[
            Text::Event,
            Text::Program,
            Text::Start,
            Text::End,
            Text::Entries,
            Text::Disputed,
            Text::Subsidy,
            Text::PayoutsTotal,
        ],
        &rows,
        &format!("demand_response.event · {read_at}"),
    ));
    reports.sort_by_key(|(contract, ..)| *contract != ins);
    out.push_str(&votes(chain, site, lang, &reports, &read_at)?);
    Ok(out)
}

/// Most committee reports whose ballots the page shows: each costs two queries.
const MAX_VOTED_REPORTS: usize = 24;

/// Who voted what on each of `reports` (contract, report id, what the report is), as the contracts'
/// committees keep the ballots: one row per current operator and report.
fn votes<C: Chain>(
    chain: &mut C,
    site: &Site,
    lang: Lang,
    reports: &[(AccountId, ReportId, String)],
    read_at: &str,
) -> Result<String> {
    let t = |x| lang.t(x);
    let mut rows = Vec::new();
    for (contract, id, label) in reports.iter().take(MAX_VOTED_REPORTS) {
        // `Oracle` is one ink! trait: its selectors are the same in every committee contract, so
        // one contract's builder encodes the call for either.
        let api = call_builder::<OutageInsurance>(*contract);
        let final_content: Option<Digest> =
            chain.query(contract, Oracle::report_finalized(&api, *id), &site.asker)?;
        let ballots = chain.query(contract, Oracle::ballots(&api, *id), &site.asker)?;
        // A report nobody sent (an outage whose start was never reported on its own) is no row.
        if final_content.is_none() && ballots.iter().all(|(_, b)| b.is_none()) {
            continue;
        }
        for (operator, ballot) in ballots {
            let vote = match (ballot, final_content) {
                (None, _) => t(Text::NoVote).to_owned(),
                (Some(b), Some(f)) if b == f => t(Text::VotedFinal).to_owned(),
                (Some(b), Some(_)) => format!("{} ({})", t(Text::VotedOther), short(&b)),
                (Some(b), None) => format!("{} ({})", t(Text::VotedOpen), short(&b)),
            };
            rows.push(vec![escape(label), escape(&ss58(&operator)), escape(&vote)]);
        }
    }
    Ok(table(
        lang,
        t(Text::Votes),
        &[Text::Report, Text::Operator, Text::Vote],
        &rows,
        &format!("ballots, report_finalized (events ReportVoted, ReportFinalized) · {read_at}"),
    ))
}

/// The first bytes of a content hash, enough to tell two apart on a page.
fn short(digest: &Digest) -> String {
    format!("0x{}…", hex::encode(&digest[..6]))
}
