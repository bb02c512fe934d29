//! The utility's command handlers on the real attestations Wasm in the sandbox: a schema and its
//! attesters, 150 meter holders imported from CSV in two batches (and a re-run attesting nobody twice),
//! a holder the contract refuses named by its CSV line, one holder attested, suspended, resumed and
//! revoked, and an account's attestations listed with their validity.

use gridtrust::{
    actor::Actor,
    utility::{
        holders::{self, ImportError},
        Change, SchemaSpec,
    },
};
use gridtrust_chain::{named_account, ss58, ContractError, SandboxChain};
use gridtrust_tests::{fixtures::funded, refusal};

mod support;

use support::Stage;

#[test]
fn a_utility_registers_imports_attests_and_changes_attestations() {
    let mut stage = Stage::new();
    let [utility, clerk, stranger] = funded(
        &mut stage.chain,
        ["a-utility", "a-utility-clerk", "stranger"],
        1_000,
    );
    let spec = SchemaSpec {
        name: "meter holder (test utility)".into(),
        definition: b"meter and feeder of a customer".to_vec(),
        revocable: true,
        max_validity_ms: None,
        consent_required: false,
    };
    let schema = stage.by(utility).register_schema(&spec).unwrap();
    let err = stage.by(stranger).add_attester(schema, clerk).unwrap_err();
    assert_eq!(refusal(err), "NotSchemaOwner");
    stage.by(utility).add_attester(schema, clerk).unwrap();

    let csv: String = std::iter::once("account,meter,feeder,expiry".to_owned())
        .chain((0..150u64).map(|i| {
            format!(
                "{},{},{},",
                ss58(&named_account(&format!("holder-{i}"))),
                2_000 + i,
                i % 3
            )
        }))
        .collect::<Vec<_>>()
        .join("\n");
    let rows = holders::parse(&csv, "holders.csv").unwrap();
    let mut seen = Vec::new();
    let done = stage
        .by(clerk)
        .import_holders(schema, &rows, |d, t| seen.push((d, t)))
        .unwrap();
    assert_eq!((done.attested, done.already, done.calls), (150, 0, 2));
    assert_eq!(seen, [(0, 150), (100, 150), (150, 150)]);
    let again = stage
        .by(clerk)
        .import_holders(schema, &rows, |_, _| {})
        .unwrap();
    assert_eq!((again.attested, again.already, again.calls), (0, 150, 0));

    // A holder whose expiry has passed: the contract refuses its batch and the line is named.
    let now = stage.chain.now_ms();
    let late = format!(
        "account,meter,feeder,expiry\n{},3001,1,\n{},3002,1,{}\n",
        ss58(&named_account("late-1")),
        ss58(&named_account("late-2")),
        now - 1
    );
    let rows = holders::parse(&late, "late.csv").unwrap();
    match stage.by(clerk).import_holders(schema, &rows, |_, _| {}) {
        Err(ImportError::Holder { line, error }) => {
            assert_eq!(line, 3);
            assert!(refusal(error).starts_with("BatchItemRefused"));
        }
        other => panic!("expected the holder on line 3 refused, got {other:?}"),
    }

    let alice = named_account("alice");
    let request = holders::request(alice, 1001, 2, None);
    let id = stage.by(clerk).attest(schema, request).unwrap();
    let contracts = stage.contracts;
    let validity = |chain: &mut SandboxChain| {
        Actor::new(chain, &contracts, alice)
            .held_by(alice)
            .unwrap()
            .into_iter()
            .find(|h| h.id == id)
            .unwrap()
            .validity
    };
    assert_eq!(validity(&mut stage.chain), "valid");
    stage
        .by(clerk)
        .change_attestation(id, Change::Suspend(7))
        .unwrap();
    assert_eq!(validity(&mut stage.chain), "suspended");
    let err = stage
        .by(stranger)
        .change_attestation(id, Change::Resume)
        .unwrap_err();
    assert_eq!(refusal(err), "NotAuthorized");
    stage
        .by(clerk)
        .change_attestation(id, Change::Resume)
        .unwrap();
    stage
        .by(utility)
        .change_attestation(id, Change::Revoke(9))
        .unwrap();
    assert_eq!(validity(&mut stage.chain), "revoked");
    let held = stage.by(alice).held_by(alice).unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].schema_name, "meter holder (test utility)");
    assert!(matches!(
        ContractError::from(attestations::Error::NotAuthorized)
            .words()
            .as_str(),
        "not authorized"
    ));
}
