//! The storm: the sample town's 300 meter holders insure their meters; the storm's last gasps and
//! restores reach the three operators' daemons, each of which decides one outage per hit feeder; two
//! operators' rounds report them from their own outboxes (2 of 3 make them final); the third, the
//! keeper, triggers the payouts, by outage length, with no claim.
use anyhow::{Context, Result};
use gridtrust_chain::{
    encode::call_builder, named_account, ss58, AccountId, Answer, Grid, SandboxChain,
};
use gridtrust_common::{
    tiers::{self, Tier},
    time::{DAY_MS, HOUR_MS},
};
use gridtrust_oracle::{
    outages::{self, OutageRule},
    sample::SampleSpec,
};
use outage_insurance::{OutageInsurance, PoolTerms};

use super::{customer, tokens, DemoOracle, UNIT};

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
    let mut api = call_builder::<OutageInsurance>(insurance);
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
    let pool = chain
        .call(&insurance, api.create_pool(terms), &insurer, 20_000 * UNIT)
        .or_refused("create_pool")?;
    for (who, meter, feeder) in &holders {
        chain.fund(who, 1_000 * UNIT);
        chain
            .call(
                &insurance,
                api.buy_policy(pool, *meter, *feeder),
                who,
                2 * UNIT,
            )
            .or_refused("buy_policy")
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
    Ok((
        chain,
        grid,
        StormOutcome {
            outages: found,
            payouts,
            capital: (capital_before.total, capital_after.total),
        },
    ))
}
