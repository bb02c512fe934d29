//! The whole system on a real node (gridtrust-node --dev), with three real oracle daemons (`gridtrust oracle run`
//! processes) in a 2-of-3 committee. Real time throughout: a storm of a minute and of two minutes, and
//! a two-minute demand-response event over one-minute readings.
//!
//! - `gridtrust deploy` deploys and wires every contract over RPC;
//! - the utility attests 8 meter holders, an insurer funds a pool, every holder buys cover and enrolls;
//! - operator 1's daemon is stopped: operators 2 and 3 alone decide the storm from the meter events
//!   dropped into their watched folders, report it, and the keeper (operator 3) pays every customer by
//!   outage length, visible as their free balance on chain, with no claim;
//! - operator 3 alone is fed a doctored outage: its report finalizes nothing;
//! - operator 1 comes back, is killed with SIGKILL while sending, and comes back again: its reports
//!   end up delivered ("already counted") and nothing is counted or paid twice;
//! - the demand-response event's readings arrive (by HTTP for operator 1, by file for the others);
//!   the daemons compute the baselines, the committee records the results, the utility closes the
//!   event and the keeper settles it: each customer is paid exactly the subsidy of their reduction.
//!
//! Ignored by a plain `cargo test` (it needs a node binary and takes a few minutes): `scripts/e2e.sh`
//! runs it when one is available.

use std::{
    net::TcpStream,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use demand_response::{DemandResponse, ProgramTerms};
use gridtrust_chain::{
    deployment::Plan, encode::call_builder, AccountId, Chain, Grid, Key, LocalNode, Manifest,
    NodeChain, NodeOptions,
};
use gridtrust_common::{
    baseline::BaselineParams, committee::Oracle, demand::subsidy, tiers::outage_end_id,
};
use gridtrust_oracle::{OutboxState, Report, Store};
use gridtrust_tests::{fixtures::day_cover, http, DAY_MS, MINUTE_MS, UNIT};
use outage_insurance::OutageInsurance;
use support::phases::{wait_until, Phase};

mod support;

const FEEDERS: [u32; 2] = [1, 2];

fn meters() -> Vec<(u64, u32)> {
    FEEDERS
        .iter()
        .flat_map(|&f| (0..4).map(move |i| (u64::from(f) * 1_000 + i, f)))
        .collect()
}

/// A meter's normal draw per one-minute interval.
fn base_wh(meter: u64) -> u64 {
    100 + (meter % 4) * 10
}

/// Meters with an even number halve their load during the event.
fn sheds(meter: u64) -> bool {
    meter % 2 == 0
}

/// Waits until the chain's clock reads at least `at_ms` (the ticker keeps blocks coming).
fn sleep_until(chain: &mut NodeChain, at_ms: u64) {
    wait_until("the chain's clock", Duration::from_secs(600), || {
        chain.now_ms().unwrap() >= at_ms
    });
}

/// A dev node seals a block only when a transaction arrives, and its clock is that of its last block.
/// A real chain makes blocks all the time; the ticker does the same here with a tiny transfer every
/// two seconds, so the daemons see time pass.
struct Ticker {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Ticker {
    fn start(chain: &NodeChain) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let mut chain = chain.clone();
        let sink = chain.actor("tick-sink");
        let stopping = stop.clone();
        let thread = std::thread::spawn(move || {
            while !stopping.load(Ordering::Relaxed) {
                // A failed tick is only a missed block.
                let _ = chain.fund(&sink, UNIT);
                std::thread::sleep(Duration::from_secs(2));
            }
        });
        Self {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            t.join().ok();
        }
    }
}

/// One operator's daemon, as a child process.
struct Daemon {
    name: &'static str,
    dir: PathBuf,
    config: PathBuf,
    port: u16,
    child: Option<Child>,
}

impl Daemon {
    fn new(root: &Path, name: &'static str, url: &str, manifest: &Path, keeper: bool) -> Self {
        let dir = root.join(name);
        std::fs::create_dir_all(dir.join("incoming")).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let config = dir.join("oracle.toml");
        std::fs::write(
            &config,
            format!(
                "[chain]\nurl = \"{url}\"\nmanifest = \"{}\"\noperator = \"//{name}\"\n\n\
                 [store]\npath = \"oracle.db\"\n\n[ingest]\nwatch = \"incoming\"\nhttp = \"127.0.0.1:{port}\"\n\n\
                 [demand]\ninterval_seconds = 60\nadjustment_seconds = 120\nadjustment_gap_seconds = 60\n\
                 report_delay_seconds = 15\nhistory_days = 3\nweekend_type = 0\n\n\
                 [rounds]\npoll_seconds = 1\n[keeper]\nenabled = {keeper}\n",
                manifest.display()
            ),
        )
        .unwrap();
        Self {
            name,
            dir,
            config,
            port,
            child: None,
        }
    }

    fn start(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("daemon.log"))
            .unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_gridtrust"))
            .args(["oracle", "run", "--config"])
            .arg(&self.config)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("the gridtrust binary starts");
        self.child = Some(child);
        let port = self.port;
        wait_until(
            &format!("{}'s HTTP endpoint", self.name),
            Duration::from_secs(60),
            || TcpStream::connect(("127.0.0.1", port)).is_ok(),
        );
    }

    /// SIGTERM: the daemon must finish its round and exit 0.
    fn stop(&mut self) {
        let mut child = self.child.take().expect("running");
        // SAFETY: signalling our own child process.
        unsafe {
            libc::kill(child.id() as i32, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                assert!(status.success(), "{} stopped cleanly: {status}", self.name);
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{} did not stop on SIGTERM",
                self.name
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// SIGKILL: no chance to clean up.
    fn kill(&mut self) {
        let mut child = self.child.take().expect("running");
        child.kill().unwrap();
        child.wait().unwrap();
    }

    /// Drops `lines` as file `name` into the watched folder (written aside, then renamed in).
    fn feed(&self, name: &str, lines: &[String]) {
        let tmp = self.dir.join(format!("{name}.part"));
        std::fs::write(&tmp, lines.join("\n") + "\n").unwrap();
        std::fs::rename(&tmp, self.dir.join("incoming").join(name)).unwrap();
    }

    /// Sends `lines` to `POST /ingest?format=csv`; returns the answer's body.
    fn post(&self, lines: &[String]) -> String {
        let body = lines.join("\n") + "\n";
        http::post_ingest(self.port, "?format=csv", "text/csv", &body)
    }

    fn get(&self, path: &str) -> String {
        http::get(self.port, path)
    }

    fn store(&self) -> Store {
        Store::open(&self.dir.join("oracle.db")).unwrap()
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().ok();
            child.wait().ok();
        }
    }
}

fn gasps(feeder: u32, at: u64) -> Vec<String> {
    meters()
        .iter()
        .filter(|m| m.1 == feeder)
        .map(|(m, f)| format!("last_gasp,{m},{f},{}", at + m % 4 * 1_000))
        .collect()
}

fn restores(feeder: u32, at: u64) -> Vec<String> {
    meters()
        .iter()
        .filter(|m| m.1 == feeder)
        .map(|(m, f)| format!("restore,{m},{f},{}", at + m % 4 * 1_000))
        .collect()
}

/// Readings of every meter at `minutes` after `from`, at the normal load or, if `shedding`, what the
/// meter draws during the event.
fn readings(from: u64, minutes: std::ops::Range<u64>, shedding: bool) -> Vec<String> {
    let mut lines = Vec::new();
    for (m, _) in meters() {
        for k in minutes.clone() {
            let wh = if shedding && sheds(m) {
                base_wh(m) / 2
            } else {
                base_wh(m)
            };
            lines.push(format!("reading,{m},{},{wh}", from + k * MINUTE_MS));
        }
    }
    lines
}

#[test]
#[ignore = "needs a gridtrust-node binary and a few minutes; run by scripts/e2e.sh"]
fn three_daemons_pay_a_storm_and_a_peak_on_a_real_node() {
    let mut phase = Phase("start a node and deploy with `gridtrust deploy`");
    let Deployed {
        node,
        root,
        config,
        manifest_path,
        grid,
        mut chain,
        _ticker,
        ..
    } = Deployed::start(|config| {
        gridtrust::deploy::run(config, None).expect("gridtrust deploy");
    });
    let utility = chain.actor("Alice");
    let insurer = chain.actor("insurer");
    chain.fund(&insurer, 2_000 * UNIT).unwrap();
    let customers: Vec<(AccountId, u64, u32)> = meters()
        .into_iter()
        .map(|(m, f)| (chain.actor(&format!("customer-{m}")), m, f))
        .collect();
    for (who, ..) in &customers {
        chain.fund(who, 20 * UNIT).unwrap();
    }
    grid.attest_meters(&mut chain, &customers).unwrap();

    let insurance = grid.insurance.address;
    let mut ins = call_builder::<OutageInsurance>(insurance);
    let terms = day_cover(&[(1, 5 * UNIT), (2, 20 * UNIT)], UNIT, 40 * UNIT);
    let pool = chain
        .call(&insurance, ins.create_pool(terms), &insurer, 1_000 * UNIT)
        .unwrap()
        .value
        .unwrap();
    let demand = grid.demand.address;
    let mut dr = call_builder::<DemandResponse>(demand);
    let program_terms = ProgramTerms {
        rate_per_kwh: UNIT,
        cap_per_event: 10 * UNIT,
        baseline: BaselineParams {
            highest: 2,
            lookback: 3,
            adjustment_cap_bps: 2_000,
        },
        dispute_window_ms: 10_000,
        min_reduction: demand_response::MinReduction::NONE,
        utc_offset: 0,
    };
    let program = chain
        .call(
            &demand,
            dr.create_program(program_terms),
            &utility,
            100 * UNIT,
        )
        .unwrap()
        .value
        .unwrap();
    for (who, meter, feeder) in &customers {
        chain
            .call(&insurance, ins.buy_policy(pool, *meter, *feeder), who, UNIT)
            .unwrap()
            .value
            .unwrap();
        chain
            .call(&demand, dr.enroll(program, *meter, *feeder), who, 0)
            .unwrap()
            .value
            .unwrap();
    }

    phase.enter("announce the peak event");
    // The event: two one-minute intervals from the first whole minute at least a minute from now
    // (readings start on interval boundaries, which the daemons' ingest bounds insist on).
    let t0 = chain.now_ms().unwrap();
    let start = (t0 / MINUTE_MS + 2) * MINUTE_MS;
    let end = start + 2 * MINUTE_MS;
    let event = chain
        .call(
            &demand,
            dr.announce_event(program, start, end, start, 0),
            &utility,
            0,
        )
        .unwrap()
        .value
        .unwrap();

    let mut daemons = [
        Daemon::new(root.path(), "Bob", &node.url(), &manifest_path, false),
        Daemon::new(root.path(), "Charlie", &node.url(), &manifest_path, false),
        Daemon::new(root.path(), "Dave", &node.url(), &manifest_path, true),
    ];
    for d in daemons.iter_mut() {
        d.start();
    }
    phase.enter("ingest history");
    // History: the event's clock times on the three days before, and the adjustment window.
    let history: Vec<String> = (1..=3u64)
        .flat_map(|d| readings(start - d * DAY_MS - 3 * MINUTE_MS, 0..5, false))
        .chain(readings(start - 3 * MINUTE_MS, 0..2, false))
        .collect();
    let answer = daemons[0].post(&history);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        answer.contains(&format!("\"readings\":{}", history.len())),
        "{answer}"
    );
    for d in &daemons[1..] {
        d.feed("history.csv", &history);
    }
    phase.enter("a bad line is rejected");
    // A bad line is reported with its number and logged, and the rest is stored.
    let answer = daemons[2].post(&[
        "reading,1000,abc,5".into(),
        format!("reading,1000,{},5", start - 10 * MINUTE_MS),
    ]);
    assert!(answer.contains("\"line\":1"), "{answer}");
    assert!(answer.contains("\"readings\":1"), "{answer}");
    let log = std::fs::read_to_string(daemons[2].dir.join("rejects.log")).unwrap();
    assert!(log.starts_with("http#"), "{log}");
    assert!(log.contains(":1: "), "{log}");

    phase.enter("the storm, with operator 1 stopped");
    // ---- the storm, with operator 1 stopped ----
    daemons[0].stop();
    let t1 = chain.now_ms().unwrap() + 2_000;
    sleep_until(&mut chain, t1 + 5_000);
    for d in &daemons[1..] {
        d.feed("storm-gasps.csv", &[gasps(1, t1), gasps(2, t1)].concat());
    }
    let balances_before: Vec<u128> = customers
        .iter()
        .map(|(who, ..)| chain.balance(who).unwrap())
        .collect();
    sleep_until(&mut chain, t1 + 70_000);
    for d in &daemons[1..] {
        d.feed("storm-restores-1.csv", &restores(1, t1 + 65_000));
    }
    sleep_until(&mut chain, t1 + 130_000);
    for d in &daemons[1..] {
        d.feed("storm-restores-2.csv", &restores(2, t1 + 125_000));
    }
    let mut query = chain.clone();
    wait_until(
        "both outages final and paid",
        Duration::from_secs(90),
        || {
            query
                .query(&insurance, ins.outage_count(), &utility)
                .unwrap()
                == 2
                && (0..2).all(|o| {
                    query
                        .query(&insurance, ins.payouts_remaining(o), &utility)
                        .unwrap()
                        == Some(0)
                })
        },
    );
    for ((who, meter, feeder), before) in customers.iter().zip(&balances_before) {
        let gained = chain.balance(who).unwrap() - before;
        let expected = if *feeder == 1 { 5 * UNIT } else { 20 * UNIT };
        assert_eq!(
            gained, expected,
            "meter {meter} on feeder {feeder} paid by outage length"
        );
    }

    phase.enter("a customer verifies a payout with `gridtrust verify payout`");
    // The evidence from an operator's HTTP door, then the CLI proves it against the chain.
    let record = chain
        .query(&insurance, ins.outage(0), &utility)
        .unwrap()
        .unwrap();
    let served = daemons[1].get(&format!(
        "/evidence/{}?meter=1000",
        gridtrust_oracle::evidence::root_hex(&record.report.evidence_root)
    ));
    let mut doc = http::json_body(&served);
    assert!(!doc["proofs"].as_array().unwrap().is_empty(), "{served}");
    let evidence = root.path().join("evidence.json");
    std::fs::write(&evidence, doc.to_string()).unwrap();
    let cli = Cli(root.path());
    let payout = "verify payout --config local.toml --meter 1000 --outage 0";
    let verify = format!("{payout} --json --events evidence.json");
    let verdict = cli.json(&verify);
    assert_eq!(verdict["holds"], true, "{verdict}");
    assert_eq!(
        verdict["outages"][0]["paid"],
        (5 * UNIT).to_string(),
        "{verdict}"
    );
    // Fetched by the CLI itself from another operator's door, the same evidence checks out.
    let door = daemons[2].port;
    let said = cli.ok(&format!("{payout} --from http://127.0.0.1:{door}"));
    assert!(said.contains("every payout checks out"), "{said}");
    // The same file with the customer's restore moved an hour later fails, naming the root.
    for e in doc["events"].as_array_mut().unwrap() {
        if e["meter"] == 1000 && e["kind"] == "restore" {
            e["at_ms"] = (e["at_ms"].as_u64().unwrap() + 3_600_000).into();
        }
    }
    std::fs::write(&evidence, doc.to_string()).unwrap();
    let (ok, _, why) = cli.run(&verify);
    assert!(!ok, "a doctored file must fail");
    assert!(why.contains("is not the root the chain keeps"), "{why}");

    phase.enter("the portal shows the customer's page from the node");
    // A node-backed portal (with operator 2's configuration: its store for proofs) answers the
    // customer's look-up.
    let mut portal = Command::new(env!("CARGO_BIN_EXE_gridtrust"))
        .args(["portal", "--listen", "127.0.0.1:0", "--config"])
        .arg(&config)
        .arg("--oracle")
        .arg(&daemons[1].config)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut said = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(portal.stdout.take().unwrap()),
        &mut said,
    )
    .unwrap();
    // "portal: http://127.0.0.1:PORT/ (Ctrl-C stops it)"
    let port: u16 = said
        .split_whitespace()
        .find_map(|word| word.strip_prefix("http://127.0.0.1:"))
        .and_then(|rest| rest.trim_end_matches('/').parse().ok())
        .unwrap_or_else(|| panic!("the portal says where it listens: {said}"));
    let policy = chain
        .query(&insurance, ins.policies_of_meter(1000), &utility)
        .unwrap()[0];
    let page = http::get(port, "/?meter=1000&lang=en");
    let proof = http::get(
        port,
        &format!("/api/payout-proof?outage=0&meter=1000&policy={policy}"),
    );
    portal.kill().ok();
    portal.wait().ok();
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(
        page.contains("5.00 tokens"),
        "the 5-token payout is shown: {page}"
    );
    assert!(proof.contains("\"root\""), "{proof}");

    phase.enter("one operator alone reports an outage");
    // ---- one operator alone reports an outage nobody else saw ----
    let fake = t1 + 140_000;
    sleep_until(&mut chain, fake + 12_000);
    daemons[2].feed(
        "doctored.csv",
        &[gasps(2, fake), restores(2, fake + 10_000)].concat(),
    );
    wait_until("the doctored report sent", Duration::from_secs(30), || {
        daemons[2]
            .store()
            .outbox()
            .unwrap()
            .iter()
            .any(|(r, state)| {
                matches!(r, Report::OutageEnd(o) if o.start_ms == fake)
                    && *state == OutboxState::Delivered
            })
    });
    assert_eq!(
        chain
            .query(&insurance, ins.outage_count(), &utility)
            .unwrap(),
        2,
        "one operator's report finalizes nothing"
    );
    assert_eq!(
        chain
            .query(
                &insurance,
                ins.report_finalized(outage_end_id(2, fake)),
                &utility
            )
            .unwrap(),
        None
    );

    phase.enter("operator 1 returns, is killed while sending, returns again");
    // ---- operator 1 returns, is killed while sending, and returns again ----
    daemons[0].start();
    daemons[0].feed(
        "storm.csv",
        &[
            gasps(1, t1),
            gasps(2, t1),
            restores(1, t1 + 65_000),
            restores(2, t1 + 125_000),
        ]
        .concat(),
    );
    wait_until(
        "operator 1 queued the storm",
        Duration::from_secs(30),
        || !daemons[0].store().outbox().unwrap().is_empty(),
    );
    daemons[0].kill();
    daemons[0].start();
    wait_until(
        "operator 1's outbox delivered",
        Duration::from_secs(60),
        || daemons[0].store().pending().unwrap().is_empty(),
    );
    let storm_reports: Vec<_> = daemons[0]
        .store()
        .outbox()
        .unwrap()
        .into_iter()
        .filter(|(r, _)| matches!(r, Report::OutageEnd(_)))
        .collect();
    assert_eq!(
        storm_reports.len(),
        2,
        "both final reports, once each: {storm_reports:?}"
    );
    for (report, state) in storm_reports {
        assert_eq!(state, OutboxState::Delivered, "{} delivered", report.kind());
    }
    assert_eq!(
        chain
            .query(&insurance, ins.outage_count(), &utility)
            .unwrap(),
        2
    );
    for ((who, ..), before) in customers.iter().zip(&balances_before) {
        let gained = chain.balance(who).unwrap() - before;
        assert!(gained <= 20 * UNIT, "nobody paid twice");
    }

    phase.enter("the peak: late readings, results, settlement");
    // ---- the peak: readings of the event arrive after it ----
    sleep_until(&mut chain, end + 2_000);
    let during = readings(start, 0..2, true);
    daemons[0].post(&during);
    for d in &daemons[1..] {
        d.feed("event.csv", &during);
    }
    let mut query = chain.clone();
    wait_until(
        "the event's results recorded",
        Duration::from_secs(90),
        || {
            customers.iter().all(|(_, m, _)| {
                query
                    .query(&demand, dr.entry(event, *m), &utility)
                    .unwrap()
                    .is_some()
            })
        },
    );
    // Closing ends measurement: an operator that has not computed the results by then never does.
    // Every operator has the readings, so every one computes them (the check below uses operator 2's).
    wait_until(
        "every operator measured the event",
        Duration::from_secs(60),
        || {
            daemons.iter().all(|d| {
                d.get("/metrics")
                    .contains("gridtrust_oracle_dr_events_measured_total 1")
            })
        },
    );
    chain
        .call(&demand, dr.close_event(event), &utility, 0)
        .unwrap()
        .value
        .unwrap();
    let before_settle: Vec<u128> = customers
        .iter()
        .map(|(who, ..)| chain.balance(who).unwrap())
        .collect();
    let mut query = chain.clone();
    wait_until(
        "the keeper settled the event",
        Duration::from_secs(90),
        || {
            query
                .query(&demand, dr.event(event), &utility)
                .unwrap()
                .is_some_and(|e| e.settled)
        },
    );
    for ((who, meter, _), before) in customers.iter().zip(before_settle) {
        let entry = chain
            .query(&demand, dr.entry(event, *meter), &utility)
            .unwrap()
            .unwrap();
        // Every history day and the day of drew the base load: the baseline is two intervals of it.
        assert_eq!(entry.baseline_wh, 2 * base_wh(*meter), "meter {meter}");
        let actual = if sheds(*meter) {
            base_wh(*meter)
        } else {
            2 * base_wh(*meter)
        };
        assert_eq!(entry.actual_wh, actual, "meter {meter}");
        let expected = subsidy(
            entry.baseline_wh,
            entry.actual_wh,
            program_terms.rate_per_kwh,
            program_terms.cap_per_event,
            program_terms.min_reduction,
        );
        assert_eq!(
            chain.balance(who).unwrap() - before,
            expected,
            "meter {meter} subsidy"
        );
        assert_eq!(expected > 0, sheds(*meter));
    }

    phase.enter("a customer verifies an entry");
    // A customer's entry checks out from an operator's data: figures, subsidy and every reading's proof.
    // Operator 2 (Charlie) keeps its configuration and store in its own folder.
    let entry = format!("oracle verify --config Charlie/oracle.toml --event {event} --meter 1002");
    let said = cli.ok(&entry);
    assert!(said.contains("proven against the batch root"), "{said}");
    assert!(said.contains("the entry checks out"), "{said}");
    // The customer's own export of meter 1002 checks out as well; with one reading changed it does
    // not, and the line names the value the chain committed.
    let own: Vec<String> = history
        .iter()
        .chain(&during)
        .filter(|l| l.starts_with("reading,1002,"))
        .cloned()
        .collect();
    let own_file = root.path().join("meter-1002.csv");
    let check_own = |lines: &[String]| {
        std::fs::write(&own_file, lines.join("\n")).unwrap();
        cli.run(&format!("{entry} --readings meter-1002.csv"))
    };
    let (ok, said, err) = check_own(&own);
    assert!(ok, "{said}{err}");
    let mut changed = own.clone();
    let last = changed.pop().unwrap();
    let (head, wh) = last.rsplit_once(',').unwrap();
    changed.push(format!("{head},{}", wh.parse::<u64>().unwrap() + 1));
    let (ok, said, _) = check_own(&changed);
    assert!(!ok, "{said}");
    assert!(
        said.contains("DIFFERS from what the chain committed"),
        "{said}"
    );

    phase.enter("gridtrust inspect");
    // What the contracts hold about one customer, as `gridtrust inspect` shows it.
    let text = cli.ok("inspect --config local.toml //customer-1000 --meter 1000");
    assert!(text.contains("meter-holder #"), "{text}");
    assert!(text.contains("meter 1000, feeder 1: policy #"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with("outage #")
                && l.contains(": 5.00 tokens in block #")),
        "{text}"
    );
    assert!(
        text.contains(&format!("event #{event}, meter 1000: baseline")),
        "{text}"
    );
    // Everything shown is one block's state, and the reader is told which (a dev chain: its best).
    assert!(
        text.lines()
            .last()
            .is_some_and(|l| l.starts_with("read at block #") && l.ends_with(", best)")),
        "{text}"
    );

    phase.enter("the daemons' metrics and health");
    // The daemons' own accounts of it.
    let metrics = daemons[2].get("/metrics");
    assert!(
        metrics.contains("gridtrust_oracle_payouts_triggered_total 8"),
        "{metrics}"
    );
    assert!(daemons[2].get("/health").starts_with("HTTP/1.1 200"));
    assert!(
        metrics.contains("gridtrust_oracle_lines_rejected_total 1"),
        "{metrics}"
    );
    for d in daemons.iter_mut() {
        d.stop();
    }
}

/// A gridtrust-node dev chain with every contract deployed, a client on it, and blocks ticking. Fields drop
/// in order: the ticker stops before the node does.
struct Deployed {
    /// Keeps blocks coming while a test waits on the chain's clock.
    _ticker: Ticker,
    /// A client funded by Alice.
    chain: NodeChain,
    /// The grid's contracts as the manifest records them.
    grid: Grid,
    /// What the deployment wrote.
    manifest: Manifest,
    /// The configuration's plan.
    plan: Plan,
    /// Where the manifest is, for the daemons' configurations.
    manifest_path: PathBuf,
    /// The deployment configuration ([`deployment_config`]).
    config: PathBuf,
    /// Holds the configuration, the manifest and each test's files.
    root: tempfile::TempDir,
    /// The node.
    node: LocalNode,
}

impl Deployed {
    /// Starts a node, writes the configuration and has `deploy` deploy with it (in this process,
    /// or as the `gridtrust deploy` command); reads back the manifest it wrote.
    fn start(deploy: impl FnOnce(&Path)) -> Self {
        let node = LocalNode::start().expect("a gridtrust-node starts (GRIDTRUST_NODE or PATH)");
        let root = tempfile::tempdir().unwrap();
        let config = deployment_config(root.path(), &node.url());
        deploy(&config);
        let manifest_path = gridtrust::deploy::manifest_path(&config);
        let plan = gridtrust::deploy::load(&config).unwrap().plan;
        let manifest = Manifest::read(&manifest_path)
            .unwrap()
            .expect("the deployment wrote its manifest");
        let grid = manifest.grid(&plan).unwrap();
        let options = NodeOptions::new(node.url()).with_faucet(Key::dev("Alice"));
        let chain = NodeChain::connect(options).unwrap();
        Self {
            _ticker: Ticker::start(&chain),
            chain,
            grid,
            manifest,
            plan,
            manifest_path,
            config,
            root,
            node,
        }
    }
}

/// The deployment configuration both tests deploy with: dev accounts, a 2-of-3 committee.
fn deployment_config(root: &Path, url: &str) -> PathBuf {
    let config = root.join("local.toml");
    std::fs::write(
        &config,
        format!(
            "[chain]\nurl = \"{url}\"\nfaucet = \"//Alice\"\n[accounts]\nutility = \"//Alice\"\n\
             tourism_authority = \"//Eve\"\nkyc = \"//Ferdie\"\n[committee]\n\
             operators = [\"//Bob\", \"//Charlie\", \"//Dave\"]\nthreshold = 2\n"
        ),
    )
    .unwrap();
    config
}

/// The `gridtrust` binary run in a test's folder, where the deployment configuration (`local.toml`),
/// each daemon's folder and every file a command reads are, so each command reads as a user types
/// it: `cli.ok("inspect --config local.toml //C5001 --meter 5001")`.
struct Cli<'a>(&'a Path);

impl Cli<'_> {
    /// Runs `gridtrust LINE`, its words separated by single spaces; returns (succeeded, stdout,
    /// stderr).
    fn run(&self, line: &str) -> (bool, String, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_gridtrust"))
            .current_dir(self.0)
            .args(line.split(' '))
            .output()
            .expect("the gridtrust binary runs");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Like [`Cli::run`], but the command must succeed; returns its stdout.
    fn ok(&self, line: &str) -> String {
        let (ok, out, err) = self.run(line);
        assert!(ok, "gridtrust {line}: {out}{err}");
        out
    }

    /// Like [`Cli::ok`], for a command that answers JSON (`--json`).
    fn json(&self, line: &str) -> serde_json::Value {
        let out = self.ok(line);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("gridtrust {line}: {e}: {out}"))
    }
}

#[test]
#[ignore = "needs a gridtrust-node binary and a few minutes; run by scripts/e2e.sh"]
fn every_role_does_its_job_from_the_command_line_on_a_real_node() {
    let mut phase = Phase("start a node and deploy with `gridtrust deploy`");
    let Deployed {
        node,
        root,
        manifest_path,
        plan,
        manifest,
        grid,
        mut chain,
        _ticker,
        ..
    } = Deployed::start(|config| {
        Cli(config.parent().unwrap()).ok("deploy --config local.toml");
    });
    let cli = Cli(root.path());
    let lodging = manifest.lodging(&plan).unwrap();
    let account = |name: &str| Key::dev(name).account();
    for name in [
        "Insurer", "C5001", "C5002", "C5003", "Hotel", "Guest1", "Guest2",
    ] {
        chain.fund(&account(name), 1_000 * UNIT).unwrap();
    }

    phase.enter("the utility attests its customers from CSV");
    let holders = root.path().join("holders.csv");
    let lines: Vec<String> = std::iter::once("account,meter,feeder,expiry".to_owned())
        .chain((5001..=5003).map(|m| {
            format!(
                "{},{m},7,",
                gridtrust_chain::ss58(&account(&format!("C{m}")))
            )
        }))
        .collect();
    std::fs::write(&holders, lines.join("\r\n")).unwrap();
    let import = format!(
        "utility meters import --config local.toml --suri //Alice --schema {} --json --csv holders.csv",
        grid.meter_schema
    );
    let done = cli.json(&import);
    assert_eq!(done["attested"], 3, "{done}");
    let again = cli.json(&import);
    assert_eq!(
        (again["attested"].as_u64(), again["already"].as_u64()),
        (Some(0), Some(3))
    );

    phase.enter("an insurer creates and funds a pool; customers buy cover");
    let terms = root.path().join("pool.toml");
    std::fs::write(
        &terms,
        "premium = \"2\"\ncoverage_days = 30\naggregate_limit = \"20\"\nfeeder_cap = \"500\"\n\
         max_oracle_silence_hours = 24\n[[tiers]]\nmin_minutes = 1\npayout = \"5\"\n",
    )
    .unwrap();
    let create =
        "insurer pool create --config local.toml --suri //Insurer --terms pool.toml --fund 100 --json";
    // First a dry run: what would be sent and its fee, as JSON, and nothing sent.
    let (ok, preview, said) = cli.run(&format!("{create} --dry-run"));
    assert!(ok, "a dry run succeeds: {preview}{said}");
    assert!(said.contains("dry run: nothing sent"), "{said}");
    let preview: serde_json::Value = serde_json::from_str(&preview).expect(&preview);
    let preview = &preview["preview"];
    assert_eq!(
        (&preview["contract"], &preview["message"]),
        (&"outage_insurance".into(), &"create_pool".into()),
        "named from the bundle's metadata: {preview}"
    );
    let fee: u128 = preview["fee"].as_str().unwrap().parse().unwrap();
    assert!(fee > 0, "the node's fee estimate: {preview}");
    assert!(preview["ref_time"].as_u64().unwrap() > 0, "{preview}");
    // Then for real, with its preview on standard error.
    let (ok, out, said) = cli.run(create);
    assert!(ok, "{out}{said}");
    assert!(
        said.contains("to send: outage_insurance.create_pool signed by")
            && said.contains("value 100.00 tokens, fee ≈ 0.0"),
        "the transaction previewed with its value and fee: {said}"
    );
    let created: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(created["pool"], 0, "the dry run created no pool: {created}");
    let pool = created["pool"].to_string();
    // The committee must have been heard for sales: each operator sends a heartbeat.
    let mut ins = call_builder::<OutageInsurance>(grid.insurance.address);
    for op in ["Bob", "Charlie"] {
        let who = chain.actor(op);
        chain
            .call(&grid.insurance.address, ins.heartbeat(), &who, 0)
            .unwrap()
            .value
            .unwrap();
    }
    let quoted = cli.ok(&format!(
        "customer cover quote --config local.toml --pool {pool} --feeder 7"
    ));
    assert!(
        quoted.contains("out ≥ 1 min → 5.00 tokens") && !quoted.contains("NOT on sale"),
        "{quoted}"
    );
    let buy = "customer cover buy --config local.toml";
    for m in 5001..=5003 {
        cli.ok(&format!(
            "{buy} --suri //C{m} --pool {pool} --meter {m} --feeder 7"
        ));
    }
    let (ok, _, why) = cli.run(&format!(
        "{buy} --suri //Guest1 --pool {pool} --meter 5001 --feeder 7"
    ));
    assert!(!ok && why.contains("not meter holder"), "{why}");

    phase.enter("the daemons decide an outage and the keeper pays it");
    let mut daemons = [("Bob", false), ("Charlie", false), ("Dave", true)]
        .map(|(name, keeper)| Daemon::new(root.path(), name, &node.url(), &manifest_path, keeper));
    for d in daemons.iter_mut() {
        d.start();
    }
    let t = chain.now_ms().unwrap() + 2_000;
    sleep_until(&mut chain, t + 5_000);
    let storm: Vec<String> = (5001..=5003)
        .map(|m| format!("last_gasp,{m},7,{}", t + m - 5001))
        .chain((5001..=5003).map(|m| format!("restore,{m},7,{}", t + 65_000 + m - 5001)))
        .collect();
    sleep_until(&mut chain, t + 70_000);
    for d in &daemons {
        d.feed("storm.csv", &storm);
    }
    let mut query = chain.clone();
    wait_until("the outage final and paid", Duration::from_secs(90), || {
        query
            .query(&grid.insurance.address, ins.outage_count(), &grid.utility)
            .unwrap()
            == 1
            && query
                .query(
                    &grid.insurance.address,
                    ins.payouts_remaining(0),
                    &grid.utility,
                )
                .unwrap()
                == Some(0)
    });

    phase.enter("the customer sees and checks the payout");
    let shown = cli.ok("inspect --config local.toml //C5001 --meter 5001");
    assert!(shown.contains(": 5.00 tokens"), "{shown}");
    let from = format!("http://127.0.0.1:{}", daemons[0].port);
    let checked = cli.ok(&format!(
        "verify payout --config local.toml --meter 5001 --from {from}"
    ));
    assert!(checked.contains("every payout checks out"), "{checked}");

    phase.enter("the insurer reads its book and withdraws free capital");
    let insurer = "--config local.toml --suri //Insurer";
    let status = cli.json(&format!(
        "insurer pool status {insurer} --pool {pool} --json"
    ));
    assert_eq!(status["policies_sold"], 3, "{status}");
    assert_eq!(status["paid_out"], (15 * UNIT).to_string(), "{status}");
    let before = chain.balance(&account("Insurer")).unwrap();
    cli.ok(&format!(
        "insurer pool withdraw {insurer} --pool {pool} --amount 10"
    ));
    assert!(chain.balance(&account("Insurer")).unwrap() > before + 9 * UNIT);

    phase.enter("a hotel lists its last room; one guest books it, the next is refused");
    // The tourism authority attests the hotel as a verified merchant.
    let merchant = cli.ok(&format!(
        "utility attest --config local.toml --suri //Eve --schema {} --account {} --yes",
        lodging.merchant_schema,
        gridtrust_chain::ss58(&account("Hotel"))
    ));
    assert!(merchant.starts_with("attestation "), "{merchant}");
    let details = root.path().join("hotel.json");
    std::fs::write(&details, "{\"name\":\"Lakeside\"}").unwrap();
    let hotel = "--config local.toml --suri //Hotel";
    let registered = cli.ok(&format!(
        "hotel register {hotel} --details hotel.json --bond 100 --utc-offset +08:00"
    ));
    assert!(
        registered.starts_with("property 0 registered")
            && registered.trim_end().ends_with("midnight UTC+08:00"),
        "{registered}"
    );
    let suite = root.path().join("suite.toml");
    std::fs::write(
        &suite,
        "price_per_night = \"40\"\n[[refund]]\ndays_before = 2\npercent = 100\n",
    )
    .unwrap();
    cli.ok(&format!(
        "hotel room add {hotel} --property 0 --capacity 1 --terms suite.toml"
    ));
    // "Tonight" is the hotel's local date (UTC+8), whatever the UTC date.
    let room = "--config local.toml --property 0 --room 0";
    let tonight = cli.json(&format!(
        "guest quote {room} --json --check-in tonight --nights 1"
    ));
    let local_now = chain.now_ms().unwrap() + 8 * 3_600_000;
    assert_eq!(tonight["check_in"], utc_day(local_now), "{tonight}");
    let day = utc_day(chain.now_ms().unwrap() + 5 * DAY_MS);
    let stay = format!("{room} --check-in {day} --nights 2");
    let booked = cli.json(&format!("guest book {stay} --suri //Guest1 --json"));
    assert_eq!(booked["amount"], (80 * UNIT).to_string(), "{booked}");
    let (ok, _, why) = cli.run(&format!("guest book {stay} --suri //Guest2"));
    assert!(!ok && why.contains("sold out"), "{why}");
    let hash = booked["terms_hash"].as_str().unwrap().to_owned();
    let guest = gridtrust_chain::ss58(&account("Guest1"));
    let booking = booked["booking"].to_string();
    let confirmed = cli.ok(&format!(
        "guest verify --config local.toml --booking {booking} --guest {guest} --terms-hash {hash}"
    ));
    assert!(confirmed.contains("Booked"), "{confirmed}");
    for d in daemons.iter_mut() {
        d.stop();
    }
    phase.enter("done");
}

/// The UTC day of `ms` as `YYYY-MM-DD`, as `gridtrust guest` takes it.
fn utc_day(ms: u64) -> String {
    chrono::DateTime::from_timestamp_millis(i64::try_from(ms).unwrap())
        .unwrap()
        .format("%Y-%m-%d")
        .to_string()
}
