//! `gridtrust`: GridTrust's command line.
//!
//! `gridtrust demo` runs the main job on the embedded sandbox chain (no node needed).
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

use gridtrust::{bench, demo, deploy, inspect};

/// GridTrust: identity attestations, reservations, demand-response settlement and outage insurance as
/// ink! contracts, with the oracle that feeds them.
#[derive(Parser)]
#[command(name = "gridtrust", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Deploy every contract into the embedded sandbox chain and run the demo scenario.
    Demo,
    /// Measure contract sizes and message weights on the sandbox chain with the real Wasm.
    Bench {
        /// Also write the figures as JSON to this file.
        #[arg(long, value_name = "PATH")]
        json: Option<PathBuf>,
        /// Skip the slow 100,000-policy case.
        #[arg(long)]
        quick: bool,
    },
    /// The meter-data oracle.
    #[command(subcommand)]
    Oracle(OracleCommand),
    /// Deploy and wire every contract on a real chain per a configuration file (idempotent: a re-run
    /// reuses the code and instances its manifest records); writes `<config>.deployment.json`.
    Deploy {
        /// The deployment configuration (see deploy/local.toml).
        #[arg(long, value_name = "FILE", default_value = "deploy/local.toml")]
        config: PathBuf,
        /// Deploy to this endpoint instead of the configured one.
        #[arg(long, value_name = "WS_URL")]
        url: Option<String>,
    },
    /// Show what the deployed contracts hold about an account: balance, attestations, policies and
    /// payouts of its meters, demand-response entries, bookings.
    Inspect {
        /// The deployment configuration whose manifest names the contracts.
        #[arg(long, value_name = "FILE", default_value = "deploy/local.toml")]
        config: PathBuf,
        /// The account: an SS58 address or a secret URI.
        account: String,
        /// Meters of the account to look up policies and entries for.
        #[arg(long = "meter", value_name = "METER")]
        meters: Vec<u64>,
    },
    /// Start a local contracts-node dev chain on a free port and keep it running until interrupted.
    Node {
        /// Keep the chain's database in this folder (it survives restarts); default: a temporary one.
        #[arg(long, value_name = "DIR")]
        base_path: Option<PathBuf>,
        /// The RPC port (the configurations in deploy/ name 9944).
        #[arg(long, default_value_t = 9944)]
        rpc_port: u16,
    },
}

#[derive(Subcommand)]
enum OracleCommand {
    /// Ingest CSV or JSON Lines files of readings and meter events into the oracle's database; bad
    /// lines are listed with file and line number and the rest is stored.
    Ingest {
        /// The SQLite database (created when missing).
        #[arg(long, value_name = "PATH", default_value = "oracle.db")]
        db: PathBuf,
        /// Files to ingest (`.csv` or `.jsonl`).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Write the sample town (300 meters, a week of 15-minute readings, a storm, a peak) as
    /// `readings.csv` and `events.csv`; the same every time.
    Sample {
        /// The folder to write to (created when missing).
        #[arg(long, value_name = "DIR", default_value = "sample")]
        out: PathBuf,
        /// Seed of the load noise (the demo's town is seed 7).
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// First day's midnight, Unix ms (default 2026-01-05, a Monday).
        #[arg(long, value_name = "MS", default_value_t = 1_767_571_200_000)]
        start_ms: u64,
    },
    /// Run one committee operator's daemon against a node: ingest from a watched folder and HTTP,
    /// decide outages and demand-response results, send reports, trigger payouts; until SIGINT/SIGTERM.
    Run {
        /// The daemon configuration (see deploy/oracle-1.toml).
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
    },
    /// Recompute a customer's demand-response entry from this operator's data (baseline with the
    /// shared code, subsidy with the shared formula) and prove each reading against the chain.
    Verify {
        /// The daemon configuration (chain, manifest, store, demand rule).
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        /// The demand-response event.
        #[arg(long)]
        event: u64,
        /// The customer's meter.
        #[arg(long)]
        meter: u64,
    },
    /// List the feeder outages the ingested meter events show (3 dark meters make an outage).
    Outages {
        /// The SQLite database.
        #[arg(long, value_name = "PATH", default_value = "oracle.db")]
        db: PathBuf,
    },
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Demo => demo::run().map(drop),
        Command::Bench { json, quick } => bench::run(json, quick),
        Command::Deploy { config, url } => deploy::run(&config, url.as_deref()).map(drop),
        Command::Node {
            base_path,
            rpc_port,
        } => node(base_path, rpc_port),
        Command::Inspect {
            config,
            account,
            meters,
        } => inspect::run(&config, &account, &meters),
        Command::Oracle(OracleCommand::Ingest { db, files }) => ingest(&db, &files),
        Command::Oracle(OracleCommand::Sample {
            out,
            seed,
            start_ms,
        }) => sample(&out, seed, start_ms),
        Command::Oracle(OracleCommand::Verify {
            config,
            event,
            meter,
        }) => verify(&config, event, meter),
        Command::Oracle(OracleCommand::Run { config }) => {
            init_logs();
            let config = gridtrust_oracle::daemon::DaemonConfig::load(&config)?;
            Ok(gridtrust_oracle::daemon::run(config)?)
        }
        Command::Oracle(OracleCommand::Outages { db }) => outages(&db),
    }
}

/// `oracle verify`: exits non-zero unless every figure and every reading checks out.
fn verify(config: &std::path::Path, event: u64, meter: u64) -> Result<()> {
    use gridtrust_chain::{Chain, NodeChain, NodeOptions};
    use gridtrust_oracle::{daemon, verify::verify_entry, worker::Contracts};
    let config = daemon::DaemonConfig::load(config)?;
    let contracts: Contracts = daemon::contracts_from_manifest(&config.manifest)?;
    let store = gridtrust_oracle::Store::open(&config.store)
        .with_context(|| format!("opening {}", config.store.display()))?;
    let mut chain = NodeChain::connect(NodeOptions::new(&config.url))?;
    // Computed as an operator would; the "verifier" account only asks the queries.
    let as_operator = config.worker(chain.actor("verifier"));
    let v = verify_entry(&mut chain, &store, &contracts, &as_operator, event, meter)?;
    let mark = |ok: bool| if ok { "ok" } else { "MISMATCH" };
    println!(
        "event #{event}, meter {meter} (customer {})",
        gridtrust_chain::ss58(&v.entry.customer)
    );
    println!(
        "  baseline: chain {} Wh, recomputed {} Wh: {}",
        v.entry.baseline_wh,
        v.recomputed.baseline_wh,
        mark(v.entry.baseline_wh == v.recomputed.baseline_wh)
    );
    println!(
        "  actual:   chain {} Wh, recomputed {} Wh: {}",
        v.entry.actual_wh,
        v.recomputed.actual_wh,
        mark(v.entry.actual_wh == v.recomputed.actual_wh)
    );
    println!(
        "  subsidy:  chain {}, by the program's terms {}: {}",
        v.entry.subsidy,
        v.expected_subsidy,
        mark(v.entry.subsidy == v.expected_subsidy)
    );
    for r in &v.readings {
        println!(
            "  reading at {} ms, {} Wh: {}",
            r.at_ms,
            r.wh,
            if r.proven {
                "proven against the batch root"
            } else {
                "NOT PROVEN"
            }
        );
    }
    anyhow::ensure!(v.holds(), "the entry does not check out");
    println!("the entry checks out");
    Ok(())
}

/// Logs to stderr, `info` and up unless `RUST_LOG` says otherwise.
fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Colours only for a terminal: a log file or journal gets plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr)
        .init();
}

/// `node`: a dev chain until Ctrl-C (or SIGTERM), then a clean stop.
fn node(base_path: Option<PathBuf>, rpc_port: u16) -> Result<()> {
    use gridtrust_chain::LocalNode;
    let node = match &base_path {
        Some(dir) => LocalNode::start_at(dir, rpc_port)?,
        None => LocalNode::start_temporary(rpc_port)?,
    };
    println!("contracts-node dev chain at {}", node.url());
    println!("  chain database: {}", node.base_path().display());
    println!("  log: {}", node.log_path().display());
    println!(
        "  deploy with: gridtrust deploy --config deploy/local.toml --url {}",
        node.url()
    );
    println!("Ctrl-C stops it.");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r,
            _ = term.recv() => Ok(()),
        }
    })?;
    println!("stopping the node");
    drop(node);
    Ok(())
}

/// `oracle sample`: the town from `start_ms` with noise seeded by `seed`; the same arguments always
/// give the same files.
fn sample(out: &std::path::Path, seed: u64, start_ms: u64) -> Result<()> {
    use gridtrust_oracle::sample::{generate, write_csv, SampleSpec};
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let data = generate(&SampleSpec {
        seed,
        ..SampleSpec::town(start_ms)
    });
    write_csv(&data, out).with_context(|| format!("writing into {}", out.display()))?;
    println!(
        "{}: {} readings, {} meter events",
        out.display(),
        data.readings.len(),
        data.events.len()
    );
    Ok(())
}

/// `oracle outages`: what the stored meter events say, as of now.
fn outages(db: &std::path::Path) -> Result<()> {
    use gridtrust_oracle::outages::{decide, OutageRule};
    let store =
        gridtrust_oracle::Store::open(db).with_context(|| format!("opening {}", db.display()))?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    let found = decide(&store.events()?, &OutageRule::default(), now);
    if found.is_empty() {
        println!("no outages");
    }
    for o in found {
        let length = o.end_ms.map_or("still open".to_owned(), |end| {
            format!("{} minutes", (end - o.start_ms) / 60_000)
        });
        let stale = if o.stale {
            " (stale: no restore for over a day)"
        } else {
            ""
        };
        println!(
            "feeder {}: from {} ms, {length}, {} meters{stale}",
            o.feeder,
            o.start_ms,
            o.meters.len()
        );
    }
    Ok(())
}

/// `oracle ingest`: every file is ingested even when an earlier one had bad lines; the exit status says
/// whether any line was rejected.
fn ingest(db: &std::path::Path, files: &[PathBuf]) -> Result<()> {
    let mut store =
        gridtrust_oracle::Store::open(db).with_context(|| format!("opening {}", db.display()))?;
    let mut rejected = 0;
    for file in files {
        let report = gridtrust_oracle::ingest_file(file, &mut store)?;
        for reject in &report.rejects {
            eprintln!("rejected {reject}");
        }
        rejected += report.rejects.len();
        println!(
            "{}: {} readings, {} events, {} lines rejected",
            file.display(),
            report.readings,
            report.events,
            report.rejects.len()
        );
    }
    anyhow::ensure!(rejected == 0, "{rejected} lines rejected");
    Ok(())
}
