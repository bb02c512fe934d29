//! The oracle's offline commands as a user runs them, through the real `gridtrust` binary on a real
//! SQLite file: the sample town is written, ingested, and its storm read back as outages, in text and
//! as `--json`, which must say the same.

use std::process::{Command, Output};

fn gridtrust(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_gridtrust"))
        .args(args)
        .output()
        .expect("gridtrust runs");
    assert!(
        out.status.success(),
        "gridtrust {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn the_sample_towns_storm_reads_back_as_three_outages_in_text_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let (sample, db) = (dir.path().join("sample"), dir.path().join("oracle.db"));
    let (sample, db) = (sample.to_str().unwrap(), db.to_str().unwrap());
    gridtrust(&["oracle", "sample", "--out", sample]);
    gridtrust(&[
        "oracle",
        "ingest",
        "--db",
        db,
        &format!("{sample}/events.csv"),
    ]);

    let text = String::from_utf8(gridtrust(&["oracle", "outages", "--db", db]).stdout).unwrap();
    let json: serde_json::Value =
        serde_json::from_slice(&gridtrust(&["oracle", "outages", "--db", db, "--json"]).stdout)
            .expect("--json prints JSON");
    let outages = json.as_array().expect("an array of outages");
    // The sample storm darkens feeders 1, 2 and 3 for 45, 180 and 400 minutes.
    assert_eq!(outages.len(), 3, "{json}");
    assert_eq!(text.lines().count(), 3, "{text}");
    for (outage, line) in outages.iter().zip(text.lines()) {
        let feeder = outage["feeder"].as_u64().unwrap();
        let start = outage["start_ms"].as_u64().unwrap();
        let end = outage["end_ms"].as_u64().expect("the storm ended");
        let meters = outage["meters"].as_array().unwrap().len();
        assert_eq!(
            line,
            format!(
                "feeder {feeder}: from {start} ms, {} minutes, {meters} meters",
                (end - start) / 60_000
            )
        );
        assert_eq!(outage["stale"], false);
    }
}
