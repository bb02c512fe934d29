//! What each built contract code asks of a chain, checked on the bundles `make contracts` built: its
//! size within the code budget, the host functions it imports (each stable in a known polkadot-sdk
//! release, and README's table saying so), and metadata that lists only the events it can emit and
//! documents everything it lists.

use std::collections::BTreeSet;

use gridtrust_chain::{
    bundles::{self, bundle_path, CONTRACTS},
    codes::{imports, oldest_release, Release, MAX_CODE_BYTES},
};

/// README.md at the workspace root.
fn readme() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md");
    std::fs::read_to_string(path).expect("README.md is readable")
}

#[test]
fn every_code_fits_the_budget() {
    for name in CONTRACTS {
        let bytes = bundles::load(name)
            .expect("built by `make contracts`")
            .wasm
            .len();
        println!("{name}: {bytes} bytes of {MAX_CODE_BYTES}");
        assert!(
            bytes <= MAX_CODE_BYTES,
            "{name} is {bytes} bytes, over the {MAX_CODE_BYTES}-byte code budget"
        );
    }
}

#[test]
fn every_code_runs_on_polkadot_sdk_v1_0_and_readme_says_which_functions_it_needs() {
    let readme = readme();
    for name in CONTRACTS {
        let wasm = bundles::load(name).expect("built by `make contracts`").wasm;
        let imported = imports(&wasm).expect("the code's import section parses");
        let oldest = oldest_release(&imported).unwrap_or_else(|unknown| {
            panic!("{name} imports {unknown}, not a known host function")
        });
        println!("{name}: needs {oldest}; imports {imported:?}");
        // Nothing newer is needed: the codes run on every pallet-contracts chain since v1.0, the
        // v1.6-era forks included (no v2 `call`, no delegate-dependency locks).
        assert_eq!(oldest, Release::V1(0), "{name} needs {oldest}");
        let row = format!("| {name} | {oldest} |");
        assert!(readme.contains(&row), "README lacks the row `{row}`");
        for import in &imported {
            let since = import.since().expect("known, checked above");
            let row = format!("| `{import}` | {since} |");
            assert!(readme.contains(&row), "README lacks the row `{row}`");
        }
    }
}

/// `name`'s bundle metadata.
fn metadata(name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(bundle_path(name)).expect("built by `make contracts`");
    serde_json::from_str(&text).expect("the bundle is JSON")
}

/// The event labels in `name`'s bundle metadata.
fn metadata_events(name: &str) -> BTreeSet<String> {
    metadata(name)["spec"]["events"]
        .as_array()
        .expect("metadata lists events")
        .iter()
        .map(|e| {
            e["label"]
                .as_str()
                .expect("an event has a label")
                .to_owned()
        })
        .collect()
}

#[test]
fn metadata_lists_exactly_the_events_each_contract_can_emit() {
    let ownership = ["OwnershipProposed", "OwnershipTransferred"];
    let owed = ["PaymentDeferred", "OwedClaimed"];
    let committee = [
        "CommitteeChanged",
        "ReportVoted",
        "ReportFinalized",
        "AttestationsChanged",
    ];
    let expected: [(&str, Vec<&str>); 4] = [
        (
            "attestations",
            vec![
                "SchemaRegistered",
                "SchemaOwnerChanged",
                "AttesterAdded",
                "AttesterRemoved",
                "Attested",
                "Revoked",
                "Suspended",
                "Resumed",
                "ConsentGranted",
                "ConsentRevoked",
                "VerificationRecorded",
            ],
        ),
        (
            "reservations",
            [
                "SettingsChanged",
                "PropertyRegistered",
                "BondChanged",
                "PropertyOpenChanged",
                "RoomTypeSet",
                "Booked",
                "CheckedIn",
                "BookingEnded",
            ]
            .into_iter()
            .chain(ownership)
            .chain(owed)
            .collect(),
        ),
        (
            "demand_response",
            [
                "ProgramCreated",
                "BudgetChanged",
                "ProgramPaused",
                "MeterEnrolled",
                "EventAnnounced",
                "OptedOut",
                "MeasurementsAccepted",
                "EntryRecorded",
                "EventClosed",
                "HolidaysSet",
                "SettlementOpened",
                "EntryDisputed",
                "EntryResolved",
                "EntryPaid",
                "RoleChanged",
            ]
            .into_iter()
            .chain(ownership)
            .chain(committee)
            .chain(owed)
            .collect(),
        ),
        (
            "outage_insurance",
            [
                "PoolCreated",
                "PoolFunded",
                "CapitalWithdrawn",
                "PoolClosed",
                "PolicyBought",
                "PolicyReleased",
                "OutageStarted",
                "OutageFinalized",
                "PayoutMade",
                "PayoutBatchProcessed",
            ]
            .into_iter()
            .chain(ownership)
            .chain(committee)
            .chain(owed)
            .collect(),
        ),
    ];
    for (name, events) in expected {
        let expected: BTreeSet<String> = events.into_iter().map(str::to_owned).collect();
        assert_eq!(metadata_events(name), expected, "{name}'s metadata events");
    }
}

/// What Contracts UI and polkadot.js show a caller comes from the metadata's docs, so every
/// constructor, message and event carries some: the shared messages `#[shared_messages]` writes take
/// their traits' docs, which ink! would otherwise leave out.
#[test]
fn metadata_documents_every_constructor_message_and_event() {
    for name in CONTRACTS {
        let spec = &metadata(name)["spec"];
        for kind in ["constructors", "messages", "events"] {
            for item in spec[kind].as_array().expect("metadata lists them") {
                let docs = item["docs"].as_array().expect("an item has docs");
                assert!(
                    docs.iter()
                        .any(|line| !line.as_str().unwrap_or("").trim().is_empty()),
                    "{name}: {} has no docs in the metadata",
                    item["label"]
                );
            }
        }
    }
}
