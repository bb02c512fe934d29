//! The oracle's offline commands as a user runs them, through the real `gridtrust` binary on a real
//! SQLite file: the sample town is written, ingested, and its storm read back as outages, in text and
//! as `--json`, which must say the same; a file that cannot be read stops nothing else.

use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gridtrust"))
        .args(args)
        .output()
        .expect("gridtrust runs")
}

fn gridtrust(args: &[&str]) -> Output {
    let out = run(args);
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

#[test]
fn a_broken_file_between_two_good_ones_stops_neither() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("oracle.db");
    let t = 1_767_225_600_000u64; // 2026-01-01
    let first = dir.path().join("1-monday.csv");
    let last = dir.path().join("3-wednesday.csv");
    std::fs::write(
        &first,
        format!("reading,1,{t},100\nreading,1,{},abc\n", t + 900_000),
    )
    .unwrap();
    std::fs::write(&last, format!("reading,3,{t},300\n")).unwrap();
    // A file that cannot be read at all: a folder where the export should be.
    let broken = dir.path().join("2-tuesday.csv");
    std::fs::create_dir(&broken).unwrap();

    let files = [&first, &broken, &last].map(|p| p.to_str().unwrap().to_owned());
    let out = run(&[
        "oracle",
        "ingest",
        "--db",
        db.to_str().unwrap(),
        &files[0],
        &files[1],
        &files[2],
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a failed file fails the command");
    assert!(stderr.contains(&format!("{}:2: wh", files[0])), "{stderr}");
    assert!(
        stderr.contains("1 of 3 files could not be read") && stderr.contains(&files[1]),
        "the summary names the failed file: {stderr}"
    );
    let store = gridtrust_oracle::Store::open(&db).unwrap();
    assert_eq!(store.meters().unwrap(), vec![1, 3]);

    // --json: one object per file and a summary, saying the same.
    let out = run(&[
        "oracle",
        "ingest",
        "--db",
        db.to_str().unwrap(),
        "--json",
        &files[0],
        &files[1],
        &files[2],
    ]);
    let objects: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(objects.len(), 4, "{objects:?}");
    assert_eq!(objects[0]["unchanged"], 1);
    assert_eq!(objects[0]["rejected"][0]["line"], 2);
    assert!(objects[1]["error"].as_str().is_some(), "{}", objects[1]);
    assert_eq!(objects[3]["files_failed"][0], files[1]);
    assert_eq!(objects[3]["files_ingested"], 2);
}
