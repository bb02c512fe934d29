//! The sample town through the pipeline: files written, ingested into SQLite, decided. The outages the
//! oracle finds are the storm the data was generated with, feeder by feeder; the demand-response
//! results pay exactly the meters that shed load.

use gridtrust_common::baseline::BaselineParams;
use gridtrust_oracle::{
    demand::{results, EventSpec},
    ingest_file,
    outages::{decide, OutageRule},
    sample::{generate, write_csv, SampleSpec},
    Bounds, Store,
};
use gridtrust_tests::DAY_MS;

#[test]
fn the_sample_storm_and_peak_come_back_out_of_the_pipeline() {
    let dir = tempfile::tempdir().unwrap();
    let spec = SampleSpec::town(20_000 * DAY_MS);
    let sample = generate(&spec);
    assert_eq!(sample.readings.len(), 300 * 7 * 96);
    write_csv(&sample, dir.path()).unwrap();
    let mut store = Store::open(&dir.path().join("oracle.db")).unwrap();
    for file in ["readings.csv", "events.csv"] {
        let report = ingest_file(&dir.path().join(file), &Bounds::default(), &mut store).unwrap();
        assert!(report.rejects.is_empty(), "{:?}", report.rejects);
    }
    // Ingesting again changes nothing.
    ingest_file(
        &dir.path().join("events.csv"),
        &Bounds::default(),
        &mut store,
    )
    .unwrap();

    let outages = decide(
        &store.meter_events().unwrap(),
        &OutageRule::default(),
        spec.start_ms + 7 * DAY_MS,
    );
    let mut found: Vec<(u32, u64, usize)> = outages
        .iter()
        .map(|o| {
            (
                o.feeder,
                (o.end_ms.unwrap() - o.start_ms) / 60_000,
                o.meters.len(),
            )
        })
        .collect();
    found.sort();
    // Gasps and restores come within 30 s of the storm's edges, so a length may read a minute short.
    assert_eq!(found.len(), 3);
    for ((feeder, minutes, meters), (expected_feeder, expected)) in
        found.iter().zip([(1, 45u64), (2, 180), (3, 400)])
    {
        assert_eq!(*feeder, expected_feeder);
        assert!(
            *minutes == expected || *minutes + 1 == expected,
            "feeder {feeder}: {minutes} minutes, expected {expected}"
        );
        assert_eq!(*meters, 75);
    }

    let (start, end, _) = spec.peak;
    let event = EventSpec {
        start_ms: start,
        end_ms: end,
        interval_ms: 900_000,
        adjustment_len_ms: 2 * 3_600_000,
        adjustment_gap_ms: 3_600_000,
        event_day: (start / DAY_MS) as u32,
        day_type: 0,
        // The storm day is an event day of sorts: left out of the baselines.
        history: (1..=6).map(|d| (d, 0, d == 2)).collect(),
        params: BaselineParams {
            highest: 3,
            lookback: 5,
            adjustment_cap_bps: 2_000,
        },
    };
    let meters: Vec<u64> = spec.meters().iter().map(|m| m.0).collect();
    let r = results(&store, &event, &meters).unwrap();
    assert!(r.skipped.is_empty(), "{:?}", r.skipped);
    assert_eq!(r.results.len(), 300);
    for m in &r.results {
        if SampleSpec::sheds(m.meter) {
            // 30 % shed against a baseline within the noise of the usual load.
            assert!(m.actual_wh * 100 < m.baseline_wh * 80, "{m:?}");
        } else {
            assert!(m.actual_wh * 100 > m.baseline_wh * 90, "{m:?}");
        }
    }
    assert_eq!(r.leaves.len(), 300 * 8);
}

/// The Zhejiang town as a utility hands it over — a header CSV in local time and kWh, a Green Button
/// feed for three meters — stores exactly the readings the plain sample of the same town stores.
#[test]
fn the_zhejiang_export_and_feed_store_what_the_plain_files_store() {
    use gridtrust_oracle::sample::{write_zhejiang, GREEN_BUTTON_METERS};
    let dir = tempfile::tempdir().unwrap();
    let sample = generate(&SampleSpec::zhejiang());
    write_zhejiang(&sample, dir.path()).unwrap();
    let mut store = Store::open(&dir.path().join("oracle.db")).unwrap();
    for file in ["readings.csv", "green-button.xml", "events.csv"] {
        let report = ingest_file(&dir.path().join(file), &Bounds::default(), &mut store).unwrap();
        assert!(report.rejects.is_empty(), "{file}: {:?}", report.rejects);
    }
    let csv = std::fs::read_to_string(dir.path().join("readings.csv")).unwrap();
    assert!(csv
        .lines()
        .nth(1)
        .unwrap()
        .contains("2026-04-01T00:00:00+08:00"));
    for (meter, _) in SampleSpec::zhejiang().meters() {
        let expected: Vec<_> = sample
            .readings
            .iter()
            .filter(|r| r.meter == meter)
            .copied()
            .collect();
        let stored = store.readings(meter, 0, u64::MAX >> 2).unwrap();
        assert_eq!(stored.len(), expected.len(), "meter {meter}");
        assert!(
            stored
                .iter()
                .zip(&expected)
                .all(|(s, e)| (s.interval_start_ms, s.wh) == (e.interval_start_ms, e.wh)),
            "meter {meter}"
        );
    }
    assert!(GREEN_BUTTON_METERS
        .iter()
        .all(|m| !csv.contains(&format!("\n{m},"))));
}
