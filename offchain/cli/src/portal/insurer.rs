//! The insurer page: every pool's capital (locked and free), shares, exposure per feeder, policies
//! sold, premiums and payouts, and their running totals over time, with charts drawn on the server
//! (SVG: no script, no external asset).

use std::{collections::BTreeMap, fmt::Write};

use anyhow::Result;
use gridtrust_chain::{encode::call_builder, units::tokens, Chain};
use outage_insurance::OutageInsurance;

use super::{
    customer::tiers_in_words,
    html::{escape, table},
    i18n::{Lang, Text},
    Site,
};
use crate::local_time::utc_minute;

/// Pools, policies, outages and feeders looked at per page, so a page's work stays bounded.
pub const MAX_POOLS: u32 = 50;
/// See [`MAX_POOLS`].
pub const MAX_POLICIES: u64 = 5_000;
/// See [`MAX_POOLS`].
pub const MAX_OUTAGES: u64 = 500;

/// One pool's book.
#[derive(Debug, Default, Clone)]
struct Book {
    policies: u64,
    premiums: u128,
    payouts: u128,
    feeders: BTreeMap<u32, u128>,
    /// Premiums as they came in: (when the policy was bought, ms; premium).
    premiums_at: Vec<(u64, u128)>,
    /// Payouts as they went out: (when the outage they paid for ended, ms; amount).
    payouts_at: Vec<(u64, u128)>,
}

/// `(time, amount)` steps summed up in time order: each point the running total after that moment.
fn running_total(mut steps: Vec<(u64, u128)>) -> Vec<(u64, u128)> {
    steps.sort_unstable_by_key(|s| s.0);
    let mut total = 0u128;
    steps
        .into_iter()
        .map(|(at, amount)| {
            total = total.saturating_add(amount);
            (at, total)
        })
        .collect()
}

/// One line of [`over_time`]: its label, its CSS class (its colour) and its running totals.
struct Line<'a> {
    label: &'a str,
    class: &'static str,
    points: Vec<(u64, u128)>,
}

/// A line chart of running totals over time, each line drawn as steps from zero at the first moment
/// to its total at the last; the line's end is labelled with its total in tokens.
fn over_time(title: &str, lines: &[Line]) -> String {
    let all = lines.iter().flat_map(|l| l.points.iter());
    let first = all.clone().map(|p| p.0).min().unwrap_or(0);
    let last = all.clone().map(|p| p.0).max().unwrap_or(0);
    let top = all.map(|p| p.1).max().unwrap_or(0).max(1);
    let span = last.saturating_sub(first).max(1);
    let (left, width, height) = (8u64, 300u64, 120u128);
    let x = |at: u64| left + at.saturating_sub(first).saturating_mul(width) / span;
    let y = |total: u128| 10 + height - total.saturating_mul(height) / top;
    let mut svg = format!(
        "<figure><svg role=\"img\" aria-label=\"{title}\" viewBox=\"0 0 480 {h}\" width=\"100%\" \
         xmlns=\"http://www.w3.org/2000/svg\">\
         <line x1=\"{left}\" y1=\"{base}\" x2=\"{right}\" y2=\"{base}\" class=\"axis\"></line>",
        title = escape(title),
        h = height + 40,
        base = y(0),
        right = left + width,
    );
    for (
        row,
        Line {
            label,
            class,
            points,
        },
    ) in lines.iter().enumerate()
    {
        let mut path = format!("{},{}", x(first), y(0));
        let mut level = y(0);
        for &(at, total) in points {
            let _ = write!(path, " {},{level} {},{}", x(at), x(at), y(total));
            level = y(total);
        }
        let end = points.last().map_or(0, |p| p.1);
        let _ = write!(
            svg,
            "<polyline points=\"{path} {},{level}\" class=\"line {class}\"></polyline>\
             <text x=\"{tx}\" y=\"{ty}\" font-size=\"12\" class=\"{class}\">{label} {amount}</text>",
            left + width,
            tx = left + width + 8,
            ty = 24 + row * 16,
            label = escape(label),
            amount = tokens(end),
        );
    }
    let _ = write!(
        svg,
        "<text x=\"{left}\" y=\"{ty}\" font-size=\"12\">{from}</text>\
         <text x=\"{right}\" y=\"{ty}\" font-size=\"12\" text-anchor=\"end\">{to}</text>\
         </svg><figcaption>{title}</figcaption></figure>",
        ty = height + 32,
        right = left + width,
        from = escape(&utc_minute(first)),
        to = escape(&utc_minute(last)),
        title = escape(title),
    );
    svg
}

/// Bars of `values` (label, amount), scaled to the largest; amounts shown in tokens.
fn bars(title: &str, values: &[(String, u128)]) -> String {
    let max = values.iter().map(|v| v.1).max().unwrap_or(0).max(1);
    // Labels up to about 24 characters left of the bars, amounts right of them, all inside 480.
    let (width, row) = (220u128, 28);
    let height = row * values.len() + 8;
    let mut svg = format!(
        "<figure><svg role=\"img\" aria-label=\"{title}\" viewBox=\"0 0 480 {height}\" width=\"100%\" \
         xmlns=\"http://www.w3.org/2000/svg\">",
        title = escape(title)
    );
    for (i, (label, value)) in values.iter().enumerate() {
        let y = i * row + 4;
        let w = value.saturating_mul(width) / max;
        let _ = write!(
            svg,
            "<text x=\"0\" y=\"{ty}\" font-size=\"12\">{label}</text>\
             <rect x=\"170\" y=\"{y}\" width=\"{w}\" height=\"18\" class=\"bar\"></rect>\
             <text x=\"{tx}\" y=\"{ty}\" font-size=\"12\">{amount}</text>",
            ty = y + 14,
            label = escape(label),
            tx = 174 + w,
            amount = tokens(*value),
        );
    }
    let _ = write!(
        svg,
        "</svg><figcaption>{}</figcaption></figure>",
        escape(title)
    );
    svg
}

/// The body of the insurer page.
pub fn body<C: Chain>(chain: &mut C, site: &Site, lang: Lang) -> Result<String> {
    let t = |x| lang.t(x);
    let block = chain.block_number()?;
    let ins = site.contracts.insurance;
    let api = call_builder::<OutageInsurance>(ins);
    let asker = site.asker;

    let mut pools = Vec::new();
    for id in 0..MAX_POOLS {
        let Some(pool) = chain.query(&ins, api.pool(id), &asker)? else {
            break;
        };
        pools.push((id, pool, Book::default()));
    }
    let policy_count = chain.query(&ins, api.policy_count(), &asker)?;
    // When each outage ended, read once however many policies it paid.
    let mut outage_ends: BTreeMap<u64, Option<u64>> = BTreeMap::new();
    for id in policy_count.saturating_sub(MAX_POLICIES)..policy_count {
        let Some(p) = chain.query(&ins, api.policy(id), &asker)? else {
            continue;
        };
        let Some((_, pool, book)) = pools.iter_mut().find(|(i, ..)| *i == p.pool) else {
            continue;
        };
        book.policies += 1;
        book.premiums = book.premiums.saturating_add(pool.terms.premium);
        book.payouts = book.payouts.saturating_add(p.paid);
        book.feeders.entry(p.feeder).or_insert(0);
        let bought = p.cover_from.saturating_sub(pool.terms.waiting_ms);
        book.premiums_at.push((bought, pool.terms.premium));
        if p.payouts == 0 {
            continue;
        }
        for payout in chain.query(&ins, api.policy_payouts(id), &asker)? {
            let end = match outage_ends.get(&payout.outage) {
                Some(end) => *end,
                None => {
                    let end = chain
                        .query(&ins, api.outage(payout.outage), &asker)?
                        .map(|o| o.report.end_ms);
                    outage_ends.insert(payout.outage, end);
                    end
                }
            };
            if let Some(end) = end {
                book.payouts_at.push((end, payout.amount));
            }
        }
    }
    let mut out = String::new();
    let mut rows = Vec::new();
    for (id, pool, book) in &mut pools {
        for (feeder, exposure) in book.feeders.iter_mut() {
            *exposure = chain.query(&ins, api.exposure_on(*id, *feeder), &asker)?;
        }
        let capital = chain.query(&ins, api.pool_capital(*id), &asker)?.ok();
        let (total, locked, free) =
            capital.map_or((pool.capital, 0, 0), |c| (c.total, c.locked, c.free));
        let exposure = book
            .feeders
            .iter()
            .map(|(f, e)| format!("{f}: {}", tokens(*e)))
            .collect::<Vec<_>>()
            .join(", ");
        rows.push(vec![
            format!("#{id}"),
            escape(t(if pool.closed {
                Text::Closed
            } else {
                Text::Open
            })),
            tokens(total),
            tokens(locked),
            tokens(free),
            book.policies.to_string(),
            tokens(book.premiums),
            tokens(book.payouts),
            escape(&exposure),
            escape(&tiers_in_words(lang, &pool.terms.tiers)),
        ]);
        let _ = write!(
            out,
            "{}",
            bars(
                &format!("{} #{id} ({})", t(Text::Pool), t(Text::Tokens)),
                &[
                    // Payouts are the only way capital leaves a pool besides withdrawals, so this
                    // is the capital before the outages were paid when no one withdrew since.
                    (
                        t(Text::CapitalBefore).to_owned(),
                        total.saturating_add(book.payouts),
                    ),
                    (t(Text::Capital).to_owned(), total),
                    (t(Text::Locked).to_owned(), locked),
                    (t(Text::Free).to_owned(), free),
                    (t(Text::Premiums).to_owned(), book.premiums),
                    (t(Text::PayoutsTotal).to_owned(), book.payouts),
                ],
            )
        );
        out.push_str(&over_time(
            &format!("{} #{id}: {}", t(Text::Pool), t(Text::OverTime)),
            &[
                Line {
                    label: t(Text::Premiums),
                    class: "premiums",
                    points: running_total(std::mem::take(&mut book.premiums_at)),
                },
                Line {
                    label: t(Text::PayoutsTotal),
                    class: "payouts",
                    points: running_total(std::mem::take(&mut book.payouts_at)),
                },
            ],
        ));
    }
    let listing = table(
        lang,
        t(Text::Pools),
        &[
            Text::Pool,
            Text::Status,
            Text::Capital,
            Text::Locked,
            Text::Free,
            Text::PoliciesSold,
            Text::Premiums,
            Text::PayoutsTotal,
            Text::Exposure,
            Text::Terms,
        ],
        &rows,
        &format!(
            "outage_insurance.pool, pool_capital, policy, exposure_on, policy_payouts, outage · {} #{block}",
            t(Text::ReadAtBlock)
        ),
    );
    Ok(listing + &out)
}
