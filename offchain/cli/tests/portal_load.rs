//! The demo's portal when a storm's customers all arrive at once (second review, findings 15 and
//! 16), on loopback only, in a test binary of its own so nothing else shares the machine:
//! - 200 clients ask for pages for 20 s: every answer is a page or a quick `503` with
//!   `Retry-After`, nobody waits past the portal's deadline, and a second after the burst a page
//!   answers at once;
//! - 5,000 pages one after another: the last ones cost what the first did, ±20 % (a read leaves the
//!   chain as it found it).

use std::time::Duration;

use gridtrust::portal::{
    load::{self, quantile, Clients},
    DEADLINE,
};
use gridtrust_chain::GENESIS_TIME_MS;
use gridtrust_oracle::sample::SampleSpec;

mod support;

/// Every meter of the demo town's customer pages, and the two shared pages.
fn pages() -> Vec<String> {
    let mut pages: Vec<String> = SampleSpec::town(GENESIS_TIME_MS)
        .meters()
        .into_iter()
        .map(|(meter, _)| format!("/?meter={meter}&lang=en"))
        .collect();
    pages.push("/insurer?lang=en".into());
    pages.push("/regulator?lang=zh".into());
    pages
}

#[test]
fn a_burst_gets_pages_or_quick_refusals_and_the_portal_costs_the_same_after_it() {
    let served = support::served::serve_demo();
    let pages = pages();
    // What a client waits at most: the portal's deadline, and a margin for the machine.
    let patience = DEADLINE + Duration::from_secs(2);

    // Clients that ask again at once after a 503: the harshest burst.
    let lasting = Duration::from_secs(20);
    let burst = load::drive(
        served.addr,
        &pages,
        200,
        Clients::Impatient,
        lasting,
        patience,
    )
    .unwrap();
    let (ok, busy) = (burst.count(200), burst.count(503));
    println!(
        "burst: {} answers in {:.1} s: {ok} pages ({:.1}/s, p50 {:.0} ms, p99 {:.0} ms), {busy} busy \
         (p99 {:.0} ms), longest wait {:.0} ms, {} without an answer",
        burst.answers.len(),
        burst.lasted.as_secs_f64(),
        burst.pages_per_second(),
        burst.quantile_ms(200, 0.5).unwrap_or(0.0),
        burst.quantile_ms(200, 0.99).unwrap_or(0.0),
        burst.quantile_ms(503, 0.99).unwrap_or(0.0),
        burst.longest_wait().as_secs_f64() * 1e3,
        burst.failures.len(),
    );
    assert!(
        burst.failures.is_empty(),
        "{:?}",
        &burst.failures[..burst.failures.len().min(5)]
    );
    assert_eq!(ok + busy, burst.answers.len(), "only pages and 503s");
    assert!(ok > 0, "the portal served nothing");
    assert!(
        burst
            .answers
            .iter()
            .all(|a| a.status != 503 || a.retry_after.is_some()),
        "every 503 says when to come back"
    );
    assert!(
        burst.longest_wait() <= DEADLINE + Duration::from_millis(500),
        "a client waited {:?}, past the deadline {DEADLINE:?}",
        burst.longest_wait()
    );

    // A second after the burst, the portal is idle again: a page answers at once.
    std::thread::sleep(Duration::from_secs(1));
    let after = load::fetch(served.addr, "/?meter=2001&lang=en", patience).unwrap();
    println!("a page a second after the burst: {:?}", after.waited);
    assert_eq!(after.status, 200);
    assert!(
        after.waited < Duration::from_millis(100),
        "{:?}",
        after.waited
    );

    // 5,000 customer pages one after another: the last 500 cost what the first 500 did. Compared by
    // their cheapest tenth: on a shared two-core machine a median swings by a fifth with whatever
    // else runs, while what a read leaves behind raises every page (it took the 700th page from
    // 27 ms to 1.8 s).
    let customers: Vec<String> = pages
        .iter()
        .filter(|p| p.starts_with("/?"))
        .cloned()
        .collect();
    let waited = load::one_by_one(served.addr, &customers, 5_000).unwrap();
    let cost = |part: &[Duration], q: f64| {
        let mut ms: Vec<f64> = part.iter().map(|d| d.as_secs_f64() * 1e3).collect();
        quantile(&mut ms, q).unwrap()
    };
    let (first, last) = (&waited[..500], &waited[4_500..]);
    println!(
        "5,000 pages: first 500 p10 {:.1} ms, p50 {:.1} ms; last 500 p10 {:.1} ms, p50 {:.1} ms",
        cost(first, 0.1),
        cost(first, 0.5),
        cost(last, 0.1),
        cost(last, 0.5)
    );
    let (first, last) = (cost(first, 0.1), cost(last, 0.1));
    assert!(
        (last / first - 1.0).abs() <= 0.2,
        "the last pages cost {last:.1} ms against {first:.1} ms at first"
    );
}
