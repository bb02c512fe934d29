//! `gridtrust bench`: sizes and weights measured on the sandbox chain with the real contract Wasm.
//!
//! Every figure is read off an actual call: `ref_time` and `proof_size` are the weight pallet-contracts
//! charged (`gas_consumed`). Per-item figures of batch messages are the difference between a batch of N
//! and a batch of 1, divided by N − 1, so the fixed cost of the call is not spread into them.
//!
//! One module per contract: `attestations`, `insurance`, `reservations`, `demand`; and `oracle` for
//! the meter-data pipeline, `demand_scale` for demand response at a utility's scale, `portal` for the
//! demo's portal under load, `node` for the same messages on a contracts-node.

mod attestations;
mod demand;
mod demand_scale;
mod insurance;
mod node;
mod oracle;
mod portal;
mod reservations;

use std::collections::BTreeMap;

use anyhow::Result;
use gridtrust_chain::{
    bundles, codes::MAX_CODE_BYTES, named_account, BlockLimits, Grid, SandboxChain,
};
use serde_json::{json, Value};

/// A weight: what one call (or one item of a batch) costs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cost {
    pub(crate) ref_time: u64,
    pub(crate) proof_size: u64,
}

impl Cost {
    pub(crate) const ZERO: Cost = Cost {
        ref_time: 0,
        proof_size: 0,
    };

    /// From the weights of a call with one item and of a call with `1 + extra` items: the cost per
    /// item, and the call's fixed part (loading the code, the records every call reads), so that a
    /// batch's fixed cost is not spread into the per-item figure.
    pub(crate) fn split(
        one: gridtrust_chain::Weight,
        many: gridtrust_chain::Weight,
        extra: u64,
    ) -> (Cost, Cost) {
        let per = |many: u64, one: u64| many.saturating_sub(one) / extra.max(1);
        let item = Cost {
            ref_time: per(many.ref_time(), one.ref_time()),
            proof_size: per(many.proof_size(), one.proof_size()),
        };
        let fixed = Cost {
            ref_time: one.ref_time().saturating_sub(item.ref_time),
            proof_size: one.proof_size().saturating_sub(item.proof_size),
        };
        (item, fixed)
    }
}

/// How many items of `per` fit after one `fixed` part in `room` (one dimension of a block).
pub(crate) fn fit(room: u64, fixed: u64, per: u64) -> u64 {
    room.saturating_sub(fixed) / per.max(1)
}

impl From<gridtrust_chain::Weight> for Cost {
    fn from(w: gridtrust_chain::Weight) -> Self {
        Self {
            ref_time: w.ref_time(),
            proof_size: w.proof_size(),
        }
    }
}

/// Measure contract sizes and message weights on the sandbox chain with the real Wasm.
#[derive(Debug, clap::Args)]
pub struct BenchCommand {
    /// Print the figures as one JSON object instead of the table, for scripts (progress goes to
    /// standard error either way).
    #[arg(long)]
    json: bool,
    /// Skip the slow cases: the 100,000-policy state and demand response at a utility's scale
    /// (10,000 meters).
    #[arg(long)]
    quick: bool,
    /// Also measure the payout on a gridtrust-node dev chain this starts (GRIDTRUST_NODE, or
    /// gridtrust-node on PATH), against the limits its runtime declares.
    #[arg(long, conflicts_with = "node_url")]
    node: bool,
    /// Like `--node`, on a dev chain already running at this websocket URL (its //Alice funds the
    /// bench's accounts).
    #[arg(long, value_name = "WS_URL")]
    node_url: Option<String>,
}

impl BenchCommand {
    /// Runs every benchmark and prints the figures (a table, or JSON with `--json`).
    pub fn run(&self) -> Result<()> {
        let node = match (&self.node_url, self.node) {
            (Some(url), _) => Some(node::Target::Url(url.clone())),
            (None, true) => Some(node::Target::Local),
            (None, false) => None,
        };
        run(self.json, self.quick, node)
    }
}

/// Runs every benchmark and prints the figures: a table, or with `json` one JSON object. `quick`
/// skips the slow cases (the 100,000-policy state, demand response at a utility's scale); `node` also
/// measures the payout, a settlement and a booking on a contracts-node.
pub(crate) fn run(json: bool, quick: bool, node: Option<node::Target>) -> Result<()> {
    let mut figures = Figures::default();
    for name in bundles::CONTRACTS {
        let b = bundles::load(name)?;
        figures.wasm_bytes.insert(name.to_string(), b.wasm.len());
    }
    // Building the 100,000-policy state is the longest case. It runs on a thread of its own, beside
    // the other weight cases (weights do not depend on timing), and is done before the timed cases
    // run, so they have the machine to themselves.
    let big_state = (!quick).then(|| {
        std::thread::spawn(|| -> Result<Figures> {
            let mut big = Figures::default();
            insurance::payout_case(&mut big, 100_000)?;
            Ok(big)
        })
    });
    attestations::costs(&mut figures)?;
    insurance::payout_case(&mut figures, 1_000)?;
    insurance::settle_ten_thousand(&mut figures)?;
    insurance::evidence(&mut figures)?;
    reservations::costs(&mut figures)?;
    demand::costs(&mut figures)?;
    if let Some(handle) = big_state {
        let big = handle
            .join()
            .map_err(|_| anyhow::anyhow!("the 100,000-policy case panicked"))??;
        figures.payouts_per_block.extend(big.payouts_per_block);
    }
    if !quick {
        demand_scale::settle_ten_thousand_entries(&mut figures)?;
    }
    oracle::ingest(&mut figures)?;
    oracle::restore_to_payout(&mut figures)?;
    if !quick {
        demand_scale::results_at_scale(&mut figures)?;
    }
    portal::pages(&mut figures)?;
    if let Some(target) = node {
        figures.node = Some(node::measure(target)?);
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&figures.to_json())?);
    } else {
        figures.print();
    }
    Ok(())
}

#[derive(Default)]
pub(crate) struct Figures {
    pub(crate) wasm_bytes: BTreeMap<String, usize>,
    pub(crate) messages: BTreeMap<(String, String), Cost>,
    /// Live policies → (weight per payout, payouts per block).
    pub(crate) payouts_per_block: BTreeMap<u32, (Cost, u64)>,
    /// (policies on the feeder, batch size, calls, heaviest call).
    pub(crate) settle: Option<(u32, u32, u32, Cost)>,
    /// Oracle ingest: (readings, readings per second).
    pub(crate) ingest: Option<(u64, f64)>,
    /// Restore events ingested to payouts done: (policies paid, milliseconds).
    pub(crate) restore_to_payout_ms: Option<(u64, f64)>,
    /// Outage evidence by feeder size.
    pub(crate) evidence: Vec<EvidenceFigure>,
    /// The payout measured on a contracts-node, when asked for.
    pub(crate) node: Option<node::NodeFigures>,
    /// An event's results for 10,000 meters from a full store.
    pub(crate) demand_scale: Option<demand_scale::DemandScale>,
    /// 10,000 demand-response entries settled in calls sized from the chain's limits.
    pub(crate) dr_settle: Option<demand_scale::SettleFigure>,
    /// The demo's portal's pages, alone and under load.
    pub(crate) portal: Vec<portal::PageFigure>,
}

/// What an outage's evidence weighs, for one feeder size.
pub(crate) struct EvidenceFigure {
    /// Meters that went dark and came back.
    pub(crate) meters: u64,
    /// Events in the evidence.
    pub(crate) events: usize,
    /// Hashes in one event's proof.
    pub(crate) siblings: usize,
    /// The proof's SCALE size, as a call carries it.
    pub(crate) proof_bytes: usize,
    /// `verify_outage_event`.
    pub(crate) verify: Cost,
    /// The final report's finalizing vote.
    pub(crate) final_vote: Cost,
}

impl Figures {
    pub(crate) fn record(&mut self, contract: &str, message: &str, cost: Cost) {
        self.messages
            .insert((contract.to_owned(), message.to_owned()), cost);
    }

    fn print(&self) {
        println!(
            "{:<28} {:>12}   (budget: each code at most {MAX_CODE_BYTES})",
            "code", "wasm bytes"
        );
        for (name, bytes) in &self.wasm_bytes {
            let over = if *bytes > MAX_CODE_BYTES {
                "   OVER THE BUDGET"
            } else {
                ""
            };
            println!("{name:<28} {bytes:>12}{over}");
        }
        println!();
        println!(
            "{:<22} {:<26} {:>14} {:>12}",
            "contract", "message", "ref_time", "proof_size"
        );
        for ((contract, message), cost) in &self.messages {
            println!(
                "{contract:<22} {message:<26} {:>14} {:>12}",
                cost.ref_time, cost.proof_size
            );
        }
        self.print_payouts();
        self.print_evidence();
        if let Some((readings, rate)) = self.ingest {
            println!();
            println!(
                "oracle ingest: {readings} readings from CSV into SQLite (WAL, synchronous=FULL) at {rate:.0} readings/s"
            );
        }
        self.print_demand_scale();
        if let Some((policies, ms)) = self.restore_to_payout_ms {
            println!(
                "restore to payout: {ms:.1} ms from {policies} restore events ingested to {policies} policies paid (three daemons ingest and run their rounds: decide, send, the keeper pays)"
            );
        }
        portal::print(&self.portal);
    }

    fn print_demand_scale(&self) {
        if let Some(d) = self.demand_scale {
            println!();
            println!(
                "demand response at scale: {} meters' results and {} measurement batches computed in {:.2} s from a store of {} readings (filled in {:.0} s, not counted)",
                d.measured, d.batches, d.results_seconds, d.readings, d.fill_seconds
            );
        }
        if let Some(s) = self.dr_settle {
            println!(
                "{} demand-response entries settled in {} calls of up to {} (sized by two dry runs to 70 % of the largest transaction); heaviest call {} ref_time, {} proof_size",
                s.entries, s.calls, s.per_call, s.heaviest.ref_time, s.heaviest.proof_size
            );
        }
    }

    fn print_evidence(&self) {
        println!();
        println!("outage evidence (the final report carries its root only)");
        println!(
            "{:>8} {:>8} {:>14} {:>24} {:>26}",
            "meters",
            "events",
            "proof hashes/bytes",
            "verify_outage_event",
            "report_outage_end (final)"
        );
        for e in &self.evidence {
            println!(
                "{:>8} {:>8} {:>14} {:>24} {:>26}",
                e.meters,
                e.events,
                format!("{}/{}", e.siblings, e.proof_bytes),
                format!("{}/{}", e.verify.ref_time, e.verify.proof_size),
                format!("{}/{}", e.final_vote.ref_time, e.final_vote.proof_size)
            );
        }
    }

    fn print_payouts(&self) {
        println!();
        println!(
            "payouts (contracts-node 0.42 normal class: {NORMAL_REF_TIME} ref_time, proof_size {NORMAL_PROOF_SIZE})"
        );
        println!(
            "{:>14} {:>20} {:>20} {:>18}",
            "live policies", "ref_time/payout", "proof_size/payout", "payouts/block"
        );
        for (live, (cost, per_block)) in &self.payouts_per_block {
            println!(
                "{live:>14} {:>20} {:>20} {per_block:>18}",
                cost.ref_time, cost.proof_size
            );
        }
        self.print_per_block();
        if let Some((policies, batch, calls, heaviest)) = self.settle {
            println!(
                "{policies} policies on one feeder, one outage: paid in {calls} calls of up to {batch}; \
                 heaviest call {} ref_time ({:.0}% of the normal class), {} proof_size",
                heaviest.ref_time,
                100.0 * heaviest.ref_time as f64 / NORMAL_REF_TIME as f64,
                heaviest.proof_size
            );
        }
    }

    /// The items a block carries on the sandbox: (what, cost per item, the call's fixed part).
    fn sandbox_items(&self) -> Vec<(&'static str, Cost, Cost)> {
        let message = |name: &str| {
            self.messages
                .get(&("demand_response".into(), name.into()))
                .copied()
        };
        let mut items = Vec::new();
        let payout = self.payouts_per_block.get(&1_000).map(|(cost, _)| *cost);
        let fixed = self
            .messages
            .get(&("outage_insurance".into(), "process_payouts_fixed".into()))
            .copied();
        if let (Some(per), Some(fixed)) = (payout, fixed) {
            items.push(("payout", per, fixed));
        }
        if let (Some(per), Some(one)) = (message("settle_per_entry"), message("settle_1_entry")) {
            let fixed = Cost {
                ref_time: one.ref_time.saturating_sub(per.ref_time),
                proof_size: one.proof_size.saturating_sub(per.proof_size),
            };
            items.push(("settlement", per, fixed));
        }
        if let Some(book) = self
            .messages
            .get(&("reservations".into(), "book_1_night".into()))
        {
            items.push(("booking", *book, Cost::ZERO));
        }
        items
    }

    /// The items a block carries on the node, as [`Figures::sandbox_items`].
    fn node_items(&self) -> Vec<(&'static str, Cost, Cost)> {
        let Some(n) = &self.node else {
            return Vec::new();
        };
        vec![
            ("payout", n.payout.0, n.payout.1),
            (
                "payout, listed meters",
                n.payout_listed.0,
                n.payout_listed.1,
            ),
            ("settlement", n.settlement.0, n.settlement.1),
            ("booking", n.booking, Cost::ZERO),
        ]
    }

    /// The block limits the per-block figures are fitted to: the node's own when it ran, else
    /// contracts-node 0.42's as the sandbox applies them.
    fn limits(&self) -> (String, BlockLimits) {
        match &self.node {
            Some(n) => (
                format!(
                    "the node's ({}), System::BlockWeights and BlockLength",
                    n.chain
                ),
                n.limits,
            ),
            None => (
                "contracts-node 0.42's, as the sandbox applies them".to_owned(),
                BlockLimits {
                    normal_total: gridtrust_chain::Weight::from_parts(
                        NORMAL_REF_TIME,
                        NORMAL_PROOF_SIZE,
                    ),
                    max_extrinsic: gridtrust_chain::Weight::from_parts(
                        gridtrust_chain::sandbox::MAX_CALL_WEIGHT.ref_time(),
                        gridtrust_chain::sandbox::MAX_CALL_WEIGHT.proof_size(),
                    ),
                    normal_length: NORMAL_LENGTH,
                },
            ),
        }
    }

    /// Payouts, settlements and bookings per block under the chain's limits, with the node's weights
    /// (when it ran) and the sandbox's, and under a parachain's proof budget (5 MiB per block, 75 %
    /// of it for normal transactions).
    fn print_per_block(&self) {
        let (source, limits) = self.limits();
        println!();
        println!(
            "per block, under {source}: normal class {} ref_time / {} proof_size, one transaction at most {} / {}, {} bytes",
            limits.normal_total.ref_time(),
            limits.normal_total.proof_size(),
            limits.max_extrinsic.ref_time(),
            limits.max_extrinsic.proof_size(),
            limits.normal_length
        );
        println!(
            "{:>22} {:>8} {:>14} {:>16} {:>20} {:>22} {:>20}",
            "item",
            "weights",
            "ref_time/item",
            "proof_size/item",
            "per block: ref_time",
            "per block: proof_size",
            "per parachain block"
        );
        let node = self.node_items();
        let sandbox = self.sandbox_items();
        let mut items: Vec<&str> = node.iter().map(|(item, ..)| *item).collect();
        for (item, ..) in &sandbox {
            if !items.contains(item) {
                items.push(item);
            }
        }
        for item in items {
            let rows = node
                .iter()
                .filter(|(what, ..)| *what == item)
                .map(|&(_, per, fixed)| ("node", per, fixed))
                .chain(
                    sandbox
                        .iter()
                        .filter(|(what, ..)| *what == item)
                        .map(|&(_, per, fixed)| ("sandbox", per, fixed)),
                );
            for (source, per, fixed) in rows {
                let [by_time, by_proof, parachain] = per_block(limits, per, fixed);
                println!(
                    "{item:>22} {source:>8} {:>14} {:>16} {by_time:>20} {by_proof:>22} {parachain:>20}",
                    per.ref_time, per.proof_size,
                );
            }
        }
    }

    fn to_json(&self) -> Value {
        let mut contracts = serde_json::Map::new();
        for (name, bytes) in &self.wasm_bytes {
            contracts.insert(name.clone(), json!({ "wasm_bytes": bytes }));
        }
        let mut messages: BTreeMap<&str, serde_json::Map<String, Value>> = BTreeMap::new();
        for ((contract, message), cost) in &self.messages {
            messages.entry(contract).or_default().insert(
                message.clone(),
                json!({ "ref_time": cost.ref_time, "proof_size": cost.proof_size }),
            );
        }
        let mut per_block = serde_json::Map::new();
        for (live, (_, n)) in &self.payouts_per_block {
            per_block.insert(format!("policies_{live}"), json!(n));
        }
        let settle = self.settle.map(|(policies, batch, calls, heaviest)| {
            json!({ "policies": policies, "batch": batch, "calls": calls,
                    "heaviest_call": { "ref_time": heaviest.ref_time, "proof_size": heaviest.proof_size } })
        });
        json!({
            "contracts": contracts,
            "messages": messages,
            "payouts_per_block": per_block,
            "settle_one_feeder": settle,
            "ingest_readings_per_s": self.ingest.map(|(_, rate)| rate.round() as u64),
            "restore_to_payout_ms": self.restore_to_payout_ms.map(|(_, ms)| (ms * 10.0).round() / 10.0),
            "outage_evidence": self.evidence.iter().map(|e| json!({
                "meters": e.meters,
                "events": e.events,
                "proof_hashes": e.siblings,
                "proof_bytes": e.proof_bytes,
                "verify_outage_event": { "ref_time": e.verify.ref_time, "proof_size": e.verify.proof_size },
                "report_outage_end_final": { "ref_time": e.final_vote.ref_time, "proof_size": e.final_vote.proof_size },
            })).collect::<Vec<_>>(),
            "node": self.node.as_ref().map(|n| json!({
                "chain": n.chain,
                "limits": limits_json(&self.limits()),
                "per_block": per_block_json(n.limits, &self.node_items()),
            })),
            "sandbox_per_block": {
                "limits": limits_json(&self.limits()),
                "items": per_block_json(self.limits().1, &self.sandbox_items()),
            },
            "demand_scale": self.demand_scale.map(|d| json!({
                "readings_in_store": d.readings,
                "fill_seconds": (d.fill_seconds * 10.0).round() / 10.0,
                "meters_measured": d.measured,
                "measurement_batches": d.batches,
                "results_seconds": (d.results_seconds * 100.0).round() / 100.0,
            })),
            "settle_entries": self.dr_settle.map(|d| json!({
                "entries": d.entries,
                "per_call": d.per_call,
                "calls": d.calls,
                "heaviest_call": { "ref_time": d.heaviest.ref_time, "proof_size": d.heaviest.proof_size },
            })),
            "portal": portal::to_json(&self.portal),
            "machine": machine(),
            "toolchain": toolchain(),
        })
    }
}

fn machine() -> Value {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    json!({ "cpu": cpu, "cores": cores, "os": std::env::consts::OS, "arch": std::env::consts::ARCH })
}

fn toolchain() -> Value {
    json!({
        "rustc": env!("CARGO_PKG_RUST_VERSION"),
        "ink": "5.1.1",
        "chain": "drink 0.18 sandbox, pallet-contracts 31",
    })
}

/// A fresh chain with every contract deployed by a funded `bench-utility`, with a 2-of-3 committee of
/// funded `bench-operator-1..3`.
pub(crate) fn committee_grid() -> Result<(SandboxChain, Grid)> {
    let mut chain = SandboxChain::new();
    let utility = named_account("bench-utility");
    chain.fund(&utility, 1 << 120);
    let operators: Vec<_> = (1..=3)
        .map(|i| named_account(&format!("bench-operator-{i}")))
        .collect();
    for operator in &operators {
        chain.fund(operator, 1 << 100);
    }
    let grid = Grid::deploy(&mut chain, utility, operators, 2)?;
    Ok((chain, grid))
}

/// How many items of `per` (after one call's `fixed` part) a block holds: under the normal class's
/// ref_time, under its proof size, and under a parachain's proof budget.
fn per_block(limits: BlockLimits, per: Cost, fixed: Cost) -> [u64; 3] {
    [
        fit(limits.normal_total.ref_time(), fixed.ref_time, per.ref_time),
        fit(
            limits.normal_total.proof_size(),
            fixed.proof_size,
            per.proof_size,
        ),
        fit(PARACHAIN_NORMAL_PROOF, fixed.proof_size, per.proof_size),
    ]
}

fn limits_json((source, limits): &(String, BlockLimits)) -> Value {
    json!({
        "source": source,
        "normal_ref_time": limits.normal_total.ref_time(),
        "normal_proof_size": limits.normal_total.proof_size(),
        "max_extrinsic_ref_time": limits.max_extrinsic.ref_time(),
        "max_extrinsic_proof_size": limits.max_extrinsic.proof_size(),
        "normal_length": limits.normal_length,
        "parachain_normal_proof_size": PARACHAIN_NORMAL_PROOF,
    })
}

fn per_block_json(limits: BlockLimits, items: &[(&str, Cost, Cost)]) -> Value {
    let mut out = serde_json::Map::new();
    for &(item, per, fixed) in items {
        let [by_ref_time, by_proof_size, parachain] = per_block(limits, per, fixed);
        out.insert(
            item.to_owned(),
            json!({
                "per_item": { "ref_time": per.ref_time, "proof_size": per.proof_size },
                "call_fixed": { "ref_time": fixed.ref_time, "proof_size": fixed.proof_size },
                "by_ref_time": by_ref_time,
                "by_proof_size": by_proof_size,
                "parachain_by_proof_size": parachain,
            }),
        );
    }
    Value::Object(out)
}

/// A parachain block's proof budget for normal transactions: 75 % of the relay chain's 5 MiB.
const PARACHAIN_NORMAL_PROOF: u64 = 5 * 1024 * 1024 / 4 * 3;

/// contracts-node 0.42: 75 % of a 2-second block is for normal-class extrinsics.
pub(crate) const NORMAL_REF_TIME: u64 = 1_500_000_000_000;
/// contracts-node 0.42 sets no proof-size limit of its own (u64::MAX), so 75 % of that.
pub(crate) const NORMAL_PROOF_SIZE: u64 = u64::MAX / 4 * 3;
/// contracts-node 0.42: 75 % of a 5 MiB block is for normal-class extrinsics.
const NORMAL_LENGTH: u32 = 3_932_160;
