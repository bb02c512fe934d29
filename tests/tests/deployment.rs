//! `gridtrust deploy`'s journal on the sandbox chain (the same code runs against a node in the
//! end-to-end tests): a second run with the manifest reuses every contract and schema, an interrupted
//! run resumes where it stopped, and a changed committee must first be voted in by the committee itself.

use std::cell::RefCell;

use demand_response::{DemandResponse, Measurement, MeasurementBatch, ProgramTerms};
use gridtrust_chain::{
    deployment::{deploy, Manifest, Plan},
    encode::call_builder,
    AccountId, Chain, Lodging, SandboxChain,
};
use gridtrust_common::{
    baseline::BaselineParams,
    committee::{CommitteeError, Oracle, VoteOutcome},
};
use gridtrust_tests::fixtures::insurance_committee;
use outage_insurance::OutageInsurance;

/// The settings the deployed reservations contract holds.
fn reservation_settings(
    chain: &mut SandboxChain,
    lodging: &Lodging,
    asker: &AccountId,
) -> reservations::Settings {
    chain
        .query(
            &lodging.reservations.address,
            call_builder::<reservations::Reservations>(lodging.reservations.address).settings(),
            asker,
        )
        .unwrap()
}

fn plan(chain: &mut SandboxChain, operators: &[&str], threshold: u32) -> Plan {
    let mut funded = |name: &str| {
        let account = chain.actor(name);
        chain.fund(&account, 1_000_000_000_000_000_000);
        account
    };
    Plan {
        utility: funded("utility"),
        operators: operators.iter().map(|o| funded(o)).collect(),
        threshold,
        tourism_authority: funded("tourism-board"),
        kyc: funded("kyc-provider"),
        min_bond: 1_000,
    }
}

/// Deploys with `previous`, counting the saves and collecting the steps reported.
fn run(
    chain: &mut SandboxChain,
    plan: &Plan,
    previous: Option<Manifest>,
) -> (Manifest, Vec<String>, usize) {
    let steps = RefCell::new(Vec::new());
    let mut saves = 0;
    let manifest = deploy(
        chain,
        plan,
        previous,
        |s| steps.borrow_mut().push(s.to_owned()),
        |_| {
            saves += 1;
            Ok(())
        },
    )
    .expect("the deployment succeeds");
    (manifest, steps.into_inner(), saves)
}

#[test]
fn a_second_run_reuses_everything_and_changes_nothing() {
    let mut chain = SandboxChain::new();
    let plan = plan(&mut chain, &["op-1", "op-2", "op-3"], 2);
    let (first, steps, _) = run(&mut chain, &plan, None);
    assert_eq!(first.contracts.len(), 4);
    assert_eq!(first.schemas.len(), 3);
    assert!(
        steps.iter().filter(|s| s.contains("instantiated")).count() == 4,
        "{steps:?}"
    );

    let schemas_before = chain
        .query(
            &first.address("attestations").unwrap().unwrap(),
            call_builder::<attestations::Attestations>(
                first.address("attestations").unwrap().unwrap(),
            )
            .schema_count(),
            &plan.utility,
        )
        .unwrap();
    let (second, steps, saves) = run(&mut chain, &plan, Some(first.clone()));
    assert_eq!(second, first, "the manifest is unchanged");
    assert_eq!(saves, 1, "only the final save: no step was redone");
    assert_eq!(
        steps.iter().filter(|s| s.contains("reused")).count(),
        4,
        "{steps:?}"
    );
    let attestations = second.address("attestations").unwrap().unwrap();
    let schemas_after = chain
        .query(
            &attestations,
            call_builder::<attestations::Attestations>(attestations).schema_count(),
            &plan.utility,
        )
        .unwrap();
    assert_eq!(schemas_after, schemas_before, "no schema registered twice");

    // The manifest describes a working grid: the insurance contract runs the planned committee.
    let grid = second.grid(&plan).unwrap();
    let (members, threshold) = insurance_committee(&mut chain, &grid, &plan.utility);
    assert_eq!((members, threshold), (plan.operators.clone(), 2));
    let lodging = second.lodging(&plan).unwrap();
    let settings = reservation_settings(&mut chain, &lodging, &plan.utility);
    assert_eq!(settings.merchant_schema, lodging.merchant_schema);
    assert_eq!(settings.guest_schema, lodging.guest_schema);
}

#[test]
fn an_interrupted_run_resumes_and_a_committee_change_needs_the_committee() {
    let mut chain = SandboxChain::new();
    let plan_a = plan(&mut chain, &["op-1", "op-2", "op-3"], 2);
    // Keep only what had been saved when the attestations contract and the meter schema were done:
    // as if the process died right after those steps.
    let (full, ..) = run(&mut chain, &plan_a, None);
    let mut partial = Manifest::default();
    partial.contracts.insert(
        "attestations".into(),
        full.contracts["attestations"].clone(),
    );
    partial
        .schemas
        .insert("meter-holder".into(), full.schemas["meter-holder"]);
    let (resumed, steps, _) = run(&mut chain, &plan_a, Some(partial));
    assert_eq!(
        resumed.contracts["attestations"], full.contracts["attestations"],
        "the recorded instance is kept"
    );
    assert_eq!(
        resumed.schemas["meter-holder"],
        full.schemas["meter-holder"]
    );
    assert_eq!(
        steps.iter().filter(|s| s.contains("instantiated")).count(),
        3,
        "the three missing contracts are made: {steps:?}"
    );

    // Operators change. No deployer can replace a committee: the run stops and says how.
    let plan_b = plan(&mut chain, &["op-1", "op-2", "op-4", "op-5"], 3);
    let err = deploy(
        &mut chain,
        &plan_b,
        Some(resumed.clone()),
        |_| {},
        |_| Ok(()),
    )
    .expect_err("a reused contract runs the old committee");
    let text = err.to_string();
    assert!(
        text.contains("changes only by its own vote") && text.contains("propose_committee"),
        "{text}"
    );
    // Two of the three current operators vote the change on both committee contracts, and the next
    // run records it.
    let insurance = resumed.address("outage_insurance").unwrap().unwrap();
    let demand_address = resumed.address("demand_response").unwrap().unwrap();
    for operator in ["op-1", "op-2"] {
        let voter = chain.actor(operator);
        for contract in [insurance, demand_address] {
            let vote = call_builder::<OutageInsurance>(contract)
                .propose_committee(plan_b.operators.clone(), 3);
            let outcome = chain.call(&contract, vote, &voter, 0).unwrap().value;
            assert!(outcome.is_ok(), "{operator}: {outcome:?}");
        }
    }
    let (changed, steps, _) = run(&mut chain, &plan_b, Some(resumed.clone()));
    assert!(
        steps.iter().any(|s| s.contains("3 of 4")),
        "committee step reported: {steps:?}"
    );
    assert_eq!(changed.threshold, 3);
    for contract in [insurance, demand_address] {
        let (members, threshold) = chain
            .query(
                &contract,
                call_builder::<DemandResponse>(contract).committee(),
                &plan_b.utility,
            )
            .unwrap();
        assert_eq!((members, threshold), (plan_b.operators.clone(), 3));
    }
    // A removed operator's vote is now refused and a new operator's counted.
    let grid = changed.grid(&plan_b).unwrap();
    let customer = chain.actor("customer");
    chain.fund(&customer, 1_000_000_000_000_000);
    grid.attest_meter(&mut chain, customer, 7, 1).unwrap();
    let demand = grid.demand.address;
    let mut api = call_builder::<DemandResponse>(demand);
    let terms = ProgramTerms {
        rate_per_kwh: 1_000,
        cap_per_event: 1_000_000,
        baseline: BaselineParams {
            highest: 1,
            lookback: 1,
            adjustment_cap_bps: 0,
        },
        dispute_window_ms: 1_000,
        min_reduction: demand_response::MinReduction::NONE,
        utc_offset: 0,
    };
    let program = chain
        .call(&demand, api.create_program(terms), &plan_b.utility, 0)
        .unwrap()
        .value
        .unwrap();
    chain
        .call(&demand, api.enroll(program, 7, 1), &customer, 0)
        .unwrap()
        .value
        .unwrap();
    let start = chain.now_ms() + 60_000;
    let event = chain
        .call(
            &demand,
            api.announce_event(program, start, start + 60_000, start, 0),
            &plan_b.utility,
            0,
        )
        .unwrap()
        .value
        .unwrap();
    chain.set_time(start + 120_000);
    let batch = MeasurementBatch {
        event,
        index: 0,
        entries: vec![Measurement {
            meter: 7,
            baseline_wh: 500,
            actual_wh: 300,
        }],
        readings_root: [1; 32],
    };
    let removed = chain.actor("op-3");
    let refused = chain
        .call(&demand, api.submit_measurements(batch.clone()), &removed, 0)
        .unwrap()
        .value;
    assert_eq!(
        refused,
        Err(demand_response::Error::Committee(CommitteeError::NotMember))
    );
    let added = chain.actor("op-5");
    let counted = chain
        .call(&demand, api.submit_measurements(batch), &added, 0)
        .unwrap()
        .value;
    assert_eq!(
        counted,
        Ok(VoteOutcome::Pending {
            votes: 1,
            threshold: 3
        })
    );
}

#[test]
fn contracts_reused_around_a_new_attestations_contract_are_re_pointed_at_it() {
    let mut chain = SandboxChain::new();
    let plan = plan(&mut chain, &["op-1", "op-2", "op-3"], 2);
    let (first, ..) = run(&mut chain, &plan, None);
    // The attestations contract is gone from the record (say it was replaced): a new one is made,
    // with new schemas, and every contract that checks attestations must now ask the new one.
    let mut edited = first.clone();
    edited.contracts.remove("attestations");
    edited.schemas.clear();
    let (second, steps, _) = run(&mut chain, &plan, Some(edited));
    let attestations = second.address("attestations").unwrap().unwrap();
    assert_ne!(Some(attestations), first.address("attestations").unwrap());
    for name in ["outage_insurance", "demand_response", "reservations"] {
        assert_eq!(
            second.contracts[name], first.contracts[name],
            "{name} reused"
        );
        assert!(
            steps
                .iter()
                .any(|s| s.starts_with(&format!("{name} re-pointed"))),
            "{name} re-pointed: {steps:?}"
        );
    }
    let lodging = second.lodging(&plan).unwrap();
    let settings = reservation_settings(&mut chain, &lodging, &plan.utility);
    assert_eq!(settings.attestations, attestations);
    // The reused insurance contract sells cover to a holder attested by the new contract.
    let grid = second.grid(&plan).unwrap();
    let insurer = chain.actor("insurer");
    let holder = chain.actor("holder");
    chain.fund(&insurer, 1 << 90);
    chain.fund(&holder, 1 << 60);
    grid.attest_meter(&mut chain, holder, 5, 2).unwrap();
    let mut api = call_builder::<OutageInsurance>(grid.insurance.address);
    let pool = chain
        .call(
            &grid.insurance.address,
            api.create_pool(outage_insurance::PoolTerms {
                tiers: vec![gridtrust_common::tiers::Tier {
                    min_minutes: 60,
                    payout: 1_000,
                }],
                premium: 10,
                coverage_ms: 86_400_000,
                waiting_ms: 0,
                exclude_planned: false,
                aggregate_limit: 1_000,
                feeder_cap: 1 << 40,
                collateral_bps: 10_000,
                max_oracle_silence_ms: 86_400_000,
            }),
            &insurer,
            1 << 40,
        )
        .unwrap()
        .value
        .unwrap();
    let bought = chain
        .call(
            &grid.insurance.address,
            api.buy_policy(pool, 5, 2),
            &holder,
            10,
        )
        .unwrap()
        .value;
    assert!(bought.is_ok(), "{bought:?}");
}
