//! `gridtrust bench`: sizes and weights measured on the sandbox chain with the real contract Wasm.
//!
//! Every figure is read off an actual call: `ref_time` and `proof_size` are the weight pallet-contracts
//! charged (`gas_consumed`). Per-item figures of batch messages are the difference between a batch of N
//! and a batch of 1, divided by N − 1, so the fixed cost of the call is not spread into them.

use std::{collections::BTreeMap, path::PathBuf};

use anyhow::{ensure, Context, Result};
use attestations::{AttestRequest, Attestations, AttestationsRef};
use gridtrust_chain::{bundle, encode::call_builder, named_account, Bundle, SandboxChain};
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

/// Runs every benchmark, prints a table and, with `json`, writes the figures there.
pub fn run(json: Option<PathBuf>) -> Result<()> {
    let mut figures = Figures::default();
    for name in bundle::CONTRACTS {
        let b = Bundle::load(name)?;
        figures.wasm_bytes.insert(name.to_string(), b.wasm.len());
    }
    attestations_costs(&mut figures)?;
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
        json!({
            "contracts": contracts,
            "messages": messages,
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
        "rustc": option_env!("GRIDTRUST_RUSTC_VERSION").unwrap_or(env!("CARGO_PKG_RUST_VERSION")),
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
