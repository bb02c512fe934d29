//! The storm: customers insure their meters; their meters' last gasps and restores go through the
//! oracle, which decides a 5-hour outage of feeder 1; the committee reports it and it is paid out
//! automatically.
use anyhow::{anyhow, ensure, Context, Result};
use gridtrust_chain::{encode::call_builder, named_account, ss58, AccountId, Grid, SandboxChain};
use gridtrust_common::tiers::Tier;
use outage_insurance::{Affected, OutageInsurance, OutageReport, PoolTerms};

use gridtrust_oracle::{
    drain,
    outages::{self, OutageRule},
    trigger::pay_outage,
    Report, SandboxSubmitter,
};

use super::{tokens, DemoOracle, UNIT};

const HOUR_MS: u64 = 3_600_000;
const DAY_MS: u64 = 24 * HOUR_MS;

/// Customers of the demo town: name, meter, feeder.
const CUSTOMERS: &[(&str, u64, u32)] = &[
    ("household-anna", 1001, 1),
    ("household-ben", 1002, 1),
    ("bakery-chen", 1003, 1),
    ("household-dora", 2001, 2),
];

/// How the storm ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StormOutcome {
    /// Per customer: name, feeder, what the outage paid them.
    pub payouts: Vec<(String, u32, u128)>,
    /// The pool's capital before and after the outage.
    pub capital: (u128, u128),
}

/// Deploys every contract, then runs the storm, printing each step. Returns the chain and the grid for
/// the scenes that follow.
pub fn run(oracle: &mut DemoOracle) -> Result<(SandboxChain, Grid, StormOutcome)> {
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
    for deployed in grid.contracts() {
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

    println!("\n== The utility attests its meter holders (one batch call)");
    let customers: Vec<(AccountId, u64, u32)> = CUSTOMERS
        .iter()
        .map(|(name, meter, feeder)| (named_account(name), *meter, *feeder))
        .collect();
    grid.attest_meters(&mut chain, &customers)?;
    for ((name, meter, feeder), (who, ..)) in CUSTOMERS.iter().zip(&customers) {
        chain.fund(who, 100 * UNIT);
        println!("  {name:<16} meter {meter} on feeder {feeder}");
    }

    println!("\n== An insurer opens a fully collateralized pool with 1,000 tokens");
    let insurance = grid.insurance.address;
    let mut api = call_builder::<OutageInsurance>(insurance);
    let terms = PoolTerms {
        tiers: vec![
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
        ],
        premium: 2 * UNIT,
        coverage_ms: 30 * DAY_MS,
        waiting_ms: DAY_MS,
        exclude_planned: true,
        aggregate_limit: 60 * UNIT,
        feeder_cap: 600 * UNIT,
        collateral_bps: 10_000,
    };
    let pool = chain
        .call(&insurance, api.create_pool(terms), &insurer, 1_000 * UNIT)?
        .value
        .map_err(|e| anyhow!("create_pool refused: {e:?}"))?;
    println!("  payouts: ≥1 h → 5, ≥4 h → 20, ≥12 h → 50 tokens; premium 2 tokens for 30 days");

    println!("\n== Customers buy cover (their attestation is checked by cross-contract call)");
    for ((name, meter, feeder), (who, ..)) in CUSTOMERS.iter().zip(&customers) {
        let policy = chain
            .call(
                &insurance,
                api.buy_policy(pool, *meter, *feeder),
                who,
                2 * UNIT,
            )?
            .value
            .map_err(|e| anyhow!("buy_policy for {name} refused: {e:?}"))?;
        println!("  {name:<16} policy #{policy}");
    }
    let capital_before = chain.query(&insurance, api.pool_capital(pool), &insurer)?;

    println!("\n== Two days later a storm cuts feeder 1; the meters tell the oracle");
    chain.advance_time(2 * DAY_MS);
    chain.next_block();
    let storm = chain.now_ms();
    // Feeder 1's meters send last gasps within a minute and restores 5 hours later; a meter on
    // feeder 2 blinks for 5 minutes (a fault, not an outage); one line arrives garbled.
    let mut lines = String::from("type,meter,feeder,at_ms\n");
    for (i, (_, meter, _)) in CUSTOMERS.iter().filter(|c| c.2 == 1).enumerate() {
        let i = i as u64;
        lines += &format!("last_gasp,{meter},1,{}\n", storm + i * 20_000);
        lines += &format!("restore,{meter},1,{}\n", storm + 5 * HOUR_MS + i * 30_000);
    }
    lines += &format!("last_gasp,2001,2,{}\n", storm + HOUR_MS);
    lines += &format!("restore,2001,2,{}\n", storm + HOUR_MS + 300_000);
    lines += "restore,1002,1\n";
    oracle.ingest("meter-events.csv", &lines)?;
    chain.set_time(storm + 5 * HOUR_MS + 2 * 60_000);
    chain.next_block();
    let decided = outages::decide(
        &oracle.store.events()?,
        &OutageRule::default(),
        chain.now_ms(),
    );
    ensure!(
        decided.len() == 1,
        "the oracle decided {} outages",
        decided.len()
    );
    let outage = &decided[0];
    let end_ms = outage.end_ms.context("the outage has ended")?;
    println!(
        "  oracle: feeder {} out for {} minutes, meters {:?} (3 dark meters make an outage)",
        outage.feeder,
        (end_ms - outage.start_ms) / 60_000,
        outage.meters
    );
    let report = OutageReport {
        feeder: outage.feeder,
        start_ms: outage.start_ms,
        end_ms,
        planned: false,
        affected: Affected::Meters(outage.meters.clone()),
    };
    // Each operator's daemon queues the report in its own outbox and sends it; two of three suffice.
    for (i, operator) in operators[..2].iter().enumerate() {
        let mut outbox = oracle.operator_store(i + 1)?;
        outbox.enqueue(&Report::OutageEnd(report.clone()))?;
        let mut submitter = SandboxSubmitter {
            chain: &mut chain,
            operator: *operator,
            insurance,
            demand: grid.demand.address,
        };
        let sent = drain(&mut outbox, &mut submitter)?;
        ensure!(
            sent.voted == 1,
            "operator {} could not report: {sent:?}",
            i + 1
        );
        let outages = chain.query(&insurance, api.outage_count(), operator)?;
        let said = if outages == 0 {
            "counted, waiting for a second operator"
        } else {
            "counted: 2 of 3, the outage is final"
        };
        println!(
            "  operator-{} ({}) reports it: {said}",
            i + 1,
            ss58(operator)
        );
    }

    println!("\n== Anyone triggers the payouts; no claim is filed");
    let before: Vec<u128> = customers
        .iter()
        .map(|(who, ..)| chain.balance(who))
        .collect();
    let keeper = operators[2];
    let paid = pay_outage(
        &mut chain,
        insurance,
        keeper,
        0,
        100,
        |visited, paid, remaining| {
            println!("  operator-3's daemon triggers payouts: {visited} visited, {paid} paid, {remaining} left");
        },
    )?;
    ensure!(paid == 3, "{paid} policies paid");
    let mut payouts = Vec::new();
    for (((name, _, feeder), (who, ..)), before) in CUSTOMERS.iter().zip(&customers).zip(before) {
        let gained = chain.balance(who).saturating_sub(before);
        println!("  {name:<16} feeder {feeder}: +{} tokens", tokens(gained));
        payouts.push((name.to_string(), *feeder, gained));
    }
    let capital_before = capital_before.map_err(|e| anyhow!("pool_capital refused: {e:?}"))?;
    let capital_after = chain
        .query(&insurance, api.pool_capital(pool), &insurer)?
        .map_err(|e| anyhow!("pool_capital refused: {e:?}"))?;
    println!(
        "\npool capital: {} → {} tokens (locked {} → {})",
        tokens(capital_before.total),
        tokens(capital_after.total),
        tokens(capital_before.locked),
        tokens(capital_after.locked)
    );
    let outcome = StormOutcome {
        payouts,
        capital: (capital_before.total, capital_after.total),
    };
    Ok((chain, grid, outcome))
}
