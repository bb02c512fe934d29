//! The daemon's ingest side on real sockets and a real SQLite file (no chain needed): `POST /ingest`
//! stores good lines and names bad ones, the watched folder takes dropped files and moves them to
//! `done/`, rejected lines reach the rejects log, `/metrics` and `/health` report it, and the evidence
//! behind a final outage report is served with proofs and fetched by a verifier.

use std::{sync::Arc, time::Duration};

use gridtrust_oracle::{daemon::Shared, Store};
use gridtrust_tests::http::{get, post_ingest};

/// A daemon's HTTP side serving the store at `db` on a free port.
struct Served {
    shared: Arc<Shared>,
    runtime: tokio::runtime::Runtime,
    port: u16,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

fn serve(dir: &tempfile::TempDir, db: &std::path::Path) -> Served {
    let shared = Arc::new(
        Shared::new(
            db,
            &dir.path().join("rejects.log"),
            Duration::from_secs(1),
            "test".into(),
        )
        .unwrap(),
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = runtime.spawn(gridtrust_oracle::daemon::http::serve(
        shared.clone(),
        listener,
    ));
    Served {
        shared,
        runtime,
        port,
        server,
    }
}

#[test]
fn http_ingest_stores_good_lines_names_bad_ones_and_counts_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("oracle.db");
    let Served {
        shared,
        runtime,
        port,
        server,
    } = serve(&dir, &db);

    let csv = "type,meter,a,b\nreading,7,0,250\nreading,7,900000,abc\nlast_gasp,7,3,1000\n";
    let answer = post_ingest(port, "?format=csv", "text/plain", csv);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"readings\":1"), "{answer}");
    assert!(answer.contains("\"events\":1"), "{answer}");
    assert!(
        answer.contains("\"line\":3"),
        "the bad line is named: {answer}"
    );

    // The format may come from the content type instead.
    let jsonl = "{\"type\":\"reading\",\"meter\":8,\"interval_start_ms\":0,\"wh\":5}\n";
    let answer = post_ingest(port, "", "application/x-ndjson", jsonl);
    assert!(answer.contains("\"readings\":1"), "{answer}");
    let answer = post_ingest(port, "", "text/plain", jsonl);
    assert!(
        answer.starts_with("HTTP/1.1 400"),
        "no format, no guess: {answer}"
    );

    let store = Store::open(&db).unwrap();
    assert_eq!(store.meters().unwrap(), vec![7, 8]);
    assert_eq!(store.meter_events().unwrap().len(), 1);
    let log = std::fs::read_to_string(dir.path().join("rejects.log")).unwrap();
    assert_eq!(log.lines().count(), 1, "{log}");
    assert!(log.starts_with("http#1:3: "), "{log}");

    let metrics = get(port, "/metrics");
    assert!(
        metrics.contains("gridtrust_oracle_readings_ingested_total 2"),
        "{metrics}"
    );
    assert!(
        metrics.contains("gridtrust_oracle_lines_rejected_total 1"),
        "{metrics}"
    );
    // No round has run yet: not healthy.
    assert!(get(port, "/health").starts_with("HTTP/1.1 503"));

    shared.stop();
    runtime
        .block_on(server)
        .unwrap()
        .expect("the server stops cleanly when asked");
}

#[test]
fn the_watched_folder_takes_finished_files_and_moves_them_to_done() {
    let dir = tempfile::tempdir().unwrap();
    let incoming = dir.path().join("incoming");
    std::fs::create_dir_all(&incoming).unwrap();
    let db = dir.path().join("oracle.db");
    let shared = Shared::new(
        &db,
        &dir.path().join("rejects.log"),
        Duration::from_secs(1),
        "test".into(),
    )
    .unwrap();
    std::fs::write(incoming.join("a.csv"), "reading,1,0,10\nbroken\n").unwrap();
    std::fs::write(incoming.join("notes.txt"), "not meter data").unwrap();
    std::fs::write(incoming.join(".hidden.csv"), "reading,2,0,10\n").unwrap();

    // Fresh files wait until they have been left alone for a second.
    assert_eq!(gridtrust_oracle::daemon::watch::scan(&shared, &incoming), 0);
    std::thread::sleep(Duration::from_millis(1_100));
    assert_eq!(gridtrust_oracle::daemon::watch::scan(&shared, &incoming), 1);
    assert!(incoming.join("done/a.csv").is_file());
    assert!(!incoming.join("a.csv").exists());
    assert!(
        incoming.join("notes.txt").exists(),
        "other files are left alone"
    );
    assert!(
        incoming.join(".hidden.csv").exists(),
        "hidden files are left alone"
    );

    // The same name again is kept beside the first in done/.
    std::fs::write(incoming.join("a.csv"), "reading,3,0,10\n").unwrap();
    std::thread::sleep(Duration::from_millis(1_100));
    assert_eq!(gridtrust_oracle::daemon::watch::scan(&shared, &incoming), 1);
    assert!(incoming.join("done/a.csv.1").is_file());

    let store = Store::open(&db).unwrap();
    assert_eq!(store.meters().unwrap(), vec![1, 3]);
    let log = std::fs::read_to_string(dir.path().join("rejects.log")).unwrap();
    assert!(log.contains("a.csv:2: "), "{log}");
}

#[test]
fn the_evidence_behind_a_report_is_served_with_proofs_and_fetched_by_a_verifier() {
    use gridtrust_common::{
        merkle::{self, MerkleProof},
        outage::{decide, OutageRule},
    };
    use gridtrust_oracle::{
        evidence::{parse_root, root_hex},
        outages::final_report,
        verify::{EvidenceSource, OperatorHttp},
        EventKind, MeterEvent,
    };
    use outage_insurance::OutageRecord;

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("oracle.db");
    let event = |kind, meter, at_ms| MeterEvent {
        kind,
        meter,
        feeder: 2,
        at_ms,
    };
    let events: Vec<MeterEvent> = (1..=4)
        .map(|m| event(EventKind::LastGasp, m, 1_000 + m))
        .chain((1..=4).map(|m| event(EventKind::Restore, m, 9_000 + m)))
        .collect();
    let outage = decide(&events, &OutageRule::default(), 10_000).remove(0);
    let root = Store::open(&db).unwrap().keep_evidence(&outage).unwrap();

    let Served {
        shared,
        runtime,
        port,
        server,
    } = serve(&dir, &db);

    let answer = get(port, &format!("/evidence/{}?meter=1", root_hex(&root)));
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let body: serde_json::Value =
        serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_eq!(
        body["events"].as_array().unwrap().len(),
        outage.evidence.len()
    );
    let proofs = body["proofs"].as_array().unwrap();
    assert_eq!(proofs.len(), 2, "meter 1's last gasp and restore");
    for p in proofs {
        let e: MeterEvent = serde_json::from_value(p["event"].clone()).unwrap();
        let proof = MerkleProof {
            index: p["index"].as_u64().unwrap() as u32,
            leaf_count: p["leaf_count"].as_u64().unwrap() as u32,
            siblings: p["siblings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| parse_root(s.as_str().unwrap()).unwrap())
                .collect(),
        };
        assert!(merkle::verify(&root, &e.leaf(), &proof), "{p}");
    }
    assert!(get(port, &format!("/evidence/{}", root_hex(&[9; 32]))).starts_with("HTTP/1.1 404"));
    assert!(get(port, "/evidence/not-hex").starts_with("HTTP/1.1 400"));

    // A verifier fetches the same evidence by the root the chain keeps.
    let record = OutageRecord {
        report: final_report(&outage, &OutageRule::default()).unwrap(),
        minutes: 0,
        targets: 0,
        cursor: 0,
        paid_policies: 0,
        paid_total: 0,
    };
    let mut door = OperatorHttp(format!("http://127.0.0.1:{port}"));
    let fetched = std::thread::spawn(move || door.evidence_for(&record).unwrap())
        .join()
        .unwrap();
    assert_eq!(fetched, Some(outage.evidence));

    shared.stop();
    runtime.block_on(server).unwrap().unwrap();
}
