//! The daemon's configuration file (TOML). Relative paths are taken from the file's folder.
//!
//! ```toml
//! [chain]
//! url = "ws://127.0.0.1:9944"
//! manifest = "local.deployment.json"   # written by `gridtrust deploy`
//! operator = "//Bob"                   # this daemon's committee key (secret URI, env:NAME, file:PATH)
//! finality = "auto"                    # a vote or payout is done once finalized (auto: on chains
//!                                      # with several block authors; best: once in a block)
//!
//! [store]
//! path = "operator-1/oracle.db"        # rejects.log goes beside it
//!
//! [ingest]
//! watch = "operator-1/incoming"        # optional: .csv/.jsonl files dropped here are ingested
//! http = "127.0.0.1:9101"              # optional: POST /ingest, GET /metrics, GET /health
//! token = "env:GRIDTRUST_INGEST_TOKEN" # bearer token POST /ingest requires (env:NAME or file:PATH);
//!                                      # required when `http` is not a loopback address
//! guard_reads = false                  # true: /metrics and /health need the token too
//! not_before = "2000-01-01"            # plausibility bounds (defaults shown): no older timestamps,
//! future_tolerance_minutes = 15        # none further ahead of this machine's clock,
//! max_wh_per_interval = 1000000        # at most this much per reading interval,
//! # feeders = [0, 1, 2, 3]             # events only from these feeders (default: any)
//!
//! [outages]
//! min_dark_meters = 3
//! stale_after_minutes = 1440
//! heartbeat_minutes = 10               # tell the chain this operator runs (pools stop selling when
//!                                      # the committee is silent); 0 = never
//!
//! [demand]
//! interval_seconds = 900
//! adjustment_seconds = 7200
//! adjustment_gap_seconds = 3600
//! report_delay_seconds = 0
//! history_days = 20
//!
//! [rounds]
//! poll_seconds = 5                     # a round every 5 s: decide, send, (keeper) pay and settle
//!
//! [keeper]
//! enabled = true                       # also trigger payouts and settlement
//! ```
//!
//! Each payout call is sized from the chain's own block limits ([`crate::trigger::payout_batch`]),
//! so no file names a batch size; older files that set `keeper.payout_batch` are refused with why.
//!
//! Older files set `poll_seconds` under `[keeper]`, although it paces every daemon; it is still read
//! from there when `[rounds]` does not set it.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    time::Duration,
};

use gridtrust_chain::Finality;
use serde::Deserialize;

use crate::{
    ingest::{
        bounds::{date_ms, DEFAULT_NOT_BEFORE_MS},
        Bounds,
    },
    outages::OutageRule,
    settings::{DemandRule, WorkerConfig},
};

/// Why a configuration was refused.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("reading {path}: {reason}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The file is not a valid configuration.
    #[error("{path}: {reason}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, with its place in the file.
        reason: String,
    },
}

/// The daemon's whole configuration, paths resolved.
#[derive(Debug, Clone)]
pub struct DaemonConfig {
    /// Websocket endpoint of the node.
    pub url: String,
    /// When a vote or payout counts as done (`[chain] finality`: auto, best or finalized).
    pub finality: Finality,
    /// The deployment manifest naming the contracts.
    pub manifest: PathBuf,
    /// This operator's key (secret URI or `env:`/`file:` reference).
    pub operator: String,
    /// The SQLite store.
    pub store: PathBuf,
    /// Where rejected lines are logged.
    pub rejects_log: PathBuf,
    /// Folder to watch for meter-data files.
    pub watch: Option<PathBuf>,
    /// Address to serve HTTP ingest, metrics and health on.
    pub http: Option<SocketAddr>,
    /// Where the ingest token is (`env:NAME` or `file:PATH`), resolved when the daemon starts.
    pub token: Option<String>,
    /// Whether `/metrics` and `/health` need the token too.
    pub guard_reads: bool,
    /// What ingested records must satisfy (the interval is the demand rule's).
    pub bounds: Bounds,
    /// How outages are decided.
    pub outages: OutageRule,
    /// How demand-response results are computed.
    pub demand: DemandRule,
    /// Whether this daemon triggers payouts and settlement.
    pub keeper: bool,
    /// Pause between rounds.
    pub poll: Duration,
    /// How often to tell the insurance contract this operator runs, when it voted on nothing (ms;
    /// 0: never).
    pub heartbeat_ms: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    chain: ChainSection,
    store: StoreSection,
    #[serde(default)]
    ingest: IngestSection,
    #[serde(default)]
    outages: OutagesSection,
    #[serde(default)]
    demand: DemandSection,
    #[serde(default)]
    rounds: RoundsSection,
    #[serde(default)]
    keeper: KeeperSection,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RoundsSection {
    poll_seconds: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChainSection {
    url: String,
    manifest: PathBuf,
    operator: String,
    finality: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StoreSection {
    path: PathBuf,
    rejects_log: Option<PathBuf>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct IngestSection {
    watch: Option<PathBuf>,
    http: Option<String>,
    token: Option<String>,
    guard_reads: bool,
    not_before: Option<String>,
    future_tolerance_minutes: Option<u64>,
    max_wh_per_interval: Option<u64>,
    feeders: Option<Vec<u32>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct OutagesSection {
    min_dark_meters: u32,
    stale_after_minutes: u64,
    heartbeat_minutes: u64,
}

impl Default for OutagesSection {
    fn default() -> Self {
        let rule = OutageRule::default();
        Self {
            min_dark_meters: rule.min_dark_meters,
            stale_after_minutes: rule.stale_after_ms / 60_000,
            heartbeat_minutes: 10,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct DemandSection {
    interval_seconds: u64,
    adjustment_seconds: u64,
    adjustment_gap_seconds: u64,
    report_delay_seconds: u64,
    history_days: u32,
    weekday_type: u8,
    weekend_type: u8,
}

impl Default for DemandSection {
    fn default() -> Self {
        let rule = DemandRule::default();
        Self {
            interval_seconds: rule.interval_ms / 1_000,
            adjustment_seconds: rule.adjustment_len_ms / 1_000,
            adjustment_gap_seconds: rule.adjustment_gap_ms / 1_000,
            report_delay_seconds: rule.report_delay_ms / 1_000,
            history_days: rule.history_days,
            weekday_type: rule.weekday_type,
            weekend_type: rule.weekend_type,
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct KeeperSection {
    enabled: bool,
    /// Where older files set `rounds.poll_seconds`.
    poll_seconds: Option<u64>,
    /// A fixed batch size older files set; refused now, with why.
    payout_batch: Option<u32>,
}

/// Seconds between rounds when the file does not say.
const DEFAULT_POLL_SECONDS: u64 = 5;

impl DaemonConfig {
    /// The worker's settings with `operator` as the account that acts.
    pub fn worker(&self, operator: gridtrust_chain::AccountId) -> WorkerConfig {
        WorkerConfig {
            operator,
            outages: self.outages,
            demand: self.demand.clone(),
            keeper: self.keeper,
            heartbeat_ms: self.heartbeat_ms,
        }
    }

    /// Reads and checks the configuration at `path`.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        Self::parse(&text, path.parent().unwrap_or(Path::new("."))).map_err(|reason| {
            ConfigError::Invalid {
                path: path.to_owned(),
                reason,
            }
        })
    }

    /// Parses configuration `text`, resolving relative paths against `base`.
    pub fn parse(text: &str, base: &Path) -> Result<Self, String> {
        let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
        let at = |p: &Path| base.join(p);
        let http = file
            .ingest
            .http
            .map(|a| {
                a.parse::<SocketAddr>().map_err(|e| {
                    format!("ingest.http `{a}` is not an address like 127.0.0.1:9101: {e}")
                })
            })
            .transpose()?;
        if let Some(addr) = http {
            if !addr.ip().is_loopback() && file.ingest.token.is_none() {
                return Err(format!(
                    "ingest.http {addr} is reachable from other machines, so POST /ingest needs a \
                     token: set ingest.token = \"env:NAME\" or \"file:PATH\" (or listen on 127.0.0.1)"
                ));
            }
        }
        if file.ingest.guard_reads && file.ingest.token.is_none() {
            return Err("ingest.guard_reads needs ingest.token".into());
        }
        let defaults = Bounds::default();
        let not_before_ms = match &file.ingest.not_before {
            Some(date) => date_ms(date).map_err(|e| format!("ingest.not_before: {e}"))?,
            None => DEFAULT_NOT_BEFORE_MS,
        };
        if file.outages.min_dark_meters == 0 {
            return Err("outages.min_dark_meters must be at least 1".into());
        }
        if file.demand.interval_seconds == 0 {
            return Err("demand.interval_seconds must be at least 1".into());
        }
        let poll_seconds = match (file.rounds.poll_seconds, file.keeper.poll_seconds) {
            (Some(_), Some(_)) => {
                return Err(
                    "poll_seconds is set in both [rounds] and [keeper]; keep the one in \
                            [rounds]"
                        .into(),
                )
            }
            (Some(s), None) | (None, Some(s)) => s,
            (None, None) => DEFAULT_POLL_SECONDS,
        };
        if poll_seconds == 0 {
            return Err("rounds.poll_seconds must be at least 1".into());
        }
        if file.keeper.payout_batch.is_some() {
            return Err(
                "keeper.payout_batch is no longer read: each payout call is sized from \
                        the chain's block limits; remove the line"
                    .into(),
            );
        }
        let store = at(&file.store.path);
        let rejects_log = file
            .store
            .rejects_log
            .map(|p| at(&p))
            .unwrap_or_else(|| store.with_file_name("rejects.log"));
        let finality = match &file.chain.finality {
            Some(name) => name.parse().map_err(|e| format!("chain.finality: {e}"))?,
            None => Finality::Auto,
        };
        let d = file.demand;
        Ok(Self {
            url: file.chain.url,
            finality,
            manifest: at(&file.chain.manifest),
            operator: file.chain.operator,
            store,
            rejects_log,
            watch: file.ingest.watch.map(|p| at(&p)),
            http,
            token: file.ingest.token,
            guard_reads: file.ingest.guard_reads,
            bounds: Bounds {
                not_before_ms,
                future_tolerance_ms: file
                    .ingest
                    .future_tolerance_minutes
                    .map_or(defaults.future_tolerance_ms, |m| m.saturating_mul(60_000)),
                interval_ms: d.interval_seconds.saturating_mul(1_000),
                max_wh: file.ingest.max_wh_per_interval.unwrap_or(defaults.max_wh),
                feeders: file.ingest.feeders.map(|f| f.into_iter().collect()),
            },
            outages: OutageRule {
                min_dark_meters: file.outages.min_dark_meters,
                stale_after_ms: file.outages.stale_after_minutes.saturating_mul(60_000),
            },
            demand: DemandRule {
                interval_ms: d.interval_seconds.saturating_mul(1_000),
                adjustment_len_ms: d.adjustment_seconds.saturating_mul(1_000),
                adjustment_gap_ms: d.adjustment_gap_seconds.saturating_mul(1_000),
                report_delay_ms: d.report_delay_seconds.saturating_mul(1_000),
                weekday_type: d.weekday_type,
                weekend_type: d.weekend_type,
                history_days: d.history_days,
            },
            keeper: file.keeper.enabled,
            poll: Duration::from_secs(poll_seconds),
            heartbeat_ms: file.outages.heartbeat_minutes.saturating_mul(60_000),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "[chain]\nurl = \"ws://127.0.0.1:9944\"\nmanifest = \"m.json\"\n\
                           operator = \"//Bob\"\n[store]\npath = \"data/o.db\"\n";

    #[test]
    fn defaults_fill_what_the_file_leaves_out_and_paths_follow_the_file() {
        let c = DaemonConfig::parse(MINIMAL, Path::new("/etc/gridtrust")).unwrap();
        assert_eq!(c.manifest, Path::new("/etc/gridtrust/m.json"));
        assert_eq!(c.store, Path::new("/etc/gridtrust/data/o.db"));
        assert_eq!(c.rejects_log, Path::new("/etc/gridtrust/data/rejects.log"));
        assert_eq!(c.outages, OutageRule::default());
        assert_eq!(c.demand, DemandRule::default());
        assert!(!c.keeper);
        assert_eq!(c.watch, None);
        assert_eq!(c.http, None);
        assert_eq!(c.poll, Duration::from_secs(DEFAULT_POLL_SECONDS));
        assert_eq!(c.bounds, Bounds::default());
        assert_eq!((c.token, c.guard_reads), (None, false));
    }

    #[test]
    fn the_door_is_configured_and_never_left_open_to_the_network() {
        let door = format!(
            "{MINIMAL}[ingest]\nhttp = \"0.0.0.0:9101\"\ntoken = \"env:T\"\nnot_before = \"2020-01-01\"\n\
             future_tolerance_minutes = 5\nmax_wh_per_interval = 5000\nfeeders = [1, 2]\n\
             [demand]\ninterval_seconds = 300\n"
        );
        let c = DaemonConfig::parse(&door, Path::new(".")).unwrap();
        assert_eq!(c.token.as_deref(), Some("env:T"));
        assert_eq!(
            c.bounds,
            Bounds {
                not_before_ms: 1_577_836_800_000,
                future_tolerance_ms: 300_000,
                interval_ms: 300_000,
                max_wh: 5_000,
                feeders: Some([1, 2].into()),
            }
        );
        let open = format!("{MINIMAL}[ingest]\nhttp = \"0.0.0.0:9101\"\n");
        let err = DaemonConfig::parse(&open, Path::new(".")).unwrap_err();
        assert!(err.contains("ingest.token"), "{err}");
        let local = format!("{MINIMAL}[ingest]\nhttp = \"127.0.0.1:9101\"\n");
        assert!(DaemonConfig::parse(&local, Path::new(".")).is_ok());
        let guarded = format!("{MINIMAL}[ingest]\nguard_reads = true\n");
        assert!(DaemonConfig::parse(&guarded, Path::new("."))
            .unwrap_err()
            .contains("needs ingest.token"));
        let bad_date = format!("{MINIMAL}[ingest]\nnot_before = \"2020-13-01\"\n");
        assert!(DaemonConfig::parse(&bad_date, Path::new("."))
            .unwrap_err()
            .contains("not_before"));
    }

    #[test]
    fn the_round_pace_is_read_from_rounds_or_from_an_older_files_keeper_section() {
        let new = format!("{MINIMAL}[rounds]\npoll_seconds = 2\n");
        let c = DaemonConfig::parse(&new, Path::new(".")).unwrap();
        assert_eq!(c.poll, Duration::from_secs(2));
        let old = format!("{MINIMAL}[keeper]\npoll_seconds = 3\n");
        let c = DaemonConfig::parse(&old, Path::new(".")).unwrap();
        assert_eq!(c.poll, Duration::from_secs(3));
    }

    #[test]
    fn mistakes_are_named() {
        let typo = format!("{MINIMAL}[keeper]\nenabeld = true\n");
        let err = DaemonConfig::parse(&typo, Path::new(".")).unwrap_err();
        assert!(err.contains("enabeld"), "{err}");
        let bad_addr = format!("{MINIMAL}[ingest]\nhttp = \"localhost\"\n");
        let err = DaemonConfig::parse(&bad_addr, Path::new(".")).unwrap_err();
        assert!(err.contains("ingest.http"), "{err}");
        let twice = format!("{MINIMAL}[rounds]\npoll_seconds = 2\n[keeper]\npoll_seconds = 3\n");
        let err = DaemonConfig::parse(&twice, Path::new(".")).unwrap_err();
        assert!(err.contains("[rounds]"), "{err}");
        let zero = format!("{MINIMAL}[outages]\nmin_dark_meters = 0\n");
        assert!(DaemonConfig::parse(&zero, Path::new("."))
            .unwrap_err()
            .contains("min_dark_meters"));
    }
}
