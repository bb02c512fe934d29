//! Three oracle daemons (three operators, each with its own SQLite store) reporting one outage to the
//! real insurance contract's 2-of-3 committee on the sandbox chain: the outage counts once; a daemon
//! killed after its vote counted but before its outbox recorded it resends on restart and nothing is
//! counted twice; a refused report is kept with its reason; a chain failure leaves the report pending;
//! operators whose evidence differs conflict, and only evidence a threshold agrees on becomes final.

use gridtrust_chain::{encode::call_builder, named_account, Chain, Grid, SandboxChain};
use gridtrust_oracle::{
    drain,
    outages::{decide, final_report, outage_events, OutageRule},
    ChainSubmitter, EventKind, MeterEvent, OutboxState, Report, Store, Submitter,
};
use gridtrust_tests::{
    fixtures::{committee_grid, whole_feeder_outage},
    HOUR_MS,
};
use outage_insurance::OutageInsurance;

fn submitter<'a>(
    chain: &'a mut SandboxChain,
    grid: &Grid,
    operator: usize,
) -> ChainSubmitter<'a, SandboxChain> {
    ChainSubmitter::new(chain, grid, grid.operators[operator])
}

#[test]
fn three_daemons_count_an_outage_once_even_across_a_crash() {
    let (mut chain, grid) = committee_grid();
    let dir = tempfile::tempdir().unwrap();
    let db = |i: usize| dir.path().join(format!("operator-{i}.db"));
    let start = chain.now_ms();
    chain.set_time(start + 3 * HOUR_MS);
    chain.next_block();
    let reports = [
        Report::OutageStart {
            feeder: 4,
            start_ms: start,
        },
        Report::OutageEnd(whole_feeder_outage(4, start, start + 2 * HOUR_MS, [1; 32])),
    ];
    let mut stores: Vec<Store> = (0..3).map(|i| Store::open(&db(i)).unwrap()).collect();
    for store in &mut stores {
        for r in &reports {
            assert!(store.enqueue(r).unwrap());
            assert!(!store.enqueue(r).unwrap(), "queuing twice is one entry");
        }
    }

    // Operator 1: both votes count, nothing final yet.
    let done = drain(&mut stores[0], &mut submitter(&mut chain, &grid, 0)).unwrap();
    assert_eq!((done.voted, done.already_counted), (2, 0));
    let api = call_builder::<OutageInsurance>(grid.insurance.address);
    let reader = grid.utility;
    assert_eq!(
        chain
            .query(&grid.insurance.address, api.outage_count(), &reader)
            .unwrap(),
        0
    );

    // Operator 2 is killed right after the chain counted its end-report vote (which finalized the
    // outage), before its outbox recorded anything.
    let counted = submitter(&mut chain, &grid, 1).submit(&reports[1]).unwrap();
    assert!(matches!(counted, gridtrust_oracle::Delivery::Voted(_)));
    drop(stores.remove(1));
    assert_eq!(
        chain
            .query(&grid.insurance.address, api.outage_count(), &reader)
            .unwrap(),
        1
    );
    // On restart it resends both; the end report comes back as already counted.
    let mut restarted = Store::open(&db(1)).unwrap();
    assert_eq!(restarted.pending().unwrap().len(), 2);
    let done = drain(&mut restarted, &mut submitter(&mut chain, &grid, 1)).unwrap();
    assert_eq!((done.voted, done.already_counted), (1, 1));
    assert!(restarted.pending().unwrap().is_empty());
    assert_eq!(
        restarted.outbox_state(&reports[1]).unwrap(),
        Some(OutboxState::Delivered)
    );

    // Operator 3 finds everything already final.
    let done = drain(&mut stores[1], &mut submitter(&mut chain, &grid, 2)).unwrap();
    assert_eq!((done.voted, done.already_counted), (0, 2));
    assert_eq!(
        chain
            .query(&grid.insurance.address, api.outage_count(), &reader)
            .unwrap(),
        1,
        "the outage counted once"
    );
}

#[test]
fn refusals_are_kept_with_their_reason_and_chain_failures_retried() {
    let (mut chain, grid) = committee_grid();
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("o.db")).unwrap();
    let now = chain.now_ms();
    let future = Report::OutageEnd(whole_feeder_outage(1, now, now + HOUR_MS, [1; 32]));
    store.enqueue(&future).unwrap();
    let done = drain(&mut store, &mut submitter(&mut chain, &grid, 0)).unwrap();
    assert_eq!(done.refused, 1);
    assert_eq!(
        store.outbox_state(&future).unwrap(),
        Some(OutboxState::Refused("InvalidReport".into()))
    );

    // Pointed at an address with no contract: the chain fails the call, the report stays pending.
    let start = Report::OutageStart {
        feeder: 1,
        start_ms: now,
    };
    store.enqueue(&start).unwrap();
    let mut broken = submitter(&mut chain, &grid, 0);
    broken.contracts.insurance = named_account("nobody");
    let done = drain(&mut store, &mut broken).unwrap();
    assert_eq!(done.retry, 1);
    match store.outbox_state(&start).unwrap() {
        Some(OutboxState::Pending {
            attempts: 1,
            last_error: Some(e),
        }) => assert!(!e.is_empty()),
        other => panic!("expected pending after a chain failure, got {other:?}"),
    }
    // Fixed, the next pass delivers it.
    let done = drain(&mut store, &mut submitter(&mut chain, &grid, 0)).unwrap();
    assert_eq!(done.voted, 1);
}

#[test]
fn operators_with_different_evidence_conflict_and_nothing_finalizes() {
    let (mut chain, grid) = committee_grid();
    let dir = tempfile::tempdir().unwrap();
    let start = chain.now_ms();
    chain.set_time(start + 3 * HOUR_MS);
    chain.next_block();
    let feed = outage_events(4, 1..=4, start, start + 2 * HOUR_MS, 1);
    // Operator 2's head-end also passed on a stray restore from a meter that never went dark: the
    // same outage, start, end and meters, but other evidence.
    let mut stray = feed.clone();
    stray.push(MeterEvent {
        kind: EventKind::Restore,
        meter: 9,
        feeder: 4,
        at_ms: start + HOUR_MS,
    });
    let rule = OutageRule::default();
    let final_of = |events: &[MeterEvent]| {
        let o = decide(events, &rule, chain.now_ms()).remove(0);
        (final_report(&o, &rule).unwrap(), o)
    };
    let (honest, honest_outage) = final_of(&feed);
    let (other, _) = final_of(&stray);
    assert_eq!(
        (honest.start_ms, honest.end_ms, &honest.affected),
        (other.start_ms, other.end_ms, &other.affected)
    );
    assert_ne!(honest.evidence_root, other.evidence_root);

    let mut stores: Vec<Store> = (0..3)
        .map(|i| Store::open(&dir.path().join(format!("operator-{i}.db"))).unwrap())
        .collect();
    stores[0]
        .enqueue(&Report::OutageEnd(honest.clone()))
        .unwrap();
    stores[1].enqueue(&Report::OutageEnd(other)).unwrap();
    for (i, store) in stores.iter_mut().take(2).enumerate() {
        let done = drain(store, &mut submitter(&mut chain, &grid, i)).unwrap();
        assert_eq!(done.voted, 1);
    }
    let api = call_builder::<OutageInsurance>(grid.insurance.address);
    let count = |chain: &mut SandboxChain| {
        chain
            .query(&grid.insurance.address, api.outage_count(), &grid.utility)
            .unwrap()
    };
    assert_eq!(
        count(&mut chain),
        0,
        "two votes, two contents: nothing final"
    );

    // A third operator with the first one's evidence makes it final, with that root.
    stores[2].keep_evidence(&honest_outage).unwrap();
    stores[2]
        .enqueue(&Report::OutageEnd(honest.clone()))
        .unwrap();
    drain(&mut stores[2], &mut submitter(&mut chain, &grid, 2)).unwrap();
    assert_eq!(count(&mut chain), 1);
    let record = chain
        .query(&grid.insurance.address, api.outage(0), &grid.utility)
        .unwrap()
        .unwrap();
    assert_eq!(record.report.evidence_root, honest.evidence_root);
    // The operator serves exactly the events behind that root.
    let kept = stores[2].evidence(&honest.evidence_root).unwrap().unwrap();
    assert_eq!(kept.events, honest_outage.evidence);
}
