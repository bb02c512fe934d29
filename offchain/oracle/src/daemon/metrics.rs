//! The daemon's Prometheus metrics, served as text on `/metrics`.

use std::sync::atomic::{AtomicI64, AtomicU64};

use prometheus_client::{
    encoding::{text::encode, EncodeLabelSet},
    metrics::{counter::Counter, family::Family, gauge::Gauge},
    registry::Registry,
};

use crate::{ingest::IngestReport, worker::RoundReport};

/// Label of a report submission's outcome.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Outcome {
    /// `voted`, `already_counted`, `refused` or `retry`.
    pub outcome: String,
}

/// Everything the daemon counts.
pub struct Metrics {
    registry: Registry,
    /// Readings stored.
    pub readings: Counter,
    /// Meter events stored.
    pub events: Counter,
    /// Lines rejected.
    pub rejected: Counter,
    /// Demand-response events whose results this daemon computed.
    pub measured: Counter,
    /// Reports queued in the outbox.
    pub queued: Counter,
    /// Report submissions by outcome.
    pub submitted: Family<Outcome, Counter>,
    /// Policies paid by payouts this daemon triggered.
    pub payouts: Counter,
    /// Demand-response entries settled by this daemon.
    pub settled: Counter,
    /// Rounds that stopped on a chain or store error.
    pub chain_errors: Counter,
    /// Reports waiting in the outbox.
    pub outbox_pending: Gauge,
    /// Chain time minus the newest meter data's time, in seconds.
    pub lag_seconds: Gauge,
    /// When the last round finished, Unix seconds.
    pub last_round: Gauge<i64, AtomicI64>,
    /// Rounds run.
    pub rounds: Counter<u64, AtomicU64>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Fresh counters, registered under the `gridtrust_oracle` prefix.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("gridtrust_oracle");
        let m = Self {
            readings: Counter::default(),
            events: Counter::default(),
            rejected: Counter::default(),
            measured: Counter::default(),
            queued: Counter::default(),
            submitted: Family::default(),
            payouts: Counter::default(),
            settled: Counter::default(),
            chain_errors: Counter::default(),
            outbox_pending: Gauge::default(),
            lag_seconds: Gauge::default(),
            last_round: Gauge::default(),
            rounds: Counter::default(),
            registry: Registry::default(),
        };
        registry.register(
            "readings_ingested",
            "Interval readings stored",
            m.readings.clone(),
        );
        registry.register(
            "events_ingested",
            "Meter events (last gasp, restore) stored",
            m.events.clone(),
        );
        registry.register("lines_rejected", "Input lines rejected", m.rejected.clone());
        registry.register(
            "dr_events_measured",
            "Demand-response events whose results this daemon computed",
            m.measured.clone(),
        );
        registry.register(
            "reports_queued",
            "Committee reports queued in the outbox",
            m.queued.clone(),
        );
        registry.register(
            "reports_submitted",
            "Committee report submissions by outcome",
            m.submitted.clone(),
        );
        registry.register(
            "payouts_triggered",
            "Policies paid by payout calls this daemon made",
            m.payouts.clone(),
        );
        registry.register(
            "entries_settled",
            "Demand-response entries settled by this daemon",
            m.settled.clone(),
        );
        registry.register(
            "chain_errors",
            "Rounds stopped by a chain or store error",
            m.chain_errors.clone(),
        );
        registry.register(
            "outbox_pending",
            "Reports waiting to be sent",
            m.outbox_pending.clone(),
        );
        registry.register(
            "lag_seconds",
            "Chain time minus the newest meter data's time",
            m.lag_seconds.clone(),
        );
        registry.register(
            "last_round_timestamp_seconds",
            "When the last round finished",
            m.last_round.clone(),
        );
        registry.register("rounds", "Rounds run", m.rounds.clone());
        Self { registry, ..m }
    }

    /// Counts what an ingest stored and rejected.
    pub fn ingested(&self, report: &IngestReport) {
        self.readings.inc_by(report.readings as u64);
        self.events.inc_by(report.events as u64);
        self.rejected.inc_by(report.rejects.len() as u64);
    }

    /// Counts what a round did.
    pub fn round(&self, report: &RoundReport) {
        self.rounds.inc();
        self.measured.inc_by(report.events_measured.len() as u64);
        self.queued.inc_by(report.queued as u64);
        for (outcome, n) in [
            ("voted", report.sent.voted),
            ("already_counted", report.sent.already_counted),
            ("refused", report.sent.refused),
            ("retry", report.sent.retry),
        ] {
            self.submitted
                .get_or_create(&Outcome {
                    outcome: outcome.into(),
                })
                .inc_by(n as u64);
        }
        self.payouts.inc_by(u64::from(report.policies_paid));
        self.settled.inc_by(u64::from(report.entries_settled));
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        encode(&mut out, &self.registry).expect("encoding metrics into a string");
        out
    }
}
