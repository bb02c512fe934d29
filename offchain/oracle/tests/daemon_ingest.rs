//! The daemon's ingest side on real sockets and a real SQLite file (no chain needed): `POST /ingest`
//! stores good lines and names bad ones, only with the operator's token when one is set, the watched
//! folder takes dropped files and moves them to `done/` and judges them as HTTP does, rejected lines
//! reach the rejects log, `/metrics` and `/health` report it, and the evidence behind a final outage
//! report is served with proofs and fetched by a verifier.

use std::{sync::Arc, time::Duration};

use gridtrust_oracle::{
    daemon::{Door, Shared, Token},
    Store,
};
use gridtrust_tests::http::{get, json_body, post_ingest, post_ingest_as, request};

/// 2026-01-01T00:00:00Z: a plausible time for meter data.
const T: u64 = 1_767_225_600_000;

/// A daemon's HTTP side serving the store at `db` on a free port.
struct Served {
    shared: Arc<Shared>,
    runtime: tokio::runtime::Runtime,
    port: u16,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

fn serve(dir: &tempfile::TempDir, db: &std::path::Path, door: Door) -> Served {
    let shared = Arc::new(shared(dir, db, door));
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

impl Served {
    /// Asks the server to stop and waits until it has.
    fn stop(self) {
        self.shared.stop();
        self.runtime
            .block_on(self.server)
            .unwrap()
            .expect("the server stops cleanly when asked");
    }
}

fn shared(dir: &tempfile::TempDir, db: &std::path::Path, door: Door) -> Shared {
    Shared::new(
        db,
        &dir.path().join("rejects.log"),
        Duration::from_secs(1),
        "test".into(),
        door,
    )
    .unwrap()
}

#[test]
fn http_ingest_stores_good_lines_names_bad_ones_and_counts_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("oracle.db");
    let served = serve(&dir, &db, Door::default());
    let port = served.port;

    let csv = format!("type,meter,a,b\nreading,7,{T},250\nreading,7,{T},abc\nlast_gasp,7,3,{T}\n");
    let answer = post_ingest(port, "?format=csv", "text/plain", &csv);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"readings\":1"), "{answer}");
    assert!(answer.contains("\"events\":1"), "{answer}");
    assert!(
        answer.contains("\"line\":3"),
        "the bad line is named: {answer}"
    );

    // The format may come from the content type instead.
    let jsonl =
        format!("{{\"type\":\"reading\",\"meter\":8,\"interval_start_ms\":{T},\"wh\":5}}\n");
    let answer = post_ingest(port, "", "application/x-ndjson", &jsonl);
    assert!(answer.contains("\"readings\":1"), "{answer}");
    let answer = post_ingest(port, "", "text/plain", &jsonl);
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

    served.stop();
}

/// A watched folder `incoming` under `dir`, and the daemon's side that ingests it into
/// `dir/oracle.db`.
fn watched_folder(dir: &tempfile::TempDir) -> (std::path::PathBuf, Shared) {
    let incoming = dir.path().join("incoming");
    std::fs::create_dir_all(&incoming).unwrap();
    let shared = shared(dir, &dir.path().join("oracle.db"), Door::default());
    (incoming, shared)
}

#[test]
fn the_watched_folder_takes_finished_files_and_moves_them_to_done() {
    let dir = tempfile::tempdir().unwrap();
    let (incoming, shared) = watched_folder(&dir);
    let db = dir.path().join("oracle.db");
    std::fs::write(
        incoming.join("a.csv"),
        format!("reading,1,{T},10\nbroken\n"),
    )
    .unwrap();
    std::fs::write(incoming.join("notes.txt"), "not meter data").unwrap();
    std::fs::write(incoming.join(".hidden.csv"), format!("reading,2,{T},10\n")).unwrap();

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
    std::fs::write(incoming.join("a.csv"), format!("reading,3,{T},10\n")).unwrap();
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
        outage::{decide, outage_events, OutageRule},
    };
    use gridtrust_oracle::{
        evidence::{parse_root, root_hex},
        outages::final_report,
        verify::{EvidenceSource, OperatorHttp},
        MeterEvent,
    };
    use outage_insurance::OutageRecord;

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("oracle.db");
    let events = outage_events(2, 1..=4, 1_000, 9_000, 1);
    let outage = decide(&events, &OutageRule::default(), 10_000).remove(0);
    let root = Store::open(&db).unwrap().keep_evidence(&outage).unwrap();

    let served = serve(&dir, &db, Door::default());
    let port = served.port;

    let answer = get(port, &format!("/evidence/{}?meter=1", root_hex(&root)));
    let body = json_body(&answer);
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

    served.stop();
}

#[test]
fn without_the_token_nothing_is_stored_and_with_it_everything_is() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("oracle.db");
    std::env::set_var("GRIDTRUST_TEST_INGEST_TOKEN", "s3cret-s3cret-s3cret");
    let door = Door {
        token: Some(Token::resolve("env:GRIDTRUST_TEST_INGEST_TOKEN").unwrap()),
        guard_reads: true,
        ..Door::default()
    };
    let served = serve(&dir, &db, door);
    let port = served.port;
    let csv = format!("reading,7,{T},250\n");

    for token in [
        None,
        Some("wrong-wrong-wrong-wrong"),
        Some("s3cret-s3cret-s3cre"),
    ] {
        let answer = post_ingest_as(port, token, "?format=csv", "text/csv", csv.as_bytes());
        assert!(answer.starts_with("HTTP/1.1 401"), "{token:?}: {answer}");
        assert!(answer.contains("www-authenticate: Bearer"), "{answer}");
    }
    assert_eq!(
        Store::open(&db).unwrap().meters().unwrap(),
        Vec::<u64>::new()
    );
    // Reads are guarded too when the configuration says so; evidence never is.
    assert!(get(port, "/metrics").starts_with("HTTP/1.1 401"));
    assert!(get(port, "/health").starts_with("HTTP/1.1 401"));
    assert!(get(port, "/evidence/0x00").starts_with("HTTP/1.1 400"));

    let answer = post_ingest_as(
        port,
        Some("s3cret-s3cret-s3cret"),
        "?format=csv",
        "text/csv",
        csv.as_bytes(),
    );
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert_eq!(Store::open(&db).unwrap().meters().unwrap(), vec![7]);

    served.stop();
}

#[test]
fn a_file_gets_the_same_rejects_through_http_and_the_watched_folder() {
    // A BOM, CRLF, a quoted line, a bad byte, an implausible value, a correction.
    let mut export = format!(
        "\u{feff}type,meter,interval_start_ms,wh\r\n\"reading\",\"5\",\"{T}\",\"40\"\r\n\
         reading,5,{},7\r\nreading,5,{},200000000000000000\r\n",
        T + 900_000,
        T + 1_800_000
    )
    .into_bytes();
    export.extend_from_slice(b"reading,6,\xFF,1\r\n");
    export.extend_from_slice(format!("reading,5,{T},41\r\nreading,6,{T},3\r\n").as_bytes());

    let by_http = tempfile::tempdir().unwrap();
    let served = serve(&by_http, &by_http.path().join("oracle.db"), Door::default());
    let port = served.port;
    let answer = post_ingest_as(port, None, "?format=csv", "text/csv", &export);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"readings\":4"), "{answer}");
    assert!(answer.contains("\"corrections\":1"), "{answer}");
    let metrics = get(port, "/metrics");
    assert!(
        metrics.contains("gridtrust_oracle_readings_corrected_total 1"),
        "{metrics}"
    );
    served.stop();

    let by_folder = tempfile::tempdir().unwrap();
    let incoming = by_folder.path().join("incoming");
    std::fs::create_dir_all(&incoming).unwrap();
    let watcher = shared(
        &by_folder,
        &by_folder.path().join("oracle.db"),
        Door::default(),
    );
    std::fs::write(incoming.join("export.csv"), &export).unwrap();
    std::thread::sleep(Duration::from_millis(1_100));
    assert_eq!(
        gridtrust_oracle::daemon::watch::scan(&watcher, &incoming),
        1
    );

    // The rejects log of each names the same lines for the same reasons.
    let lines = |dir: &tempfile::TempDir| -> Vec<String> {
        std::fs::read_to_string(dir.path().join("rejects.log"))
            .unwrap()
            .lines()
            .map(|l| l.split_once(':').unwrap().1.to_owned())
            .collect()
    };
    let http_lines = lines(&by_http);
    assert_eq!(http_lines.len(), 2, "{http_lines:?}");
    assert!(http_lines[0].starts_with("4: wh"), "{http_lines:?}");
    assert!(http_lines[1].starts_with("5: not UTF-8"), "{http_lines:?}");
    let folder_log = std::fs::read_to_string(by_folder.path().join("rejects.log")).unwrap();
    let folder_lines: Vec<String> = folder_log
        .lines()
        .map(|l| l.rsplit_once("export.csv:").unwrap().1.to_owned())
        .collect();
    assert_eq!(folder_lines, http_lines);
    for db in [by_http.path(), by_folder.path()] {
        let store = Store::open(&db.join("oracle.db")).unwrap();
        assert_eq!(store.meters().unwrap(), vec![5, 6]);
        assert_eq!(store.revisions(5, T).unwrap().len(), 2);
    }
}

/// Second review, findings 12 and 13: a Green Button body nested 20,000 deep (what aborted every
/// operator) and one far larger than any feed are each refused with a reject on `POST /ingest`,
/// whose workers have a smaller stack than the main thread; a body over the limit is refused before
/// it is read; and the daemon goes on answering and ingesting.
#[test]
fn deep_and_huge_feeds_over_http_are_rejects_and_the_daemon_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("oracle.db");
    let served = serve(&dir, &db, Door::default());
    let port = served.port;

    let deep = format!(
        "<feed>\n{}{}</feed>",
        "<a>".repeat(20_000),
        "</a>".repeat(20_000)
    );
    let answer = post_ingest(port, "?format=xml", "text/plain", &deep);
    assert!(answer.starts_with("HTTP/1.1 200"), "{}", &answer[..200]);
    assert!(answer.contains("deeper than 32"), "{answer}");

    // 60 MiB in one text: refused at 64 KiB, not held.
    let huge = format!(
        "<feed><entry><title>{}</title></entry></feed>",
        "9".repeat(60 << 20)
    );
    let answer = post_ingest(port, "?format=xml", "text/plain", &huge);
    assert!(
        answer.contains("longer than 65536 bytes"),
        "{}",
        &answer[..300]
    );

    let over = request(
        port,
        "POST /ingest?format=xml HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 73400320\r\n\
         Connection: close\r\n\r\n",
    );
    assert!(over.starts_with("HTTP/1.1 413"), "{over}");

    let answer = post_ingest(
        port,
        "?format=csv",
        "text/plain",
        &format!("reading,9,{T},5\n"),
    );
    assert!(
        answer.contains("\"readings\":1"),
        "still ingesting: {answer}"
    );
    assert!(get(port, "/metrics").starts_with("HTTP/1.1 200"));
    served.stop();
}

/// The same files dropped in the watched folder, with a gigabyte-long feed (a thousand times
/// what `POST /ingest` takes): each is read once, streamed, and moved to `done/` with its rejects.
#[test]
fn deep_and_huge_feeds_in_the_watched_folder_are_read_once_and_moved_on() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let (incoming, shared) = watched_folder(&dir);
    std::fs::write(
        incoming.join("deep.xml"),
        format!("<feed>\n{}", "<a>".repeat(200_000)),
    )
    .unwrap();
    // 1 GiB of well-formed entries that name nothing: the reader streams through it twice over.
    let mut huge =
        std::io::BufWriter::new(std::fs::File::create(incoming.join("huge.xml")).unwrap());
    huge.write_all(b"<feed>\n").unwrap();
    let chunk = "<entry><title>no meter here</title></entry>\n".repeat(1 << 14);
    let mut written = 0;
    while written < 1 << 30 {
        huge.write_all(chunk.as_bytes()).unwrap();
        written += chunk.len();
    }
    huge.write_all(b"</feed>\n").unwrap();
    huge.into_inner().unwrap().sync_all().unwrap();
    std::thread::sleep(Duration::from_millis(1_100));

    assert_eq!(gridtrust_oracle::daemon::watch::scan(&shared, &incoming), 2);
    assert!(incoming.join("done/deep.xml").is_file());
    assert!(incoming.join("done/huge.xml").is_file());
    // Nothing is left to be read again.
    assert_eq!(gridtrust_oracle::daemon::watch::scan(&shared, &incoming), 0);
    let log = std::fs::read_to_string(dir.path().join("rejects.log")).unwrap();
    assert!(
        log.contains("deep.xml:2: ") && log.contains("deeper than 32"),
        "{log}"
    );
    assert!(
        log.contains("huge.xml:1: the feed holds no IntervalBlock"),
        "{log}"
    );
    // Rejects name the file as it was dropped, not where it was read from.
    assert!(!log.contains("ingesting"), "{log}");
}

/// A file the daemon was reading when it stopped (it may have crashed on it) is set aside with why
/// at the next start, never read again by itself; a file that cannot be ingested at all goes the
/// same way at once.
#[test]
fn a_file_that_stopped_the_daemon_or_cannot_be_read_is_set_aside_once() {
    let dir = tempfile::tempdir().unwrap();
    let incoming = dir.path().join("incoming");
    std::fs::create_dir_all(incoming.join("ingesting")).unwrap();
    std::fs::write(
        incoming.join("ingesting/crash.csv"),
        format!("reading,1,{T},1\n"),
    )
    .unwrap();
    gridtrust_oracle::daemon::watch::recover(&incoming);
    assert!(incoming.join("rejected/crash.csv").is_file());
    let why = std::fs::read_to_string(incoming.join("rejected/crash.csv.reason")).unwrap();
    assert!(why.contains("stopped while ingesting"), "{why}");
    assert_eq!(
        std::fs::read_dir(incoming.join("ingesting"))
            .unwrap()
            .count(),
        0
    );

    // A feed whose meter mapping is broken cannot be read at all: set aside with its mapping.
    let db = dir.path().join("oracle.db");
    let shared = shared(&dir, &db, Door::default());
    std::fs::write(incoming.join("feed.xml"), "<feed></feed>").unwrap();
    std::fs::write(incoming.join("feed.meters.csv"), "01,not-a-meter\n").unwrap();
    std::thread::sleep(Duration::from_millis(1_100));
    assert_eq!(gridtrust_oracle::daemon::watch::scan(&shared, &incoming), 1);
    assert!(incoming.join("rejected/feed.xml").is_file());
    assert!(incoming.join("rejected/feed.meters.csv").is_file());
    let why = std::fs::read_to_string(incoming.join("rejected/feed.xml.reason")).unwrap();
    assert!(why.contains("not a meter number"), "{why}");
    assert_eq!(gridtrust_oracle::daemon::watch::scan(&shared, &incoming), 0);
    // The mapping itself is never taken for meter data.
    assert!(!incoming.join("done/feed.meters.csv").exists());
}
