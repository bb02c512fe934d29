//! Message weights measured on a contracts-node, against the block limits the node's runtime
//! declares: what a user of that chain pays, next to the sandbox's figures.
//!
//! The sandbox and a node meter the same Wasm with different schedules (host-function weights) and
//! storage, so their weights differ. Here a real dev chain runs the sandbox's cases, smaller: one
//! pool, [`POLICIES`] policies on each of two feeders, a storm on both that outlasts the pool's
//! one-minute tier in real time (the node's clock is the wall clock), reported for one feeder as the
//! whole feeder (as every storm past `MAX_METERS_PER_REPORT` meters is) and for the other meter by
//! meter; the committee's two votes, then one payout call of one policy and one of the rest; a
//! demand-response event over [`ENTRIES`] meters that ends during the same wait, settled one entry
//! then the rest; and a hotel's one-night booking.
//! The difference between a call of one item and a call of many is the per-item cost, as on the
//! sandbox.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{ensure, Context, Result};
use demand_response::{DemandResponse, Measurement, MeasurementBatch};
use gridtrust_chain::{
    encode::call_builder, units::UNIT, AccountId, Answer, BlockLimits, Chain, Grid, Key, LocalNode,
    Lodging, NodeChain, NodeOptions,
};
use gridtrust_common::{committee::VoteOutcome, refunds::RefundTier, tiers::Tier};
use gridtrust_oracle::outages::{final_report, OutageRule};
use outage_insurance::{Affected, BatchProgress, OutageInsurance, OutageReport, PoolTerms};
use reservations::{Reservations, RoomTerms, DAY_MS};

use super::{
    demand::program_terms,
    insurance::{storm_from, OUTAGE_FEEDER},
    Cost,
};

/// Policies sold on each storm feeder of the node: one paid alone, the rest in one call.
const POLICIES: u32 = 101;
/// The feeder whose storm is reported as the whole feeder.
const WHOLE_FEEDER: u32 = OUTAGE_FEEDER;
/// The feeder whose storm is reported meter by meter, and its first meter.
const LISTED_FEEDER: u32 = OUTAGE_FEEDER + 1;
const LISTED_FIRST_METER: u64 = 1_000;
/// How long the storm lasts: past the pool's one-minute tier.
const STORM_MS: u64 = 65_000;
/// Demand-response entries settled on the node: one alone, the rest in one call.
const ENTRIES: u64 = 41;

/// What the node measured.
pub(crate) struct NodeFigures {
    /// The node's `system_version`-style name, for the record.
    pub(crate) chain: String,
    /// What a block holds for normal transactions.
    pub(crate) limits: BlockLimits,
    /// One payout of a whole-feeder outage's batch, and a payout call's fixed part (the contract's
    /// code, the outage record).
    pub(crate) payout: (Cost, Cost),
    /// The same for an outage that lists its meters.
    pub(crate) payout_listed: (Cost, Cost),
    /// One demand-response entry settled, and a settle call's fixed part.
    pub(crate) settlement: (Cost, Cost),
    /// A one-night booking: one per transaction, so all of it is per item.
    pub(crate) booking: Cost,
}

/// Where the node bench runs: a gridtrust-node dev chain it starts itself, or one already running.
pub(crate) enum Target {
    /// Start a local dev chain (the binary `GRIDTRUST_NODE` names, or on PATH).
    Local,
    /// A dev chain at this websocket URL, whose `//Alice` has funds to hand out.
    Url(String),
}

/// Runs the payout case on the node.
pub(crate) fn measure(target: Target) -> Result<NodeFigures> {
    let (_node, url) = match target {
        Target::Local => {
            let node = LocalNode::start().context("starting gridtrust-node for the bench")?;
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
    let capital = UNIT * u128::from(POLICIES) * 4;
    let pool = chain
        .call(&insurance, api.create_pool(terms), &insurer, capital)
        .or_refused("create_pool")?;
    let listed_meters = LISTED_FIRST_METER..LISTED_FIRST_METER + u64::from(POLICIES);
    let buyers: Vec<_> = (0..u64::from(POLICIES))
        .map(|m| (m, WHOLE_FEEDER))
        .chain(listed_meters.clone().map(|m| (m, LISTED_FEEDER)))
        .map(|(meter, feeder)| {
            let who = chain.actor(&format!("bench-customer-{meter}"));
            (who, meter, feeder)
        })
        .collect();
    for (who, ..) in &buyers {
        chain.fund(who, UNIT)?;
    }
    grid.attest_meters(&mut chain, &buyers)?;
    eprintln!("bench:   selling {} policies on the node...", buyers.len());
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

    let demand = DemandEvent::announce(&mut chain, &grid, &buyers)?;

    // The storm starts after every purchase and ends in the past before it is reported: the
    // node's clock is the wall clock, so this waits out the storm (and the demand-response event).
    let start = chain.now_ms()? + 1_000;
    let decided = |feeder, meters| {
        final_report(
            &storm_from(feeder, meters, start, STORM_MS),
            &OutageRule::default(),
        )
        .context("the storm ended")
    };
    let whole = OutageReport {
        affected: Affected::WholeFeeder,
        ..decided(WHOLE_FEEDER, 0..u64::from(POLICIES))?
    };
    let listed = decided(LISTED_FEEDER, listed_meters)?;
    ensure!(
        matches!(listed.affected, Affected::Meters(_)),
        "the listed storm's report names the whole feeder"
    );
    eprintln!(
        "bench:   waiting {} s for the storm to pass in real time...",
        (STORM_MS + 5_000) / 1_000
    );
    std::thread::sleep(Duration::from_millis(STORM_MS + 5_000));
    // A dev node makes a block only for a transaction, and a dry run reads the best block's time:
    // one transfer brings the chain's clock past the storm's end.
    chain.fund(&insurer, 1)?;
    let payout = finalize_and_pay(&mut chain, &grid, whole)?;
    let payout_listed = finalize_and_pay(&mut chain, &grid, listed)?;
    let settlement = demand.settle(&mut chain, &grid)?;
    let booking = book_one_night(&mut chain, &grid)?;
    Ok(NodeFigures {
        chain: name,
        limits,
        payout,
        payout_listed,
        settlement,
        booking,
    })
}

/// The committee finalizes `report` (the start, then the final report's two votes); then one policy
/// is paid alone and the rest in one call: the per-payout cost and the call's fixed part.
fn finalize_and_pay(
    chain: &mut NodeChain,
    grid: &Grid,
    report: OutageReport,
) -> Result<(Cost, Cost)> {
    let insurance = grid.insurance.address;
    let mut api = call_builder::<OutageInsurance>(insurance);
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
    let id = chain.query(&insurance, api.outage_count(), &grid.utility)?;
    let last = chain
        .call(&insurance, api.report_outage_end(report), &second, 0)
        .or_refused("report_outage_end")?;
    ensure!(
        last == VoteOutcome::Finalized,
        "the outage did not finalize: {last:?}"
    );
    let one = chain.call(&insurance, api.process_payouts(id, 1), &grid.utility, 0)?;
    let rest = chain.call(
        &insurance,
        api.process_payouts(id, POLICIES - 1),
        &grid.utility,
        0,
    )?;
    let paid = |v: &Result<BatchProgress, _>| v.as_ref().map(|p| p.paid).ok();
    ensure!(
        paid(&one.value) == Some(1) && paid(&rest.value) == Some(POLICIES - 1),
        "the payout calls did not pay every policy: {:?} {:?}",
        one.value,
        rest.value
    );
    Ok(Cost::split(
        one.weight_consumed,
        rest.weight_consumed,
        u64::from(POLICIES - 2),
    ))
}

/// The wall clock in ms: what the node's next block will carry as its time.
fn wall_clock_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// A demand-response event over the first [`ENTRIES`] customers, announced to start in a few
/// seconds, so it has ended once the storm's wait is over.
struct DemandEvent {
    id: u64,
}

impl DemandEvent {
    fn announce(
        chain: &mut NodeChain,
        grid: &Grid,
        customers: &[(AccountId, u64, u32)],
    ) -> Result<Self> {
        eprintln!("bench:   a demand-response event over {ENTRIES} meters on the node...");
        let demand = grid.demand.address;
        let mut api = call_builder::<DemandResponse>(demand);
        // The shortest window there is: the bench settles right after closing.
        let terms = program_terms(3, 5, 1);
        let program = chain
            .call(
                &demand,
                api.create_program(terms),
                &grid.utility,
                100 * UNIT,
            )
            .or_refused("create_program")?;
        for (who, meter, feeder) in customers.iter().take(ENTRIES as usize) {
            chain
                .call(&demand, api.enroll(program, *meter, *feeder), who, 0)
                .or_refused("enroll")?;
        }
        let start = wall_clock_ms() + 15_000;
        let id = chain
            .call(
                &demand,
                api.announce_event(program, start, start + 10_000, start - 1_000, 0),
                &grid.utility,
                0,
            )
            .or_refused("announce_event")?;
        Ok(Self { id })
    }

    /// Measures the ended event (the committee's two votes), closes it and settles one entry, then
    /// the rest: the per-entry cost and the call's fixed part.
    fn settle(self, chain: &mut NodeChain, grid: &Grid) -> Result<(Cost, Cost)> {
        let demand = grid.demand.address;
        let mut api = call_builder::<DemandResponse>(demand);
        let batch = MeasurementBatch {
            event: self.id,
            index: 0,
            entries: (0..ENTRIES)
                .map(|meter| Measurement {
                    meter,
                    baseline_wh: 10_000,
                    actual_wh: 6_000 + meter,
                })
                .collect(),
            readings_root: [1; 32],
        };
        for operator in &grid.operators[..2] {
            chain
                .call(&demand, api.submit_measurements(batch.clone()), operator, 0)
                .or_refused("submit_measurements")?;
        }
        chain
            .call(&demand, api.close_event(self.id), &grid.utility, 0)
            .or_refused("close_event")?;
        let keeper = grid.operators[2];
        // A dry run reads the best block's time, the close's own: one transfer makes the block in
        // which the one-millisecond window has passed.
        chain.fund(&keeper, 1)?;
        // The first call also fixes the event's allocation: it settles nothing to measure.
        chain
            .call(&demand, api.settle(self.id, Vec::new()), &keeper, 0)
            .or_refused("settle")?;
        let one = chain.call(&demand, api.settle(self.id, vec![0]), &keeper, 0)?;
        let rest = chain.call(
            &demand,
            api.settle(self.id, (1..ENTRIES).collect()),
            &keeper,
            0,
        )?;
        ensure!(
            one.value == Ok(1) && rest.value == Ok(ENTRIES as u32 - 1),
            "the settle calls did not pay every entry: {:?} {:?}",
            one.value,
            rest.value
        );
        Ok(Cost::split(
            one.weight_consumed,
            rest.weight_consumed,
            ENTRIES - 2,
        ))
    }
}

/// A verified hotel on the node with one room type; a guest books one night ten days ahead.
fn book_one_night(chain: &mut NodeChain, grid: &Grid) -> Result<Cost> {
    eprintln!("bench:   a hotel booking on the node...");
    let [authority, kyc, merchant, guest] = [
        "bench-tourism-board",
        "bench-kyc",
        "bench-hotel",
        "bench-guest",
    ]
    .map(|n| chain.actor(n));
    for who in [&authority, &kyc, &merchant, &guest] {
        chain.fund(who, 1_000 * UNIT)?;
    }
    let lodging = Lodging::deploy(
        chain,
        grid.attestations.address,
        grid.utility,
        authority,
        kyc,
        UNIT,
    )?;
    lodging.attest_merchant(chain, merchant)?;
    let hotel = lodging.reservations.address;
    let mut api = call_builder::<Reservations>(hotel);
    let property = chain
        .call(
            &hotel,
            api.register_property([1; 32], 1_000, false, 0),
            &merchant,
            UNIT,
        )
        .or_refused("register_property")?;
    let terms = RoomTerms {
        price_per_night: UNIT / 10,
        refund_tiers: vec![RefundTier {
            min_days_before: 2,
            refund_bps: 5_000,
        }],
        no_show_refund_bps: 0,
        rules_hash: [9; 32],
    };
    let room = chain
        .call(&hotel, api.add_room_type(property, 10, terms), &merchant, 0)
        .or_refused("add_room_type")?;
    let check_in = (chain.now_ms()? / DAY_MS) as u32 + 10;
    let quote = chain
        .query(&hotel, api.quote(property, room, check_in, 1), &guest)
        .or_refused("quote")?;
    let out = chain.call(
        &hotel,
        api.book(property, room, check_in, 1, quote.terms_hash),
        &guest,
        quote.terms.amount,
    )?;
    ensure!(out.value.is_ok(), "book refused: {:?}", out.value);
    Ok(out.weight_consumed.into())
}
