//! `gridtrust bench`: sizes and weights measured on the sandbox chain with the real contract Wasm.
//!
//! Every figure is read off an actual call: `ref_time` and `proof_size` are the weight pallet-contracts
//! charged (`gas_consumed`). Per-item figures of batch messages are the difference between a batch of N
//! and a batch of 1, divided by N − 1, so the fixed cost of the call is not spread into them.

use std::{collections::BTreeMap, path::PathBuf};

use anyhow::{ensure, Context, Result};
use attestations::{AttestRequest, Attestations, AttestationsRef};
use gridtrust_chain::{bundle, encode::call_builder, named_account, Bundle, Grid, SandboxChain};
use serde_json::{json, Value};

/// A weight: what one call (or one item of a batch) costs.
#[derive(Debug, Clone, Copy)]
struct Cost {
    ref_time: u64,
    proof_size: u64,
}

impl From<drink::Weight> for Cost {
    fn from(w: drink::Weight) -> Self {
        Self {
            ref_time: w.ref_time(),
            proof_size: w.proof_size(),
        }
    }
}

/// Runs every benchmark, prints a table and, with `json`, writes the figures there. `quick` skips the
/// 100,000-policy state, the one slow case.
pub fn run(json: Option<PathBuf>, quick: bool) -> Result<()> {
    let mut figures = Figures::default();
    for name in bundle::CONTRACTS {
        let b = Bundle::load(name)?;
        figures.wasm_bytes.insert(name.to_string(), b.wasm.len());
    }
    attestations_costs(&mut figures)?;
    let live_cases: &[u32] = if quick { &[1_000] } else { &[1_000, 100_000] };
    for &live in live_cases {
        payout_case(&mut figures, live)?;
    }
    settle_ten_thousand(&mut figures)?;
    figures.print();
    if let Some(path) = json {
        std::fs::write(&path, serde_json::to_string_pretty(&figures.to_json())?)
            .with_context(|| format!("writing {}", path.display()))?;
        println!("figures written to {}", path.display());
    }
    Ok(())
}

#[derive(Default)]
struct Figures {
    wasm_bytes: BTreeMap<String, usize>,
    messages: BTreeMap<(String, String), Cost>,
    /// Live policies → (weight per payout, payouts per block).
    payouts_per_block: BTreeMap<u32, (Cost, u64)>,
    /// (policies on the feeder, batch size, calls, heaviest call).
    settle: Option<(u32, u32, u32, Cost)>,
}

impl Figures {
    fn record(&mut self, contract: &str, message: &str, cost: Cost) {
        self.messages
            .insert((contract.to_owned(), message.to_owned()), cost);
    }

    fn print(&self) {
        println!("{:<22} {:>12}", "contract", "wasm bytes");
        for (name, bytes) in &self.wasm_bytes {
            println!("{name:<22} {bytes:>12}");
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

const BATCH: usize = 100;

fn attestations_costs(figures: &mut Figures) -> Result<()> {
    let mut chain = SandboxChain::new();
    let owner = named_account("bench-utility");
    chain.fund(&owner, 1 << 100);
    let bundle = Bundle::load("attestations")?;
    let contract = chain
        .deploy(&bundle, AttestationsRef::new(), &owner, 0)?
        .address;
    let api = || call_builder::<Attestations>(contract);

    let schema = chain
        .call(
            &contract,
            api().register_schema([1; 32], b"meter-holder".to_vec(), true, None, false),
            &owner,
            0,
        )?
        .value
        .map_err(|e| anyhow::anyhow!("register_schema: {e:?}"))?;
    chain
        .call(&contract, api().add_attester(schema, owner), &owner, 0)?
        .value
        .map_err(|e| anyhow::anyhow!("add_attester: {e:?}"))?;

    let request = |i: usize| AttestRequest {
        subject: named_account(&format!("bench-subject-{i}")),
        claim_hash: gridtrust_common::blake2_256(&i.to_le_bytes()),
        expires_at: None,
        parent: None,
    };

    let single = chain.call(&contract, api().attest(schema, request(0)), &owner, 0)?;
    ensure!(single.value.is_ok(), "attest refused: {:?}", single.value);
    figures.record("attestations", "attest", single.weight_consumed.into());

    let one = chain.call(
        &contract,
        api().attest_batch(schema, vec![request(1)]),
        &owner,
        0,
    )?;
    let many = chain.call(
        &contract,
        api().attest_batch(schema, (2..2 + BATCH).map(request).collect()),
        &owner,
        0,
    )?;
    ensure!(
        one.value.is_ok() && many.value.is_ok(),
        "attest_batch refused"
    );
    let per_item = |a: u64, b: u64| (b.saturating_sub(a)) / (BATCH as u64 - 1);
    figures.record(
        "attestations",
        "attest_batch_per_item",
        Cost {
            ref_time: per_item(
                one.weight_consumed.ref_time(),
                many.weight_consumed.ref_time(),
            ),
            proof_size: per_item(
                one.weight_consumed.proof_size(),
                many.weight_consumed.proof_size(),
            ),
        },
    );
    figures.record(
        "attestations",
        &format!("attest_batch_{BATCH}"),
        many.weight_consumed.into(),
    );

    let verifier = named_account("bench-bank");
    chain.fund(&verifier, 1 << 80);
    let check = chain.call(&contract, api().record_verification(0, 1), &verifier, 0)?;
    ensure!(
        check.value.is_ok(),
        "record_verification refused: {:?}",
        check.value
    );
    figures.record("attestations", "verify", check.weight_consumed.into());
    let query = chain.call(
        &contract,
        api().find_valid(request(0).subject, schema, Some(request(0).claim_hash)),
        &verifier,
        0,
    )?;
    ensure!(
        query.value == Some(0),
        "find_valid did not find attestation 0"
    );
    figures.record("attestations", "find_valid", query.weight_consumed.into());
    Ok(())
}

/// contracts-node 0.42: 75 % of a 2-second block is for normal-class extrinsics.
const NORMAL_REF_TIME: u64 = 1_500_000_000_000;
/// contracts-node 0.42 sets no proof-size limit of its own (u64::MAX), so 75 % of that.
const NORMAL_PROOF_SIZE: u64 = u64::MAX / 4 * 3;
/// Policies a payout batch call visits in the per-payout measurement.
const PAYOUT_BATCH: u32 = 200;
/// Feeder the measured outage hits; unrelated policies sit on other feeders.
const OUTAGE_FEEDER: u32 = 0;

/// A chain with every policy sold.
struct Insured {
    chain: SandboxChain,
    grid: Grid,
    /// Weight of the last `buy_policy` call.
    buy_policy: Cost,
}

/// A grid with an insurance pool big enough for `on_feeder + elsewhere` policies, all sold: `on_feeder`
/// on [`OUTAGE_FEEDER`], the rest spread over other feeders.
fn insured_grid(on_feeder: u32, elsewhere: u32) -> Result<Insured> {
    use outage_insurance::{OutageInsurance, PoolTerms};
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
    let insurer = named_account("bench-insurer");
    chain.fund(&insurer, 1 << 120);
    let total = on_feeder + elsewhere;
    let terms = PoolTerms {
        tiers: vec![gridtrust_common::tiers::Tier {
            min_minutes: 60,
            payout: 10_000_000_000,
        }],
        premium: 1_000_000_000,
        coverage_ms: 365 * 24 * 3_600_000,
        waiting_ms: 0,
        exclude_planned: false,
        aggregate_limit: 10_000_000_000,
        feeder_cap: u128::MAX / 4,
        collateral_bps: 10_000,
    };
    let capital = 10_000_000_000u128 * u128::from(total) * 2;
    let mut api = call_builder::<OutageInsurance>(grid.insurance.address);
    let pool = chain
        .call(
            &grid.insurance.address,
            api.create_pool(terms),
            &insurer,
            capital,
        )?
        .value
        .map_err(|e| anyhow::anyhow!("create_pool: {e:?}"))?;

    // One buyer per policy, each holding its own meter; attested in batches, then bought one by one.
    let buyers: Vec<_> = (0..total)
        .map(|i| {
            let feeder = if i < on_feeder {
                OUTAGE_FEEDER
            } else {
                1 + i % 50
            };
            (
                named_account(&format!("bench-customer-{i}")),
                u64::from(i),
                feeder,
            )
        })
        .collect();
    grid.attest_meters(&mut chain, &buyers)?;
    let mut buy_policy = Cost {
        ref_time: 0,
        proof_size: 0,
    };
    for (i, (who, meter, feeder)) in buyers.iter().enumerate() {
        if i % 10_000 == 9_999 {
            eprintln!("bench:   {} policies sold", i + 1);
        }
        if i % 1_000 == 999 {
            chain.next_block();
        }
        chain.fund(who, 10_000_000_000_000);
        let bought = chain.call(
            &grid.insurance.address,
            api.buy_policy(pool, *meter, *feeder),
            who,
            1_000_000_000,
        )?;
        bought
            .value
            .map_err(|e| anyhow::anyhow!("buy_policy: {e:?}"))?;
        buy_policy = bought.weight_consumed.into();
    }
    Ok(Insured {
        chain,
        grid,
        buy_policy,
    })
}

/// Finalizes a 2-hour unplanned outage of [`OUTAGE_FEEDER`] through the committee; returns its id.
fn finalized_outage(
    chain: &mut SandboxChain,
    grid: &Grid,
    figures: Option<&mut Figures>,
) -> Result<u64> {
    use outage_insurance::{Affected, OutageInsurance, OutageReport};
    let mut api = call_builder::<OutageInsurance>(grid.insurance.address);
    let start = chain.now_ms() + 3_600_000;
    chain.set_time(start + 2 * 3_600_000);
    let first = chain.call(
        &grid.insurance.address,
        api.report_outage_start(OUTAGE_FEEDER, start),
        &grid.operators[0],
        0,
    )?;
    let report = OutageReport {
        feeder: OUTAGE_FEEDER,
        start_ms: start,
        end_ms: start + 2 * 3_600_000,
        planned: false,
        affected: Affected::WholeFeeder,
    };
    chain.call(
        &grid.insurance.address,
        api.report_outage_end(report.clone()),
        &grid.operators[0],
        0,
    )?;
    let last = chain.call(
        &grid.insurance.address,
        api.report_outage_end(report),
        &grid.operators[1],
        0,
    )?;
    ensure!(
        last.value == Ok(gridtrust_common::committee::VoteOutcome::Finalized),
        "outage did not finalize: {:?}",
        last.value
    );
    if let Some(figures) = figures {
        figures.record(
            "outage_insurance",
            "report_outage_start",
            first.weight_consumed.into(),
        );
        figures.record(
            "outage_insurance",
            "report_outage_end_final",
            last.weight_consumed.into(),
        );
    }
    Ok(0)
}

/// Weight of one payout with `live` policies in the contract, 1,000 of them on the outage's feeder.
fn payout_case(figures: &mut Figures, live: u32) -> Result<()> {
    use outage_insurance::OutageInsurance;
    let on_feeder = 1_000.min(live);
    eprintln!("bench: building {live} live policies ({on_feeder} on the outage's feeder)...");
    let Insured {
        mut chain,
        grid,
        buy_policy,
    } = insured_grid(on_feeder, live - on_feeder)?;
    let outage = finalized_outage(&mut chain, &grid, Some(figures))?;
    let mut api = call_builder::<OutageInsurance>(grid.insurance.address);
    let keeper = grid.utility;
    let one = chain.call(
        &grid.insurance.address,
        api.process_payouts(outage, 1),
        &keeper,
        0,
    )?;
    let many = chain.call(
        &grid.insurance.address,
        api.process_payouts(outage, PAYOUT_BATCH),
        &keeper,
        0,
    )?;
    ensure!(
        one.value.map(|p| p.paid) == Ok(1) && many.value.map(|p| p.paid) == Ok(PAYOUT_BATCH),
        "payout batches did not pay every policy: {:?} {:?}",
        one.value,
        many.value
    );
    let n = u64::from(PAYOUT_BATCH - 1);
    let per_payout = Cost {
        ref_time: many
            .weight_consumed
            .ref_time()
            .saturating_sub(one.weight_consumed.ref_time())
            / n,
        proof_size: many
            .weight_consumed
            .proof_size()
            .saturating_sub(one.weight_consumed.proof_size())
            / n,
    };
    // The call's fixed part (loading the contract, the outage record) is paid once per block's call.
    let fixed = Cost {
        ref_time: one
            .weight_consumed
            .ref_time()
            .saturating_sub(per_payout.ref_time),
        proof_size: one
            .weight_consumed
            .proof_size()
            .saturating_sub(per_payout.proof_size),
    };
    let by_ref = NORMAL_REF_TIME.saturating_sub(fixed.ref_time) / per_payout.ref_time.max(1);
    let by_proof =
        NORMAL_PROOF_SIZE.saturating_sub(fixed.proof_size) / per_payout.proof_size.max(1);
    figures
        .payouts_per_block
        .insert(live, (per_payout, by_ref.min(by_proof)));
    if live == 1_000 {
        figures.record("outage_insurance", "buy_policy", buy_policy);
        figures.record("outage_insurance", "payout_batch_per_policy", per_payout);
        figures.record("outage_insurance", "process_payouts_fixed", fixed);
    }
    Ok(())
}

/// 10,000 policies on one feeder, one outage: how many calls, each within a block, pay them all.
fn settle_ten_thousand(figures: &mut Figures) -> Result<()> {
    use outage_insurance::{OutageInsurance, MAX_PAYOUT_BATCH};
    const POLICIES: u32 = 10_000;
    eprintln!("bench: building {POLICIES} policies on one feeder...");
    let Insured {
        mut chain, grid, ..
    } = insured_grid(POLICIES, 0)?;
    let outage = finalized_outage(&mut chain, &grid, None)?;
    let (per_payout, _) = *figures
        .payouts_per_block
        .get(&1_000)
        .context("the 1,000-policy case runs first")?;
    // Fill a call to 90 % of the largest extrinsic, leaving room for the fixed part.
    let max_call = gridtrust_chain::sandbox::MAX_CALL_WEIGHT.ref_time();
    let batch = u32::try_from(max_call / 10 * 9 / per_payout.ref_time.max(1))
        .unwrap_or(u32::MAX)
        .min(MAX_PAYOUT_BATCH);
    let mut api = call_builder::<OutageInsurance>(grid.insurance.address);
    let (mut calls, mut heaviest, mut paid) = (
        0u32,
        Cost {
            ref_time: 0,
            proof_size: 0,
        },
        0u32,
    );
    loop {
        let out = chain.call(
            &grid.insurance.address,
            api.process_payouts(outage, batch),
            &grid.utility,
            0,
        )?;
        let progress = out
            .value
            .map_err(|e| anyhow::anyhow!("process_payouts: {e:?}"))?;
        calls += 1;
        paid += progress.paid;
        if out.weight_required.ref_time() > heaviest.ref_time {
            heaviest = out.weight_required.into();
        }
        chain.next_block();
        if progress.remaining == 0 {
            break;
        }
    }
    ensure!(paid == POLICIES, "paid {paid} of {POLICIES} policies");
    ensure!(
        heaviest.ref_time <= NORMAL_REF_TIME,
        "a call exceeded the block: {heaviest:?}"
    );
    figures.settle = Some((POLICIES, batch, calls, heaviest));
    Ok(())
}
