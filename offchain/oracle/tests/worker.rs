//! The daemon's worker rounds against the real demand-response contract on the sandbox chain, over
//! several events: an event closed before any operator measured it is passed over for good; an ended
//! event is measured once by each operator and recorded on the second vote; the keeper settles both
//! after their dispute windows; running every round again changes nothing and pays nothing twice. A
//! customer's entry verifies from a store that measured the event and from one that never did.

use demand_response::{DemandResponse, EntryStatus};
use gridtrust_chain::{encode::call_builder, named_account, AccountId, Chain, Grid, SandboxChain};
use gridtrust_common::demand::subsidy;
use gridtrust_oracle::{
    measure::Operator,
    outages::OutageRule,
    records::Reading,
    settings::{DemandRule, WorkerConfig},
    verify::verify_entry,
    worker::round,
    Store,
};
use gridtrust_tests::{
    fixtures::{committee_grid, minute_program_terms},
    DAY_MS, MINUTE_MS,
};

const METERS: [u64; 2] = [10, 11];

fn worker(grid: &Grid, i: usize) -> WorkerConfig {
    WorkerConfig {
        operator: grid.operators[i],
        outages: OutageRule::default(),
        demand: DemandRule {
            interval_ms: MINUTE_MS,
            adjustment_len_ms: MINUTE_MS,
            adjustment_gap_ms: MINUTE_MS,
            report_delay_ms: 0,
            weekday_type: 0,
            weekend_type: 0,
            history_days: 2,
        },
        keeper: i == 2,
        heartbeat_ms: 0,
    }
}

/// Both meters' readings around `start` on the event day and the two days before: 100 Wh a minute,
/// except meter 10, which draws 40 Wh in the event's two minutes.
fn readings(start: u64) -> Vec<Reading> {
    let mut out = Vec::new();
    for meter in METERS {
        for day in 0..=2u64 {
            for k in 0..4u64 {
                let at = start - day * DAY_MS - 2 * MINUTE_MS + k * MINUTE_MS;
                let during = day == 0 && at >= start;
                let wh = if during && meter == 10 { 40 } else { 100 };
                out.push(Reading {
                    meter,
                    interval_start_ms: at,
                    wh,
                });
            }
        }
    }
    out
}

#[test]
fn rounds_measure_each_ended_event_once_and_the_keeper_settles_it() {
    let (mut chain, grid) = committee_grid();
    let utility = grid.utility;
    let contracts = grid.contracts();
    let demand = grid.demand.address;
    let mut api = call_builder::<DemandResponse>(demand);
    let terms = minute_program_terms();
    let program = chain
        .call(&demand, api.create_program(terms), &utility, 1_000_000_000)
        .unwrap()
        .value
        .unwrap();
    let customers: Vec<AccountId> = METERS
        .iter()
        .map(|m| named_account(&format!("customer-{m}")))
        .collect();
    for (who, meter) in customers.iter().zip(METERS) {
        chain.fund(who, 1 << 60);
        grid.attest_meter(&mut chain, *who, meter, 1).unwrap();
        chain
            .call(&demand, api.enroll(program, meter, 1), who, 0)
            .unwrap()
            .value
            .unwrap();
    }
    // Event 0 is closed by the utility before any operator looks; event 1 runs its course.
    let first = chain.now_ms() + 3 * DAY_MS + 10 * MINUTE_MS;
    let second = first + 60 * MINUTE_MS;
    for start in [first, second] {
        chain
            .call(
                &demand,
                api.announce_event(program, start, start + 2 * MINUTE_MS, start, 0),
                &utility,
                0,
            )
            .unwrap()
            .value
            .unwrap();
    }
    chain.set_time(first + 3 * MINUTE_MS);
    chain.next_block();
    chain
        .call(&demand, api.close_event(0), &utility, 0)
        .unwrap()
        .value
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let mut stores: Vec<Store> = (1..=3)
        .map(|i| Store::open(&dir.path().join(format!("operator-{i}.db"))).unwrap())
        .collect();
    for store in &mut stores {
        store.put_readings(&readings(first)).unwrap();
        store.put_readings(&readings(second)).unwrap();
    }
    chain.set_time(second + 3 * MINUTE_MS);
    chain.next_block();
    for (i, store) in stores.iter_mut().enumerate().take(2) {
        let r = round(&mut chain, store, &contracts, &worker(&grid, i)).unwrap();
        assert_eq!(r.events_measured, vec![1], "only the ended, open event");
        assert_eq!(r.queued, 1, "one batch");
        assert!(r.skipped.is_empty(), "{:?}", r.skipped);
        assert_eq!(store.progress("worker.measured_below").unwrap(), 2);
    }
    let entry = |chain: &mut SandboxChain, meter| {
        chain
            .query(
                &demand,
                call_builder::<DemandResponse>(demand).entry(1, meter),
                &utility,
            )
            .unwrap()
            .expect("recorded on the second vote")
    };
    assert_eq!(entry(&mut chain, 10).baseline_wh, 200);
    assert_eq!(entry(&mut chain, 10).actual_wh, 80);
    assert_eq!(entry(&mut chain, 11).actual_wh, 200);
    assert!(chain
        .query(&demand, api.entry(0, 10), &utility)
        .unwrap()
        .is_none());

    chain
        .call(&demand, api.close_event(1), &utility, 0)
        .unwrap()
        .value
        .unwrap();
    // The keeper waits for the dispute window.
    let early = round(&mut chain, &mut stores[2], &contracts, &worker(&grid, 2)).unwrap();
    assert_eq!(early.entries_settled, 0);
    chain.set_time(second + 5 * MINUTE_MS);
    chain.next_block();
    let before = chain.balance(&customers[0]);
    let keep = round(&mut chain, &mut stores[2], &contracts, &worker(&grid, 2)).unwrap();
    assert_eq!(keep.entries_settled, 2);
    let owed = subsidy(
        200,
        80,
        terms.rate_per_kwh,
        terms.cap_per_event,
        terms.min_reduction,
    );
    assert_eq!(chain.balance(&customers[0]) - before, owed);
    assert_eq!(entry(&mut chain, 10).status, EntryStatus::Paid);
    // Both events are settled for good, the one closed without entries too (which frees the budget).
    assert_eq!(stores[2].progress("keeper.settled_below").unwrap(), 2);

    // Again, every operator: nothing new is queued, nothing is paid twice.
    for (i, store) in stores.iter_mut().enumerate() {
        let again = round(&mut chain, store, &contracts, &worker(&grid, i)).unwrap();
        assert_eq!(
            (again.queued, again.entries_settled),
            (0, 0),
            "operator {i}"
        );
    }
    assert_eq!(chain.balance(&customers[0]) - before, owed);

    // Operator 3's rounds came after the close, so it never measured event 1; its readings still
    // verify the entry, as operator 1's record of what it measured does.
    assert!(stores[2].measured(1).unwrap().is_none());
    for i in [0, 2] {
        let v = verify_entry(
            &mut chain,
            Operator::new(&stores[i], &contracts, &worker(&grid, i)),
            1,
            10,
            None,
        )
        .unwrap();
        assert!(v.holds(), "operator {}: {v:?}", i + 1);
        assert_eq!(v.readings.len(), 2, "the event's two intervals");
    }

    // A late correction to a reading behind the committed entry is refused (ingest logs it as a
    // rejected line), and the entry goes on verifying from operator 1's store.
    let mut late = readings(second)
        .into_iter()
        .find(|r| r.meter == 10 && r.interval_start_ms == second)
        .expect("meter 10 has a reading at the event's start");
    late.wh += 7;
    let refused = stores[0].put_readings(&[late]).unwrap().refused;
    assert_eq!(refused.len(), 1);
    assert!(refused[0].1.contains("event 1"), "{refused:?}");
    let v = verify_entry(
        &mut chain,
        Operator::new(&stores[0], &contracts, &worker(&grid, 0)),
        1,
        10,
        None,
    )
    .unwrap();
    assert!(v.holds(), "{v:?}");

    // The customer's own export of meter 10 checks out too; one reading that differs from what was
    // committed is named with the value the chain did commit.
    let export: Vec<Reading> = [readings(first), readings(second)]
        .concat()
        .into_iter()
        .filter(|r| r.meter == 10)
        .collect();
    let own = |name: &str, export: &[Reading]| {
        let mut own = Store::open(&dir.path().join(name)).unwrap();
        own.put_readings(export).unwrap();
        own
    };
    let check = |chain: &mut SandboxChain, own: &Store| {
        verify_entry(
            chain,
            Operator::new(&stores[0], &contracts, &worker(&grid, 0)),
            1,
            10,
            Some(own),
        )
        .unwrap()
    };
    let v = check(&mut chain, &own("export.db", &export));
    assert!(v.holds(), "{v:?}");
    assert!(v.readings.iter().all(|r| r.committed_wh.is_none()));
    let in_event = export
        .iter()
        .position(|r| r.interval_start_ms == v.readings[0].at_ms)
        .unwrap();
    let mut doctored = export.clone();
    doctored[in_event].wh += 1;
    let v = check(&mut chain, &own("doctored.db", &doctored));
    assert!(!v.holds());
    let bad = &v.readings[0];
    assert_eq!(
        (bad.wh, bad.proven, bad.committed_wh),
        (
            Some(export[in_event].wh + 1),
            false,
            Some(export[in_event].wh)
        )
    );
}
