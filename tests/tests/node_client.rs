//! The chain client against a real node (gridtrust-node --dev) (end-to-end; `make test` runs these when a node
//! binary is available and says so when not): `gridtrust deploy` twice over the network, typed contract
//! errors, concurrent submissions as one account, a node restart under a connected client, and a bundle
//! deployed and called with `cargo contract` itself, as a user of the ecosystem's tools would.
//!
//! Ignored by a plain `cargo test`, because each starts a node: `scripts/e2e.sh` runs them.

use std::{path::Path, thread};

use attestations::{AttestRequest, Attestations};
use gridtrust_chain::{
    encode::call_builder, events::decode_all, Chain, DeployNamed, Key, LocalNode, NodeChain,
    NodeOptions,
};
use gridtrust_common::claims::meter_holder_claim;
use gridtrust_tests::{
    fixtures::{day_cover, insurance_committee},
    UNIT,
};
use outage_insurance::{events::PolicyBought, OutageInsurance};

fn start_node() -> LocalNode {
    LocalNode::start().expect("a gridtrust-node starts (set GRIDTRUST_NODE or put it on PATH)")
}

fn dev_chain(node: &LocalNode) -> NodeChain {
    NodeChain::connect(NodeOptions::new(node.url()).with_faucet(Key::dev("Alice")))
        .expect("the client connects")
}

/// A fresh node and a client of it.
fn dev_node() -> (LocalNode, NodeChain) {
    let node = start_node();
    let chain = dev_chain(&node);
    (node, chain)
}

/// A deployment configuration for `url` in `dir`, as a user would write it.
fn write_config(dir: &Path, url: &str) -> std::path::PathBuf {
    let path = dir.join("e2e.toml");
    std::fs::write(
        &path,
        format!(
            "[chain]\nurl = \"{url}\"\nfaucet = \"//Alice\"\n\n[accounts]\nutility = \"//Alice\"\n\
             tourism_authority = \"//Eve\"\nkyc = \"//Ferdie\"\n\n[committee]\n\
             operators = [\"//Bob\", \"//Charlie\", \"//Dave\"]\nthreshold = 2\n"
        ),
    )
    .unwrap();
    path
}

#[test]
#[ignore = "needs a gridtrust-node binary; run by scripts/e2e.sh"]
fn deploy_over_the_network_twice_reuses_everything() {
    let node = start_node();
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &node.url());
    let first = gridtrust::deploy::run(&config, None).expect("the first deployment succeeds");
    assert_eq!(first.contracts.len(), 4);
    assert!(first.block > 0, "the manifest names the block");
    let on_disk = gridtrust_chain::Manifest::read(&gridtrust::deploy::manifest_path(&config))
        .unwrap()
        .expect("the manifest is written beside the config");
    assert_eq!(on_disk.contracts, first.contracts);

    let second = gridtrust::deploy::run(&config, None).expect("a second run succeeds");
    assert_eq!(second.contracts, first.contracts, "instances reused");
    assert_eq!(second.schemas, first.schemas, "schemas reused");

    // The deployed grid is live and wired: the committee is the configured one.
    let loaded = gridtrust::deploy::load(&config).unwrap();
    let grid = second.grid(&loaded.plan).unwrap();
    let mut chain = dev_chain(&node);
    let (members, threshold) = insurance_committee(&mut chain, &grid, &grid.utility);
    assert_eq!(members, loaded.plan.operators);
    assert_eq!(threshold, 2);
    for (name, record) in &second.contracts {
        let address = gridtrust_chain::parse_ss58(&record.address).unwrap();
        assert!(
            chain.code_hash_at(&address).unwrap().is_some(),
            "{name} lives on chain"
        );
    }
}

#[test]
#[ignore = "needs a gridtrust-node binary; run by scripts/e2e.sh"]
fn contract_refusals_arrive_typed_and_events_decode() {
    let (_node, mut chain) = dev_node();
    let utility = chain.actor("Alice");
    let operators: Vec<_> = ["Bob", "Charlie", "Dave"]
        .iter()
        .map(|n| chain.actor(n))
        .collect();
    let grid = gridtrust_chain::Grid::deploy(&mut chain, utility, operators, 2)
        .expect("the grid deploys over RPC");
    let insurer = chain.actor("insurer");
    let customer = chain.actor("customer");
    chain.fund(&insurer, 10_000 * UNIT).unwrap();
    chain.fund(&customer, 100 * UNIT).unwrap();
    assert_eq!(chain.balance(&customer).unwrap(), 100 * UNIT);

    let insurance = grid.insurance.address;
    let mut api = call_builder::<OutageInsurance>(insurance);
    let terms = day_cover(&[(1, 5 * UNIT)], 2 * UNIT, 10 * UNIT);
    let pool = chain
        .call(&insurance, api.create_pool(terms), &insurer, 1_000 * UNIT)
        .unwrap()
        .value
        .expect("pool created");

    // No attestation yet: the contract's own error type comes back, and nothing is sent.
    let before = chain.balance(&customer).unwrap();
    let refused = chain
        .call(&insurance, api.buy_policy(pool, 42, 1), &customer, 2 * UNIT)
        .unwrap();
    assert_eq!(refused.value, Err(outage_insurance::Error::NotMeterHolder));
    assert!(refused.events.is_empty());
    assert_eq!(
        chain.balance(&customer).unwrap(),
        before,
        "a refused call costs nothing: it was never sent"
    );

    grid.attest_meter(&mut chain, customer, 42, 1).unwrap();
    let bought = chain
        .call(&insurance, api.buy_policy(pool, 42, 1), &customer, 2 * UNIT)
        .unwrap();
    let policy = bought.value.expect("the attested holder buys cover");
    let events = decode_all::<PolicyBought>(&bought.events);
    assert_eq!(events.len(), 1, "the included call's events decode");
    assert_eq!(events[0].policy, policy);
    assert_eq!(events[0].holder, customer);
    let paid = before - chain.balance(&customer).unwrap();
    assert!(
        (2 * UNIT..3 * UNIT).contains(&paid),
        "premium plus fees and deposit: {paid}"
    );
    assert!(bought.weight_consumed.ref_time() > 0);
}

#[test]
#[ignore = "needs a gridtrust-node binary; run by scripts/e2e.sh"]
fn concurrent_submissions_as_one_account_all_land() {
    let (_node, mut chain) = dev_node();
    let utility = chain.actor("Alice");
    let attestations = chain
        .deploy_named(
            "attestations",
            attestations::AttestationsRef::new(),
            &utility,
        )
        .unwrap()
        .address;
    let mut api = call_builder::<Attestations>(attestations);
    let schema = chain
        .call(
            &attestations,
            api.register_schema([7; 32], b"meter-holder".to_vec(), true, None, false),
            &utility,
            0,
        )
        .unwrap()
        .value
        .unwrap();
    chain
        .call(
            &attestations,
            api.add_attester(schema, utility),
            &utility,
            0,
        )
        .unwrap()
        .value
        .unwrap();

    // Four threads, one signer, one shared client: every transaction needs its own nonce.
    let threads: Vec<_> = (0..4u64)
        .map(|t| {
            let mut chain = chain.clone();
            thread::spawn(move || {
                let mut api = call_builder::<Attestations>(attestations);
                for i in 0..5u64 {
                    let meter = t * 100 + i;
                    let request = AttestRequest {
                        subject: gridtrust_chain::named_account(&format!("holder-{meter}")),
                        claim_hash: meter_holder_claim(meter, 1),
                        expires_at: None,
                        parent: None,
                    };
                    chain
                        .call(&attestations, api.attest(schema, request), &utility, 0)
                        .expect("included")
                        .value
                        .expect("attested");
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("no thread failed");
    }
    let count = chain
        .query(&attestations, api.attestation_count(), &utility)
        .unwrap();
    assert_eq!(count, 20, "all 20 concurrent transactions were included");
}

#[test]
#[ignore = "needs a gridtrust-node binary; run by scripts/e2e.sh"]
fn the_client_survives_a_node_restart() {
    let dir = tempfile::tempdir().unwrap();
    let mut node = LocalNode::start_in(dir.path()).expect("a contracts-node starts");
    let mut chain = dev_chain(&node);
    let alice = chain.actor("Alice");
    let bob = chain.actor("Bob");
    chain.fund(&bob, UNIT).unwrap();
    let before = chain.balance(&bob).unwrap();

    node.restart()
        .expect("the node comes back on the same port and database");
    // The same client, whose websocket dropped: reads and new transactions work again.
    assert_eq!(
        chain.balance(&bob).unwrap(),
        before,
        "the chain kept its state"
    );
    chain.fund(&bob, UNIT).unwrap();
    assert_eq!(chain.balance(&bob).unwrap(), before + UNIT);
    assert!(chain.balance(&alice).unwrap() > 0);
}

/// Runs `cargo contract <command> <bundle> <options>` (cargo-contract 5.0.3, which `make setup`
/// installs) signed by `//Alice` on the node at `url`, the options separated by single spaces, and
/// returns its standard output; fails the test with its standard error when it exits non-zero.
fn cargo_contract(command: &str, bundle: &str, url: &str, options: &str) -> String {
    let mut run = std::process::Command::new("cargo");
    run.args(["contract", command, bundle])
        .args(options.split(' '))
        .args(["--suri", "//Alice", "--url", url]);
    let out = run
        .output()
        .expect("cargo-contract runs (make setup installs it)");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{run:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
#[ignore = "needs a gridtrust-node binary; run by scripts/e2e.sh"]
fn the_ecosystems_own_tools_deploy_and_call_a_bundle() {
    let node = start_node();
    let url = node.url();
    let bundle = gridtrust_chain::bundles::bundle_path("attestations");
    let bundle = bundle.to_str().expect("a UTF-8 path");
    // Instantiate the bundle exactly as built, with cargo-contract instead of our client.
    let out = cargo_contract(
        "instantiate",
        bundle,
        &url,
        "--execute --skip-confirm --output-json",
    );
    let json: serde_json::Value = serde_json::from_str(&out)
        .unwrap_or_else(|e| panic!("instantiate answered JSON ({e}): {out}"));
    let address = json["contract"]
        .as_str()
        .unwrap_or_else(|| panic!("instantiate names the contract: {out}"))
        .to_owned();
    // A transaction and a query through cargo-contract's own encoding of the metadata.
    // register_schema(id, b"meter-holder", revocable, no longest validity, no consent needed).
    let id = format!("0x{}", "11".repeat(32));
    let register = format!("--contract {address} --message register_schema --execute --skip-confirm --args {id} 0x6d657465722d686f6c646572 true None false");
    cargo_contract("call", bundle, &url, &register);
    let count = format!("--contract {address} --message schema_count --output-json");
    let answer = cargo_contract("call", bundle, &url, &count);
    let answer: serde_json::Value = serde_json::from_str(&answer)
        .unwrap_or_else(|e| panic!("call answered JSON ({e}): {answer}"));
    assert_eq!(answer["reverted"], false, "{answer}");
    assert_eq!(
        answer["data"],
        serde_json::json!({"Tuple": {"ident": "Ok", "values": [{"UInt": 1}]}}),
        "schema_count answers Ok(1) as cargo-contract decodes it"
    );
    // Our own client reads the same instance: one schema, registered by Alice, named as sent.
    let mut chain = dev_chain(&node);
    let contract = gridtrust_chain::parse_ss58(&address).expect("an SS58 address");
    let api = call_builder::<Attestations>(contract);
    let alice = Key::dev("Alice").account();
    assert_eq!(
        chain.query(&contract, api.schema_count(), &alice).unwrap(),
        1
    );
    let schema = chain
        .query(&contract, api.schema(0), &alice)
        .unwrap()
        .expect("schema 0 exists");
    assert_eq!(schema.owner, alice);
    assert_eq!(schema.name, b"meter-holder".to_vec());
}
