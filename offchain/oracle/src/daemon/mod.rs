//! The oracle daemon (`gridtrust oracle run --config FILE`): one committee operator's long-running
//! service against a node.
//!
//! - meter data comes in through a watched folder ([`watch`]) and HTTP ([`http`], behind the
//!   [`door`]'s token), within plausibility bounds, into the SQLite store; every rejected line is
//!   logged with its source and line number and counted, the same way for both;
//! - every `poll` the worker runs a round ([`crate::worker::round`]): decide, queue, send as this
//!   operator, and, for the keeper, pay and settle;
//! - `/metrics` and `/health` tell how it goes;
//! - SIGINT or SIGTERM stops it cleanly: no new work is taken, the round under way finishes, the store
//!   is closed. A daemon killed outright loses nothing either: the outbox resends on restart.

pub mod config;
pub mod door;
pub mod http;
pub mod metrics;
pub mod shutdown;
pub mod watch;

use std::{
    fs::File,
    io::{BufRead, Seek, Write},
    path::Path,
    sync::{atomic::AtomicU64, Arc, Mutex},
    time::Duration,
};

use gridtrust_chain::{Chain, Contracts, Key, Manifest, NodeChain, NodeOptions};
use gridtrust_common::Digest;
use serde::Serialize;

pub use config::DaemonConfig;
pub use door::{Door, Token};
pub use metrics::Metrics;
pub use shutdown::Shutdown;

use crate::{
    evidence::EvidenceFile,
    ingest::{ingest_file_as, ingest_reader, Format, IngestError, IngestReport},
    store::{unix_ms, Store, StoreError},
    worker::round,
};

/// Why the daemon could not start.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    /// The configuration is unusable.
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    /// The deployment manifest is missing or unusable.
    #[error("deployment manifest {path}: {reason}")]
    Manifest {
        /// The manifest.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// The operator key is unusable.
    #[error("chain.operator: {0}")]
    Key(#[from] gridtrust_chain::keys::KeyError),
    /// The ingest token is unusable.
    #[error("ingest.token: {0}")]
    Token(String),
    /// The node could not be reached.
    #[error(transparent)]
    Chain(#[from] gridtrust_chain::ChainError),
    /// The store could not be opened.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A file or socket could not be opened.
    #[error("{0}")]
    Io(String),
}

/// How the daemon is doing, as `/health` reports it.
#[derive(Debug, Clone, Serialize)]
pub struct Health {
    /// Whether the last round succeeded recently.
    pub ok: bool,
    /// Rounds run so far.
    pub rounds: u64,
    /// When the last round succeeded (Unix ms), if one did.
    pub last_success_ms: Option<u64>,
    /// The last round's error, if it failed.
    pub last_error: Option<String>,
    /// The node.
    pub chain: String,
}

#[derive(Default)]
struct RoundState {
    rounds: u64,
    last_success_ms: Option<u64>,
    last_error: Option<String>,
}

/// What the daemon's threads share.
pub struct Shared {
    /// The daemon's counters.
    pub metrics: Metrics,
    /// Whether a stop was asked for; every part of the daemon waits on it.
    pub shutdown: Shutdown,
    /// What meter data and its senders must satisfy.
    pub door: Door,
    requests: AtomicU64,
    ingest_store: Mutex<Store>,
    rejects: Mutex<File>,
    state: Mutex<RoundState>,
    poll: Duration,
    chain: String,
}

impl Shared {
    /// Shared state over the store at `store` (ingest writes through its own connection) and the
    /// rejects log at `rejects`, taking meter data through `door`.
    pub fn new(
        store: &Path,
        rejects: &Path,
        poll: Duration,
        chain: String,
        door: Door,
    ) -> Result<Self, DaemonError> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(rejects)
            .map_err(|e| DaemonError::Io(format!("opening {}: {e}", rejects.display())))?;
        Ok(Self {
            metrics: Metrics::new(),
            shutdown: Shutdown::new(),
            door,
            requests: AtomicU64::new(0),
            ingest_store: Mutex::new(Store::open(store)?),
            rejects: Mutex::new(log),
            state: Mutex::new(RoundState::default()),
            poll,
            chain,
        })
    }

    /// Ingests `reader` as `source`, logging and counting rejected lines.
    pub fn ingest(
        &self,
        reader: impl BufRead + Seek,
        format: Format,
        source: &str,
    ) -> Result<IngestReport, IngestError> {
        let report = {
            let mut store = self.ingest_store.lock().expect("ingest store lock");
            ingest_reader(
                reader,
                format,
                Path::new(source),
                &self.door.bounds,
                &mut store,
            )?
        };
        self.after_ingest(&report);
        Ok(report)
    }

    /// Ingests file `path` (named `name` in rejects), logging and counting rejected lines.
    pub fn ingest_file(&self, path: &Path, name: &Path) -> Result<IngestReport, IngestError> {
        let report = {
            let mut store = self.ingest_store.lock().expect("ingest store lock");
            ingest_file_as(path, name, &self.door.bounds, &mut store)?
        };
        self.after_ingest(&report);
        Ok(report)
    }

    fn after_ingest(&self, report: &IngestReport) {
        self.metrics.ingested(report);
        if report.rejects.is_empty() {
            return;
        }
        let mut log = self.rejects.lock().expect("rejects log lock");
        for reject in &report.rejects {
            tracing::warn!(%reject, "line rejected");
            if let Err(e) = writeln!(log, "{reject}") {
                tracing::error!(error = %e, "cannot write the rejects log");
            }
        }
    }

    /// The evidence this operator kept for the final report with `root`, if it made one.
    pub fn evidence(&self, root: &Digest) -> Result<Option<EvidenceFile>, StoreError> {
        // The ingest connection reads too: evidence is small and looked up rarely.
        self.ingest_store
            .lock()
            .expect("ingest store lock")
            .evidence(root)
    }

    /// The health as of now: healthy when a round succeeded within three polls (and 30 s).
    pub fn health(&self) -> Health {
        let state = self.state.lock().expect("round state lock");
        let limit = self.poll.saturating_mul(3) + Duration::from_secs(30);
        let fresh = state
            .last_success_ms
            .is_some_and(|t| unix_ms().saturating_sub(t) <= limit.as_millis() as u64);
        Health {
            ok: fresh && state.last_error.is_none(),
            rounds: state.rounds,
            last_success_ms: state.last_success_ms,
            last_error: state.last_error.clone(),
            chain: self.chain.clone(),
        }
    }

    /// Asks every part of the daemon to stop.
    pub fn stop(&self) {
        self.shutdown.ask();
    }
}

/// The contracts the manifest at `path` names.
pub fn contracts_from_manifest(path: &Path) -> Result<Contracts, DaemonError> {
    let bad = |reason: String| DaemonError::Manifest {
        path: path.display().to_string(),
        reason,
    };
    Manifest::read(path)
        .map_err(|e| bad(e.to_string()))?
        .ok_or_else(|| bad("there is none (run `gridtrust deploy` first)".into()))?
        .contracts()
        .map_err(|e| bad(e.to_string()))
}

/// Runs the daemon of `config` until SIGINT or SIGTERM.
pub fn run(config: DaemonConfig) -> Result<(), DaemonError> {
    let contracts = contracts_from_manifest(&config.manifest)?;
    let key = Key::from_uri(&config.operator)?;
    let operator = key.account();
    if let Some(dir) = config.store.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| DaemonError::Io(format!("creating {}: {e}", dir.display())))?;
    }
    let mut options = NodeOptions::new(&config.url);
    options.finality = config.finality;
    let mut chain = NodeChain::connect(options)?;
    chain.add_key(key);
    let mut store = Store::open(&config.store)?;
    let door = Door {
        bounds: config.bounds.clone(),
        token: config
            .token
            .as_deref()
            .map(Token::resolve)
            .transpose()
            .map_err(DaemonError::Token)?,
        guard_reads: config.guard_reads,
    };
    let shared = Arc::new(Shared::new(
        &config.store,
        &config.rejects_log,
        config.poll,
        config.url.clone(),
        door,
    )?);
    tracing::info!(
        operator = %gridtrust_chain::ss58(&operator),
        chain = %config.url,
        store = %config.store.display(),
        keeper = config.keeper,
        "oracle daemon starting"
    );

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| DaemonError::Io(e.to_string()))?;
    let stop_signal = shared.clone();
    runtime.spawn(async move {
        wait_for_signal().await;
        tracing::info!("stop requested; finishing the round under way");
        stop_signal.stop();
    });
    let server = match config.http {
        Some(addr) => {
            let listener = runtime
                .block_on(tokio::net::TcpListener::bind(addr))
                .map_err(|e| DaemonError::Io(format!("listening on {addr}: {e}")))?;
            Some(runtime.spawn(http::serve(shared.clone(), listener)))
        }
        None => None,
    };
    let watcher = config.watch.clone().map(|dir| {
        let shared = shared.clone();
        std::thread::spawn(move || watch::run(shared, dir))
    });

    let worker = config.worker(operator);
    while !shared.shutdown.is_asked() {
        let outcome = round(&mut chain, &mut store, &contracts, &worker);
        let pending = store.pending().map(|p| p.len()).unwrap_or(0);
        shared.metrics.outbox_pending.set(pending as i64);
        if let (Ok(now), Ok(Some(latest))) = (chain.now_ms(), store.latest_data_ms()) {
            shared
                .metrics
                .lag_seconds
                .set((now.saturating_sub(latest) / 1_000) as i64);
        }
        {
            let mut state = shared.state.lock().expect("round state lock");
            state.rounds += 1;
            match &outcome {
                Ok(report) => {
                    shared.metrics.round(report);
                    shared
                        .metrics
                        .last_round_timestamp_seconds
                        .set((unix_ms() / 1_000) as i64);
                    state.last_success_ms = Some(unix_ms());
                    state.last_error = None;
                    if report.queued + report.sent.voted + report.policies_paid as usize > 0
                        || report.entries_settled > 0
                    {
                        tracing::info!(?report, "round");
                    }
                    for s in &report.skipped {
                        tracing::warn!(meter = s.meter, reason = %s.reason, "meter left out of results");
                    }
                }
                Err(e) => {
                    shared.metrics.round_errors.inc();
                    if let Some(refusal) = e.refusal() {
                        shared.metrics.refused(refusal);
                    }
                    state.last_error = Some(e.to_string());
                    tracing::error!(error = %e, transient = e.is_transient(), "round failed; trying again next round");
                }
            }
        }
        shared.shutdown.sleep(config.poll);
    }

    if let Some(w) = watcher {
        w.join().ok();
    }
    if let Some(s) = server {
        match runtime.block_on(s) {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::error!(error = %e, "HTTP server"),
            Err(e) => tracing::error!(error = %e, "HTTP server task"),
        }
    }
    runtime.shutdown_timeout(Duration::from_secs(5));
    tracing::info!("oracle daemon stopped");
    Ok(())
}

/// Completes on SIGINT or SIGTERM.
async fn wait_for_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let Ok(mut term) = signal(SignalKind::terminate()) else {
        let _ = tokio::signal::ctrl_c().await;
        return;
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
