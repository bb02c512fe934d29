//! The portal under a storm's customers: the demo's portal (`gridtrust demo --serve`, as its own
//! process) asked for customer, insurer and regulator pages by clients on loopback, one at a time
//! and 50 at once. Wall-clock figures of this machine, unlike the weights.

use std::{
    io::{BufRead, BufReader},
    net::SocketAddr,
    process::{Child, Command, Stdio},
    time::Duration,
};

use anyhow::{Context, Result};
use gridtrust_chain::GENESIS_TIME_MS;
use gridtrust_oracle::sample::SampleSpec;
use serde_json::{json, Value};

use super::Figures;
use crate::portal::{
    load::{self, quantile, Clients},
    DEADLINE, SHARED_PAGE_TTL,
};

/// Clients asking at once in the loaded case, and for how long.
const CLIENTS: usize = 50;
const LOADED_FOR: Duration = Duration::from_secs(10);

/// One page kind's figures.
pub(crate) struct PageFigure {
    pub(crate) page: &'static str,
    /// One client, one page at a time: p50 and p99 (ms).
    pub(crate) alone_p50_ms: f64,
    pub(crate) alone_p99_ms: f64,
    /// A page rendered from the chain (not served from memory), p50 of a few (ms).
    pub(crate) rendered_ms: f64,
    /// `CLIENTS` clients for `LOADED_FOR`: pages per second, p50 and p99 of pages (ms), and the
    /// share of answers that were `503`.
    pub(crate) pages_per_s: f64,
    pub(crate) loaded_p50_ms: f64,
    pub(crate) loaded_p99_ms: f64,
    pub(crate) busy_share: f64,
}

/// The demo's portal in a process of its own, until dropped.
struct Portal {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Portal {
    fn drop(&mut self) {
        // SIGINT, as Ctrl-C: the portal stops and the demo's stores are removed.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGINT) };
        let _ = self.child.wait();
    }
}

impl Portal {
    fn start() -> Result<Self> {
        let mut child = Command::new(std::env::current_exe()?)
            .args(["demo", "--serve", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("starting gridtrust demo --serve")?;
        let out = child.stdout.take().context("the demo's output")?;
        let mut lines = BufReader::new(out).lines();
        let url = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|line| Some(line[line.find("http://")?..].trim().to_owned()))
            .context("the demo never said where its portal serves")?;
        std::thread::spawn(move || for _ in lines {});
        let addr = url
            .trim_start_matches("http://")
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .trim_end_matches('/')
            .parse()
            .with_context(|| format!("the portal's address in `{url}`"))?;
        Ok(Self { child, addr })
    }
}

/// Measures the three pages and records them in `figures`.
pub(crate) fn pages(figures: &mut Figures) -> Result<()> {
    eprintln!("bench: the demo's portal (runs the demo first, about a minute)");
    let portal = Portal::start()?;
    let customers: Vec<String> = SampleSpec::town(GENESIS_TIME_MS)
        .meters()
        .into_iter()
        .map(|(meter, _)| format!("/?meter={meter}&lang=en"))
        .collect();
    let kinds: [(&'static str, Vec<String>); 3] = [
        ("customer", customers),
        ("insurer", vec!["/insurer?lang=en".to_owned()]),
        ("regulator", vec!["/regulator?lang=en".to_owned()]),
    ];
    for (page, paths) in kinds {
        eprintln!("bench: portal {page} pages");
        // A page rendered from the chain: a customer page always is; a shared page once it has
        // been kept longer than its time in memory.
        let mut rendered = Vec::new();
        for path in paths.iter().take(3) {
            if page != "customer" {
                std::thread::sleep(SHARED_PAGE_TTL + Duration::from_millis(100));
            }
            rendered.push(
                load::fetch(portal.addr, path, DEADLINE)?
                    .waited
                    .as_secs_f64()
                    * 1e3,
            );
        }
        let mut alone: Vec<f64> = load::one_by_one(portal.addr, &paths, 200)?
            .iter()
            .map(|d| d.as_secs_f64() * 1e3)
            .collect();
        let loaded = load::drive(
            portal.addr,
            &paths,
            CLIENTS,
            Clients::Patient,
            LOADED_FOR,
            DEADLINE + Duration::from_secs(2),
        )?;
        let answers = loaded.answers.len().max(1) as f64;
        figures.portal.push(PageFigure {
            page,
            alone_p50_ms: quantile(&mut alone.clone(), 0.5).unwrap_or_default(),
            alone_p99_ms: quantile(&mut alone, 0.99).unwrap_or_default(),
            rendered_ms: quantile(&mut rendered, 0.5).unwrap_or_default(),
            pages_per_s: loaded.pages_per_second(),
            loaded_p50_ms: loaded.quantile_ms(200, 0.5).unwrap_or_default(),
            loaded_p99_ms: loaded.quantile_ms(200, 0.99).unwrap_or_default(),
            busy_share: loaded.count(503) as f64 / answers,
        });
    }
    drop(portal);
    Ok(())
}

/// The table's lines.
pub(crate) fn print(figures: &[PageFigure]) {
    if figures.is_empty() {
        return;
    }
    println!();
    println!(
        "portal (the demo's, on this machine; loaded: {CLIENTS} clients for {} s, each waiting as a 503's Retry-After says; a shared page is kept {} s)",
        LOADED_FOR.as_secs(),
        SHARED_PAGE_TTL.as_secs()
    );
    println!(
        "{:<10} {:>11} {:>11} {:>11} {:>11} {:>11} {:>11} {:>9}",
        "page",
        "rendered",
        "alone p50",
        "alone p99",
        "loaded/s",
        "loaded p50",
        "loaded p99",
        "503s"
    );
    for f in figures {
        println!(
            "{:<10} {:>8.1} ms {:>8.1} ms {:>8.1} ms {:>11.1} {:>8.1} ms {:>8.1} ms {:>8.1} %",
            f.page,
            f.rendered_ms,
            f.alone_p50_ms,
            f.alone_p99_ms,
            f.pages_per_s,
            f.loaded_p50_ms,
            f.loaded_p99_ms,
            f.busy_share * 100.0
        );
    }
}

/// The figures as JSON.
pub(crate) fn to_json(figures: &[PageFigure]) -> Value {
    let round = |x: f64| (x * 10.0).round() / 10.0;
    figures
        .iter()
        .map(|f| {
            (
                f.page.to_owned(),
                json!({
                    "rendered_ms": round(f.rendered_ms),
                    "alone_p50_ms": round(f.alone_p50_ms),
                    "alone_p99_ms": round(f.alone_p99_ms),
                    "clients": CLIENTS,
                    "pages_per_s": round(f.pages_per_s),
                    "loaded_p50_ms": round(f.loaded_p50_ms),
                    "loaded_p99_ms": round(f.loaded_p99_ms),
                    "busy_share": (f.busy_share * 1000.0).round() / 1000.0,
                }),
            )
        })
        .collect::<serde_json::Map<_, _>>()
        .into()
}
