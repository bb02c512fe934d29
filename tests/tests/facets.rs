//! Contracts split into two facets behind the router (`gridtrust_common::facets`): every message runs
//! in exactly one facet and the deployed instance routes it there; the instance runs the router; the
//! facets cannot be removed under it; bad codes at deployment are refused; the router never stands
//! alone.

use std::collections::BTreeSet;

use gridtrust_chain::{
    bundle::{self, Bundle},
    client::code_hash,
    encode::Constructor,
    Chain, ChainError,
};
use gridtrust_common::facets::{FacetCodes, FacetError, FacetsInstalled, Selector};
use gridtrust_tests::{call_builder, decode_all, Grid, World};
use ink::primitives::Hash;
use outage_insurance::OutageInsuranceRef;
use router::{Router, RouterRef};
use scale::Decode;

/// The selectors of the messages in the metadata file `path` (a bundle or a metadata JSON), by label.
fn messages_in(path: &std::path::Path) -> Vec<(String, Selector)> {
    let text = std::fs::read_to_string(path).expect("built by `make contracts`");
    let json: serde_json::Value = serde_json::from_str(&text).expect("bundle is JSON");
    json["spec"]["messages"]
        .as_array()
        .expect("metadata lists messages")
        .iter()
        .map(|m| {
            let label = m["label"].as_str().expect("label").to_owned();
            let hex = m["selector"].as_str().expect("selector");
            let bytes = hex::decode(hex.trim_start_matches("0x")).expect("hex selector");
            (label, Selector::try_from(bytes).expect("four bytes"))
        })
        .collect()
}

/// The code hash of bundle `name`.
fn code_of(name: &str) -> Hash {
    Hash::from(code_hash(
        &Bundle::load(name).expect("built by `make contracts`").wasm,
    ))
}

/// The messages of bundle `name`, by label.
fn messages(name: &str) -> Vec<(String, Selector)> {
    messages_in(&bundle::bundle_path(name))
}

/// `contract`'s list of secondary messages agrees with what each facet build holds, and the
/// deployed instance (`address`) runs the router, which sends each message to the facet holding it.
fn check_split(
    world: &mut World,
    contract: &str,
    address: ink::primitives::AccountId,
    listed: &[Selector],
) {
    let secondary = bundle::secondary_facet(contract).expect("a split contract");
    let listed: BTreeSet<Selector> = listed.iter().copied().collect();
    let in_primary = messages(contract);
    let in_secondary = messages(secondary);
    assert_eq!(
        in_secondary.len(),
        listed.len(),
        "{secondary} holds exactly the listed messages"
    );
    for (label, selector) in &in_secondary {
        assert!(
            listed.contains(selector),
            "{label} is in {secondary} but not listed as secondary"
        );
    }
    for (label, selector) in &in_primary {
        assert!(
            !listed.contains(selector),
            "{label} is in both facets of {contract}"
        );
    }
    // The router answers its own query itself: no facet message may share its selector.
    let (_, own) = messages(bundle::ROUTER)
        .into_iter()
        .find(|(label, _)| label == "facet_of")
        .expect("the router's query");
    for (label, selector) in in_primary.iter().chain(&in_secondary) {
        assert_ne!(
            *selector, own,
            "{label} would be shadowed by the router's facet_of"
        );
    }
    // The contract's metadata JSON, what clients call the instance with, has both facets' messages.
    let mut both: Vec<_> = in_primary.iter().chain(&in_secondary).cloned().collect();
    both.sort();
    let mut full = messages_in(&bundle::bundle_path(contract).with_extension("json"));
    full.sort();
    assert_eq!(full, both, "{contract}.json describes every message");

    assert_eq!(
        world.chain.code_hash_at(&address).unwrap(),
        Some(code_of(bundle::ROUTER).into()),
        "the {contract} instance runs the router"
    );
    let router = call_builder::<Router>(address);
    for (facet, held) in [(contract, &in_primary), (secondary, &in_secondary)] {
        for (label, selector) in held.iter() {
            let routed = world.read(&address, router.facet_of(*selector));
            assert_eq!(routed, Some(code_of(facet)), "{label} runs in {facet}");
        }
    }
}

#[test]
fn every_insurance_message_runs_in_exactly_one_facet_and_is_routed_there() {
    let mut world = World::new();
    let grid = world.deploy_grid();
    check_split(
        &mut world,
        "outage_insurance",
        grid.insurance.address,
        &outage_insurance::CLAIMS_MESSAGES,
    );
}

#[test]
fn every_demand_response_message_runs_in_exactly_one_facet_and_is_routed_there() {
    let mut world = World::new();
    let grid = world.deploy_grid();
    check_split(
        &mut world,
        "demand_response",
        grid.demand.address,
        &demand_response::SETTLEMENT_MESSAGES,
    );
}

/// The storage root keys in the metadata file `path`.
fn root_keys(path: &std::path::Path) -> BTreeSet<String> {
    fn collect(value: &serde_json::Value, keys: &mut BTreeSet<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (name, inner) in map {
                    match inner.as_str() {
                        Some(key) if name == "root_key" => {
                            keys.insert(key.to_owned());
                        }
                        _ => collect(inner, keys),
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| collect(v, keys)),
            _ => {}
        }
    }
    let text = std::fs::read_to_string(path).expect("built by `make contracts`");
    let mut keys = BTreeSet::new();
    collect(&serde_json::from_str(&text).expect("JSON"), &mut keys);
    keys
}

#[test]
fn the_routers_storage_keys_are_apart_from_the_split_contracts_own() {
    let mut router_keys = root_keys(&bundle::bundle_path(bundle::ROUTER));
    // The root itself is shared on purpose: the router loads the facets' root and ignores it.
    assert!(router_keys.remove("0x00000000"), "{router_keys:?}");
    assert_eq!(
        router_keys.len(),
        2,
        "routes and primary facet: {router_keys:?}"
    );
    for (contract, _) in bundle::SPLIT {
        let own = root_keys(&bundle::bundle_path(contract).with_extension("json"));
        assert!(own.len() > 5, "{contract} lists its storage: {own:?}");
        assert!(own.is_disjoint(&router_keys), "{contract}: {own:?}");
    }
}

#[test]
fn the_constructor_announces_the_facets_it_installed() {
    let mut world = World::new();
    let grid = world.deploy_grid();
    // Grid::deploy instantiates demand response last.
    let events = world.chain.instantiation_events();
    let installed: Vec<FacetsInstalled> = decode_all(events);
    assert_eq!(installed.len(), 1, "{events:?}");
    assert!(events.iter().all(|e| e.contract == grid.demand.address));
    let event = &installed[0];
    assert_eq!(event.router, code_of(bundle::ROUTER));
    assert_eq!(event.primary, code_of("demand_response"));
    assert_eq!(event.secondary, code_of("demand_response_settlement"));
    assert_eq!(
        event.routed as usize,
        demand_response::SETTLEMENT_MESSAGES.len()
    );
}

#[test]
fn facet_codes_cannot_be_removed_while_the_contract_lives() {
    let mut world = World::new();
    let grid = world.deploy_grid();
    // The grid's deployer uploaded every code; the facets are locked by the instance, the router is
    // in use by it.
    let codes = bundle::SPLIT
        .iter()
        .flat_map(|(primary, secondary)| [*primary, *secondary])
        .chain([bundle::ROUTER]);
    for name in codes {
        let refused = world.chain.remove_code(code_of(name).into(), &grid.utility);
        assert!(
            matches!(&refused, Err(ChainError::Dispatch { reason, .. }) if reason.contains("CodeInUse")),
            "{name}: {refused:?}"
        );
    }
}

/// Instantiates the cover facet with `codes` beside `grid` and returns the constructor's refusal.
fn refusal(world: &mut World, grid: &Grid, codes: FacetCodes) -> outage_insurance::Error {
    let utility = grid.utility;
    let constructor: Constructor = OutageInsuranceRef::new(
        grid.attestations.address,
        grid.meter_schema,
        vec![utility],
        1,
        codes,
    )
    .into();
    let cover = Bundle::load("outage_insurance").unwrap();
    let hash = world.chain.deploy(&cover, constructor, &utility, 0);
    let Err(ChainError::ConstructorReverted { data, .. }) = hash else {
        panic!("the constructor must refuse: {hash:?}");
    };
    let answer =
        Result::<Result<(), outage_insurance::Error>, ink::LangError>::decode(&mut &data[..])
            .expect("a typed refusal");
    answer.expect("no language error").expect_err("refused")
}

#[test]
fn a_split_contract_refuses_repeated_or_unknown_codes() {
    let mut world = World::new();
    let good = FacetCodes {
        router: code_of(bundle::ROUTER),
        primary: code_of("outage_insurance"),
        secondary: code_of("outage_insurance_claims"),
    };
    let grid = world.deploy_grid();
    let unknown = Hash::from([7; 32]);
    let cases = [
        (
            FacetCodes {
                secondary: good.primary,
                ..good
            },
            FacetError::DuplicateCode,
        ),
        (
            FacetCodes {
                router: unknown,
                ..good
            },
            FacetError::UnknownCode,
        ),
        (
            FacetCodes {
                secondary: unknown,
                ..good
            },
            FacetError::UnknownCode,
        ),
    ];
    for (codes, expected) in cases {
        assert_eq!(
            refusal(&mut world, &grid, codes),
            outage_insurance::Error::Facets(expected),
            "{codes:?}"
        );
    }
}

#[test]
fn the_router_cannot_be_instantiated_on_its_own() {
    let mut world = World::new();
    let deployer = world.actor("deployer");
    let outcome = world
        .chain
        .deploy_named(bundle::ROUTER, RouterRef::new(), &deployer);
    let Err(ChainError::ConstructorReverted { data, .. }) = outcome else {
        panic!("the router must refuse: {outcome:?}");
    };
    let answer =
        Result::<Result<(), router::Error>, ink::LangError>::decode(&mut &data[..]).unwrap();
    assert_eq!(answer, Ok(Err(router::Error::NotInstalled)));
}
