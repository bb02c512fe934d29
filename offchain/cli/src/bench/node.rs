//! The payout weight measured on a contracts-node, against the block limits the node's runtime
//! declares: what a user of that chain pays, next to the sandbox's figure.
//!
//! The sandbox and a node meter the same Wasm with different schedules (host-function weights) and
//! storage, so their weights differ. Here a real dev chain runs the same scenario as the sandbox's
//! payout case, smaller: one pool, [`POLICIES`] policies on one feeder, a storm that outlasts the
//! pool's one-minute tier in real time (the node's clock is the wall clock), the committee's two
//! votes, then one payout call of one policy and one of the rest; the difference is the per-payout
//! cost, as on the sandbox.

use std::time::Duration;

use anyhow::{ensure, Context, Result};
use gridtrust_chain::{
    encode::call_builder, units::UNIT, Answer, BlockLimits, Chain, Grid, Key, LocalNode, NodeChain,
    NodeOptions,
};
use gridtrust_common::{committee::VoteOutcome, tiers::Tier};
use gridtrust_oracle::outages::{final_report, OutageRule};
use outage_insurance::{BatchProgress, OutageInsurance, PoolTerms};

use super::{
    insurance::{storm_from, OUTAGE_FEEDER},
    Cost,
};

/// Policies sold on the node: one paid alone, the rest in one call.
const POLICIES: u32 = 101;
/// How long the storm lasts: past the pool's one-minute tier.
const STORM_MS: u64 = 65_000;

/// What the node measured.
pub(crate) struct NodeFigures {
    /// The node's `system_version`-style name, for the record.
    pub(crate) chain: String,
    /// What a block holds for normal transactions.
    pub(crate) limits: BlockLimits,
    /// One payout of a batch.
    pub(crate) per_payout: Cost,
    /// A payout call's fixed part (the contract's code, the outage record).
    pub(crate) fixed: Cost,
}

/// Where the node bench runs: a contracts-node it starts itself, or one already running.
pub(crate) enum Target {
    /// Start a local dev chain (the binary `CONTRACTS_NODE` names, or on PATH).
    Local,
    /// A dev chain at this websocket URL, whose `//Alice` has funds to hand out.
    Url(String),
}

/// Runs the payout case on the node.
pub(crate) fn measure(target: Target) -> Result<NodeFigures> {
    let (_node, url) = match target {
        Target::Local => {
            let node = LocalNode::start().context("starting contracts-node for the bench")?;
            let url = node.url();
            (Some(node), url)
        }
        Target::Url(url) => (None, url),
    };
    eprintln!("bench: on the node at {url}...");
    let mut chain = NodeChain::connect(NodeOptions::new(&url).with_faucet(Key::dev("Alice")))
        .with_context(|| format!("connecting to {url}"))?;
    let limits = chain.block_limits()?;
    let name = chain.chain_name()?;
    let utility = chain.actor("Alice");
    let operators: Vec<_> = ["Bob", "Charlie", "Dave"]
        .into_iter()
        .map(|o| chain.actor(o))
        .collect();
    for operator in &operators {
        chain.fund(operator, 1_000 * UNIT)?;
    }
    let grid = Grid::deploy(&mut chain, utility, operators, 2)?;
    let insurance = grid.insurance.address;
    let mut api = call_builder::<OutageInsurance>(insurance);

    let insurer = chain.actor("bench-insurer");
    chain.fund(&insurer, 1_000 * UNIT)?;
    let terms = PoolTerms {
        tiers: vec![Tier {
            min_minutes: 1,
            payout: UNIT,
        }],
        premium: UNIT / 10,
        coverage_ms: 24 * 3_600_000,
        waiting_ms: 0,
        exclude_planned: false,
        aggregate_limit: UNIT,
        feeder_cap: u128::MAX / 4,
        collateral_bps: 10_000,
        max_oracle_silence_ms: u64::MAX,
    };
    let capital = UNIT * u128::from(POLICIES) * 2;
    let pool = chain
        .call(&insurance, api.create_pool(terms), &insurer, capital)
        .or_refused("create_pool")?;
    let buyers: Vec<_> = (0..POLICIES)
        .map(|i| {
            let who = chain.actor(&format!("bench-customer-{i}"));
            (who, u64::from(i), OUTAGE_FEEDER)
        })
        .collect();
    for (who, ..) in &buyers {
        chain.fund(who, UNIT)?;
    }
    grid.attest_meters(&mut chain, &buyers)?;
    eprintln!("bench:   selling {POLICIES} policies on the node...");
    for (who, meter, feeder) in &buyers {
        chain
            .call(
                &insurance,
                api.buy_policy(pool, *meter, *feeder),
                who,
                UNIT / 10,
            )
            .or_refused("buy_policy")?;
    }

    // The storm starts after every purchase and ends in the past before it is reported: the
    // node's clock is the wall clock, so this waits out the storm.
    let start = chain.now_ms()? + 1_000;
    let outage = storm_from(start, STORM_MS, u64::from(POLICIES));
    let report = final_report(&outage, &OutageRule::default()).context("the storm ended")?;
    eprintln!(
        "bench:   waiting {} s for the storm to pass in real time...",
        (STORM_MS + 5_000) / 1_000
    );
    std::thread::sleep(Duration::from_millis(STORM_MS + 5_000));
    // A dev node makes a block only for a transaction, and a dry run reads the best block's time:
    // one transfer brings the chain's clock past the storm's end.
    chain.fund(&insurer, 1)?;
    let [first, second, ..] = grid.operators[..] else {
        anyhow::bail!("the grid has fewer than two operators");
    };
    chain
        .call(
            &insurance,
            api.report_outage_start(report.feeder, report.start_ms),
            &first,
            0,
        )
        .or_refused("report_outage_start")?;
    chain
        .call(&insurance, api.report_outage_end(report.clone()), &first, 0)
        .or_refused("report_outage_end")?;
    // The second vote finalizes the outage under the next id.
    let id = chain.query(&insurance, api.outage_count(), &utility)?;
    let last = chain
        .call(&insurance, api.report_outage_end(report), &second, 0)
        .or_refused("report_outage_end")?;
    ensure!(
        last == VoteOutcome::Finalized,
        "the outage did not finalize: {last:?}"
    );

    let one = chain.call(&insurance, api.process_payouts(id, 1), &utility, 0)?;
    let rest = chain.call(
        &insurance,
        api.process_payouts(id, POLICIES - 1),
        &utility,
        0,
    )?;
    let paid = |v: &Result<BatchProgress, _>| v.as_ref().map(|p| p.paid).ok();
    ensure!(
        paid(&one.value) == Some(1) && paid(&rest.value) == Some(POLICIES - 1),
        "the payout calls did not pay every policy: {:?} {:?}",
        one.value,
        rest.value
    );
    let (per_payout, fixed) = Cost::split(
        one.weight_consumed,
        rest.weight_consumed,
        u64::from(POLICIES - 2),
    );
    Ok(NodeFigures {
        chain: name,
        limits,
        per_payout,
        fixed,
    })
}
