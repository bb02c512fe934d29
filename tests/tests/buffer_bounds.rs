//! ink! passes every message's input and answer through one static buffer of
//! `ink::env::BUFFER_SIZE` bytes (16 KiB): input longer than that traps the call before the
//! contract can refuse it. So every list a message takes is bounded below what fits, and so is
//! every list it answers with: a call within a documented bound is always decoded and answered,
//! whatever the chain's weight limits. Checked here on the call data the contract crates' own
//! builders encode, at each bound with the widest values (the second review found `settle` within
//! its old bound of 4,000 meters trapping at about 2,000).

use attestations::{AttestRequest, Attestations, MAX_BATCH, MAX_NAME_LEN};
use demand_response::{
    DemandResponse, Holidays, Measurement, MeasurementBatch, MAX_BATCH_ENTRIES,
    MAX_PARTICIPANT_QUERY, MAX_SETTLE_BATCH,
};
use gridtrust_chain::Message;
use gridtrust_common::{
    baseline::{DayReadings, MAX_HISTORY_DAYS, MAX_INTERVALS},
    calendar::MAX_CALENDAR_DAYS,
    committee::{Oracle, MAX_MEMBERS},
    merkle::{MerkleProof, MAX_DEPTH},
    outage::{EventKind, MeterEvent},
    tiers::{Tier, MAX_TIERS},
};
use gridtrust_tests::{call_builder, AccountId};
use outage_insurance::{
    Affected, OutageInsurance, OutageReport, PoolTerms, MAX_METERS_PER_REPORT, MAX_RELEASE_BATCH,
};
use scale::Encode;

const BUFFER: usize = ink::env::BUFFER_SIZE;
/// An account: every one encodes in 32 bytes.
fn account() -> AccountId {
    AccountId::from([0xff; 32])
}

fn input<R>(message: impl Into<Message<R>>) -> usize {
    message.into().data.len()
}

/// An answer as it leaves the contract: the message's result inside ink!'s `Result<_, LangError>`.
fn answer<T: Encode>(value: T) -> usize {
    Ok::<T, ink::LangError>(value).encoded_size()
}

fn proof() -> MerkleProof {
    MerkleProof {
        index: u32::MAX,
        leaf_count: u32::MAX,
        siblings: vec![[0xff; 32]; MAX_DEPTH],
    }
}

#[test]
fn every_bounded_input_and_answer_fits_inks_buffer() {
    let at = AccountId::from([1; 32]);
    let (mut att, mut dr, mut ins) = (
        call_builder::<Attestations>(at),
        call_builder::<DemandResponse>(at),
        call_builder::<OutageInsurance>(at),
    );
    let meters = |n: u32| vec![u64::MAX; n as usize];
    let request = AttestRequest {
        subject: account(),
        claim_hash: [0xff; 32],
        expires_at: Some(u64::MAX),
        parent: Some(u64::MAX),
    };
    let day = DayReadings {
        day: u32::MAX,
        day_type: u8::MAX,
        event_day: true,
        window: vec![u64::MAX; MAX_INTERVALS],
        adjustment_window: vec![u64::MAX; MAX_INTERVALS],
    };
    let days = (0..MAX_CALENDAR_DAYS as u32 / 2).collect::<Vec<_>>();
    let tiers = vec![
        Tier {
            min_minutes: u32::MAX,
            payout: u128::MAX,
        };
        MAX_TIERS
    ];
    let terms = PoolTerms {
        tiers,
        premium: u128::MAX,
        coverage_ms: u64::MAX,
        waiting_ms: u64::MAX,
        exclude_planned: true,
        aggregate_limit: u128::MAX,
        feeder_cap: u128::MAX,
        collateral_bps: u32::MAX,
        max_oracle_silence_ms: u64::MAX,
    };
    let report = OutageReport {
        feeder: u32::MAX,
        start_ms: u64::MAX,
        end_ms: u64::MAX,
        planned: true,
        affected: Affected::Meters(meters(MAX_METERS_PER_REPORT)),
        min_dark_meters: u32::MAX,
        evidence_root: [0xff; 32],
    };
    let batch = MeasurementBatch {
        event: u64::MAX,
        index: u32::MAX,
        entries: vec![
            Measurement {
                meter: u64::MAX,
                baseline_wh: u64::MAX,
                actual_wh: u64::MAX,
            };
            MAX_BATCH_ENTRIES as usize
        ],
        readings_root: [0xff; 32],
    };
    let event = MeterEvent {
        kind: EventKind::Restore,
        meter: u64::MAX,
        feeder: u32::MAX,
        at_ms: u64::MAX,
    };
    let sizes = [
        (
            "attestations.register_schema",
            input(att.register_schema(
                [0xff; 32],
                vec![0xff; MAX_NAME_LEN as usize],
                true,
                Some(u64::MAX),
                true,
            )),
        ),
        (
            "attestations.attest_batch",
            input(att.attest_batch(u32::MAX, vec![request; MAX_BATCH as usize])),
        ),
        (
            "demand_response.settle",
            input(dr.settle(u64::MAX, meters(MAX_SETTLE_BATCH))),
        ),
        (
            "demand_response.participants",
            input(dr.participants(u64::MAX, meters(MAX_PARTICIPANT_QUERY))),
        ),
        (
            "demand_response.participants → answer",
            answer(Ok::<_, demand_response::Error>(vec![
                Some(account());
                MAX_PARTICIPANT_QUERY
                    as usize
            ])),
        ),
        (
            "demand_response.pending_entries → answer",
            answer(Ok::<_, demand_response::Error>(meters(
                MAX_PARTICIPANT_QUERY,
            ))),
        ),
        (
            "demand_response.submit_measurements",
            input(dr.submit_measurements(batch)),
        ),
        (
            "demand_response.compute_baseline",
            input(dr.compute_baseline(
                u64::MAX,
                vec![day; MAX_HISTORY_DAYS],
                vec![u64::MAX; MAX_INTERVALS],
            )),
        ),
        (
            "demand_response.set_holidays",
            input(dr.set_holidays(
                u32::MAX,
                Holidays {
                    rest_days: days.clone(),
                    working_days: days,
                },
            )),
        ),
        (
            "demand_response.verify_reading",
            input(dr.verify_reading(u64::MAX, u32::MAX, u64::MAX, u64::MAX, u64::MAX, proof())),
        ),
        (
            "outage_insurance.create_pool",
            input(ins.create_pool(terms)),
        ),
        (
            "outage_insurance.report_outage_end",
            input(ins.report_outage_end(report)),
        ),
        (
            "outage_insurance.release_expired",
            input(ins.release_expired(meters(MAX_RELEASE_BATCH))),
        ),
        (
            "outage_insurance.verify_outage_event",
            input(ins.verify_outage_event(u64::MAX, event, proof())),
        ),
        (
            "Oracle.propose_committee",
            input(Oracle::propose_committee(
                &mut ins,
                vec![account(); MAX_MEMBERS],
                u32::MAX,
            )),
        ),
        (
            "Oracle.ballots → answer",
            answer(vec![(account(), Some([0xffu8; 32])); MAX_MEMBERS]),
        ),
    ];
    for (what, size) in sizes {
        println!("{what}: {size} of {BUFFER} bytes");
        assert!(size <= BUFFER, "{what} takes {size} bytes, over {BUFFER}");
    }
}
