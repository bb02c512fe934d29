//! The storm: the sample town's 300 meter holders insure their meters; the storm's last gasps and
//! restores reach the three operators' daemons, each of which decides one outage per hit feeder; two
//! operators' rounds report them from their own outboxes (2 of 3 make them final); the third, the
//! keeper, triggers the payouts, by outage length, with no claim. Then every paid customer checks their
//! payout against the chain and the evidence behind it, and a doctored copy of that evidence fails.
use anyhow::{Context, Result};
use gridtrust_chain::{
    encode::call_builder, named_account, ss58, AccountId, Answer, Chain, Grid, SandboxChain,
};
use gridtrust_common::outage::evidence_proof;
use gridtrust_common::{
    tiers::{self, Tier},
    time::{DAY_MS, HOUR_MS},
};
use gridtrust_oracle::{
    outages::{self, OutageRule},
    sample::SampleSpec,
    verify::{verify_payouts, HeldEvents, PayoutCheck, PayoutQuery},
    EventKind,
};
use outage_insurance::{OutageInsurance, PoolTerms};

use super::{customer, tokens, DemoOracle, UNIT};
use crate::{actor::Actor, verify::payout_lines};

/// The pool's payout tiers: at least 1 hour → 5 tokens, 4 hours → 20, 12 hours → 50.
pub fn storm_tiers() -> Vec<Tier> {
    vec![
        Tier {
            min_minutes: 60,
            payout: 5 * UNIT,
        },
        Tier {
            min_minutes: 240,
            payout: 20 * UNIT,
        },
        Tier {
            min_minutes: 720,
            payout: 50 * UNIT,
        },
    ]
}

/// How the storm ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StormOutcome {
    /// Per feeder the oracle found out: its outage length in minutes.
    pub outages: Vec<(u32, u32)>,
    /// Per meter: its feeder and what the storm paid its holder.
    pub payouts: Vec<(u64, u32, u128)>,
    /// The pool's capital before and after the storm.
    pub capital: (u128, u128),
    /// Per paid meter: whether its payout checked out against the chain and operator-2's evidence.
    pub verified: Vec<(u64, bool)>,
    /// The first mismatch the same check found in a doctored copy of one customer's evidence.
    pub doctored: Option<String>,
}

/// Deploys every contract, then runs the storm over `town`, printing each step. Returns the chain and
/// the grid for the scenes that follow.
pub fn run(
    oracle: &mut DemoOracle,
    town: &SampleSpec,
) -> Result<(SandboxChain, Grid, StormOutcome)> {
    let mut chain = SandboxChain::new();
    let utility = named_account("utility");
    let insurer = named_account("insurer");
    let operators: Vec<AccountId> = (1..=3)
        .map(|i| named_account(&format!("operator-{i}")))
        .collect();
    for who in operators.iter().chain([&utility, &insurer]) {
        chain.fund(who, 1_000_000 * UNIT);
    }

    println!("== Deploying on the embedded sandbox chain (drink, pallet-contracts 31, real Wasm)");
    let grid = Grid::deploy(&mut chain, utility, operators.clone(), 2)
        .context("deploying the contracts")?;
    println!("{:<18} {:<50} {:>10}", "contract", "address", "wasm bytes");
    for deployed in grid.deployed() {
        println!(
            "{:<18} {:<50} {:>10}",
            deployed.name,
            ss58(&deployed.address),
            deployed.code_bytes
        );
    }
    println!(
        "oracle committee: 2 of 3 operators; meter-holder schema #{}",
        grid.meter_schema
    );

    let meters = town.meters();
    println!(
        "\n== The utility attests its {} meter holders on {} feeders ({} batch calls)",
        meters.len(),
        town.storm_minutes.len(),
        meters.len().div_ceil(attestations::MAX_BATCH as usize)
    );
    let holders: Vec<(AccountId, u64, u32)> = meters
        .iter()
        .map(|&(meter, feeder)| (customer(meter), meter, feeder))
        .collect();
    grid.attest_meters(&mut chain, &holders)?;

    println!("\n== An insurer opens a fully collateralized pool; every holder buys cover");
    let insurance = grid.insurance.address;
    let api = call_builder::<OutageInsurance>(insurance);
    let terms = PoolTerms {
        tiers: storm_tiers(),
        premium: 2 * UNIT,
        coverage_ms: 30 * DAY_MS,
        waiting_ms: DAY_MS,
        exclude_planned: true,
        aggregate_limit: 60 * UNIT,
        feeder_cap: 5_000 * UNIT,
        collateral_bps: 10_000,
        // The operators vote or send a heartbeat every round: a day of silence stops sales.
        max_oracle_silence_ms: 24 * 3_600_000,
    };
    // The insurer and the customers act as the `insurer` and `customer` commands do.
    let contracts = grid.contracts();
    let pool = Actor::new(&mut chain, &contracts, insurer).create_pool(terms, 20_000 * UNIT)?;
    for (who, meter, feeder) in &holders {
        chain.fund(who, 1_000 * UNIT);
        Actor::new(&mut chain, &contracts, *who)
            .buy_cover(pool, *meter, *feeder)
            .with_context(|| format!("meter {meter}"))?;
    }
    println!(
        "  20,000 tokens of capital; payouts ≥1 h → 5, ≥4 h → 20, ≥12 h → 50 tokens; {} policies at 2 tokens",
        holders.len()
    );
    let capital_before = chain
        .query(&insurance, api.pool_capital(pool), &insurer)
        .or_refused("pool_capital")?;

    println!("\n== Day 5, 14:00: a storm; the meters' last gasps and restores reach the oracle");
    chain.set_time(town.storm_start_ms + 7 * HOUR_MS);
    chain.next_block();
    oracle.ingest_file("events.csv")?;
    // Each operator's daemon decides the same outages from the same feed.
    let decided = outages::decide(
        &oracle.operators[0].meter_events()?,
        &OutageRule::default(),
        chain.now_ms(),
    );
    let mut found = Vec::new();
    for o in &decided {
        let end_ms = o.end_ms.context("every storm outage has ended")?;
        let minutes = tiers::outage_minutes(o.start_ms, end_ms);
        println!(
            "  oracle: feeder {} out for {minutes} minutes, {} meters dark",
            o.feeder,
            o.meters.len()
        );
        found.push((o.feeder, minutes));
    }
    for i in 0..2 {
        let round = oracle.round(&mut chain, &grid, i)?;
        println!(
            "  operator-{}'s daemon: {} reports queued, {} votes counted",
            i + 1,
            round.queued,
            round.sent.voted
        );
    }
    let outage_count = chain.query(&insurance, api.outage_count(), &utility)?;
    println!("  2 of 3 operators agreed: {outage_count} outages final");

    println!("\n== operator-3's daemon, the keeper, triggers the payouts; no claim is filed");
    let before: Vec<u128> = holders.iter().map(|(who, ..)| chain.balance(who)).collect();
    let keeper = oracle.round(&mut chain, &grid, 2)?;
    for outage in 0..outage_count {
        let record = chain
            .query(&insurance, api.outage(outage), &utility)?
            .context("a final outage is recorded")?;
        println!(
            "  outage #{outage} (feeder {}, {} min): {} policies paid",
            record.report.feeder, record.minutes, record.paid_policies
        );
    }
    println!(
        "  {} policies paid in all; operator-3's own reports were already final ({} found counted)",
        keeper.policies_paid, keeper.sent.already_counted
    );
    let mut payouts = Vec::new();
    for ((who, meter, feeder), before) in holders.iter().zip(before) {
        payouts.push((*meter, *feeder, chain.balance(who).saturating_sub(before)));
    }
    let capital_after = chain
        .query(&insurance, api.pool_capital(pool), &insurer)
        .or_refused("pool_capital")?;
    println!(
        "  pool capital: {} → {} tokens (locked {} → {})",
        tokens(capital_before.total),
        tokens(capital_after.total),
        tokens(capital_before.locked),
        tokens(capital_after.locked)
    );
    let (verified, doctored) = check_payouts(&mut chain, &grid, oracle, &payouts)?;
    Ok((
        chain,
        grid,
        StormOutcome {
            outages: found,
            payouts,
            capital: (capital_before.total, capital_after.total),
            verified,
            doctored,
        },
    ))
}

/// A paid meter and whether its payout checked out.
type Verdict = (u64, bool);

/// Every paid customer checks their payout as `gridtrust verify payout` does, with operator-2's
/// evidence: one check is shown in full; then the first customer's evidence, doctored to claim a
/// longer outage, must fail. Returns each paid meter's verdict and the doctored copy's mismatch.
fn check_payouts(
    chain: &mut SandboxChain,
    grid: &Grid,
    oracle: &DemoOracle,
    payouts: &[(u64, u32, u128)],
) -> Result<(Vec<Verdict>, Option<String>)> {
    println!("\n== Customers check their payouts against the chain, with operator-2's evidence");
    let contracts = grid.contracts();
    let insurance = contracts.insurance;
    let api = call_builder::<OutageInsurance>(insurance);
    let asker = named_account("a-customer");
    let evidence = &oracle.operators[1];
    let mut verified = Vec::new();
    let mut shown: Option<PayoutCheck> = None;
    for &(meter, _, gained) in payouts.iter().filter(|p| p.2 > 0) {
        let query = PayoutQuery {
            meter,
            outage: None,
            policies: Some(chain.query(&insurance, api.policies_of_meter(meter), &asker)?),
        };
        let check = verify_payouts(chain, &contracts, &asker, &query, &mut &*evidence)?;
        let holds = check.holds()
            && check
                .outages
                .iter()
                .all(|c| c.paid.map(|p| p.amount) == Some(gained));
        if shown.is_none() {
            for line in payout_lines(&check) {
                println!("  {line}");
            }
            shown = Some(check);
        }
        verified.push((meter, holds));
    }
    let ok = verified.iter().filter(|v| v.1).count();
    println!(
        "  {ok} of {} paid customers: evidence root, minutes, own events and amount all check out",
        verified.len()
    );

    let Some(check) = shown else {
        return Ok((verified, None));
    };
    let first = check
        .outages
        .first()
        .context("a paid customer has a checked outage")?;
    let meter = check.meter;
    let mut events = evidence
        .evidence(&first.record.report.evidence_root)?
        .context("operator-2 kept the evidence it reported")?
        .events;
    let restore = events
        .iter()
        .position(|e| e.meter == meter && e.kind == EventKind::Restore)
        .context("the customer's meter came back")?;
    let honest = events[restore];
    events[restore].at_ms += 2 * HOUR_MS;
    let doctored = events[restore];
    println!(
        "  a doctored file moves meter {meter}'s restore two hours later (to claim a higher tier):"
    );
    let proof = evidence_proof(&events, restore).context("an event in range")?;
    let contract_says = chain.query(
        &insurance,
        api.verify_outage_event(first.outage, doctored, proof.clone()),
        &asker,
    )?;
    let honest_says = chain.query(
        &insurance,
        api.verify_outage_event(first.outage, honest, proof),
        &asker,
    )?;
    println!(
        "    the contract's verify_outage_event: doctored restore {contract_says}, the reported one {honest_says}"
    );
    let query = PayoutQuery {
        meter,
        outage: Some(first.outage),
        policies: Some(vec![first.policy]),
    };
    let redone = verify_payouts(chain, &contracts, &asker, &query, &mut HeldEvents(events))?;
    let mismatch = redone.first_mismatch().map(|(_, m)| m.to_owned());
    println!(
        "    verify payout with the doctored file: {}",
        mismatch.as_deref().unwrap_or("checks out (it must not!)")
    );
    Ok((verified, mismatch))
}
