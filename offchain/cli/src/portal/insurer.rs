//! The insurer page: every pool's capital (locked and free), shares, exposure per feeder, policies
//! sold, premiums and payouts, with a chart drawn on the server (SVG: no script, no external asset).

use std::fmt::Write;

use anyhow::Result;
use gridtrust_chain::{encode::call_builder, units::tokens, Chain};
use outage_insurance::OutageInsurance;

use super::{
    customer::tiers_in_words,
    html::{escape, table},
    i18n::{Lang, Text},
    Site,
};

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
    feeders: std::collections::BTreeMap<u32, u128>,
}

/// Bars of `values` (label, amount), scaled to the largest; amounts shown in tokens.
fn bars(title: &str, values: &[(String, u128)]) -> String {
    let max = values.iter().map(|v| v.1).max().unwrap_or(0).max(1);
    let (width, row) = (320u128, 28);
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
             <rect x=\"120\" y=\"{y}\" width=\"{w}\" height=\"18\" class=\"bar\"></rect>\
             <text x=\"{tx}\" y=\"{ty}\" font-size=\"12\">{amount}</text>",
            ty = y + 14,
            label = escape(label),
            tx = 124 + w,
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
    for id in policy_count.saturating_sub(MAX_POLICIES)..policy_count {
        let Some(p) = chain.query(&ins, api.policy(id), &asker)? else {
            continue;
        };
        if let Some((_, pool, book)) = pools.iter_mut().find(|(i, ..)| *i == p.pool) {
            book.policies += 1;
            book.premiums = book.premiums.saturating_add(pool.terms.premium);
            book.payouts = book.payouts.saturating_add(p.paid);
            book.feeders.entry(p.feeder).or_insert(0);
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
            "outage_insurance.pool, pool_capital, policy, exposure_on · {} #{block}",
            t(Text::ReadAtBlock)
        ),
    );
    Ok(listing + &out)
}
