//! The daemon's Prometheus metrics, served as text on `/metrics`.

use std::sync::atomic::{AtomicI64, AtomicU64};

use prometheus_client::{
    encoding::{text::encode, EncodeLabelSet},
    metrics::{counter::Counter, family::Family, gauge::Gauge},
    registry::Registry,
};

use gridtrust_chain::ContractError;

use crate::{ingest::IngestReport, worker::RoundReport};

/// Label of a report submission's outcome.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Outcome {
    /// `voted`, `already_counted`, `refused` or `retry`.
    pub outcome: String,
}

/// Label of a contract's refusal: which contract (`shared` for a message every contract shares) and
/// the error's variant as the contract's metadata names it.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Refusal {
    /// `outage_insurance`, `demand_response`, ... or `shared`.
    pub contract: String,
    /// The `Error` variant, e.g. `InvalidReport`.
    pub error: String,
}

impl Refusal {
    /// The label of `error`.
    pub fn of(error: &ContractError) -> Self {
        Self {
            contract: error.contract().unwrap_or("shared").to_owned(),
            error: error.variant(),
        }
    }
}

/// Everything the daemon counts; each field is named as the metric it is exported as.
pub struct Metrics {
    registry: Registry,
    /// Readings stored.
    pub readings_ingested: Counter,
    /// Meter events stored.
    pub events_ingested: Counter,
    /// Lines rejected.
    pub lines_rejected: Counter,
    /// Readings that replaced a different stored value (the old one kept as a revision).
    pub readings_corrected: Counter,
    /// Corrections refused because the reading is behind a committed result.
    pub corrections_refused: Counter,
    /// Intervals marked estimated or missing (newly, or with another quality than before).
    pub reads_marked_unusable: Counter,
    /// Demand-response events whose results this daemon computed.
    pub dr_events_measured: Counter,
    /// Meters left out of an event's results for an estimated or missing read.
    pub meters_skipped_for_quality: Counter,
    /// Reports queued in the outbox.
    pub reports_queued: Counter,
    /// Report submissions by outcome.
    pub reports_submitted: Family<Outcome, Counter>,
    /// Policies paid by payouts this daemon triggered.
    pub payouts_triggered: Counter,
    /// Demand-response entries settled by this daemon.
    pub entries_settled: Counter,
    /// Rounds that stopped on a chain or store error (exported as `chain_errors`, its name since the
    /// first release, although store errors count too).
    pub round_errors: Counter,
    /// Contract refusals met: reports refused for good, and refusals that stopped a round.
    pub refusals: Family<Refusal, Counter>,
    /// Reports waiting in the outbox.
    pub outbox_pending: Gauge,
    /// Chain time minus the newest meter data's time, in seconds.
    pub lag_seconds: Gauge,
    /// When the last round finished, Unix seconds.
    pub last_round_timestamp_seconds: Gauge<i64, AtomicI64>,
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
            readings_ingested: Counter::default(),
            events_ingested: Counter::default(),
            lines_rejected: Counter::default(),
            readings_corrected: Counter::default(),
            corrections_refused: Counter::default(),
            reads_marked_unusable: Counter::default(),
            dr_events_measured: Counter::default(),
            meters_skipped_for_quality: Counter::default(),
            reports_queued: Counter::default(),
            reports_submitted: Family::default(),
            payouts_triggered: Counter::default(),
            entries_settled: Counter::default(),
            round_errors: Counter::default(),
            refusals: Family::default(),
            outbox_pending: Gauge::default(),
            lag_seconds: Gauge::default(),
            last_round_timestamp_seconds: Gauge::default(),
            rounds: Counter::default(),
            registry: Registry::default(),
        };
        registry.register(
            "readings_ingested",
            "Interval readings stored",
            m.readings_ingested.clone(),
        );
        registry.register(
            "events_ingested",
            "Meter events (last gasp, restore) stored",
            m.events_ingested.clone(),
        );
        registry.register(
            "lines_rejected",
            "Input lines rejected",
            m.lines_rejected.clone(),
        );
        registry.register(
            "readings_corrected",
            "Readings that replaced a different stored value",
            m.readings_corrected.clone(),
        );
        registry.register(
            "corrections_refused",
            "Corrections refused because the reading is behind a committed result",
            m.corrections_refused.clone(),
        );
        registry.register(
            "reads_marked_unusable",
            "Intervals the meter-data system marked estimated or missing",
            m.reads_marked_unusable.clone(),
        );
        registry.register(
            "meters_skipped_for_quality",
            "Meters left out of a demand-response result for an estimated or missing read",
            m.meters_skipped_for_quality.clone(),
        );
        registry.register(
            "dr_events_measured",
            "Demand-response events whose results this daemon computed",
            m.dr_events_measured.clone(),
        );
        registry.register(
            "reports_queued",
            "Committee reports queued in the outbox",
            m.reports_queued.clone(),
        );
        registry.register(
            "reports_submitted",
            "Committee report submissions by outcome",
            m.reports_submitted.clone(),
        );
        registry.register(
            "payouts_triggered",
            "Policies paid by payout calls this daemon made",
            m.payouts_triggered.clone(),
        );
        registry.register(
            "entries_settled",
            "Demand-response entries settled by this daemon",
            m.entries_settled.clone(),
        );
        registry.register(
            "chain_errors",
            "Rounds stopped by a chain or store error",
            m.round_errors.clone(),
        );
        registry.register(
            "refusals",
            "Contract refusals by contract and error: reports refused for good, and refusals that \
             stopped a round",
            m.refusals.clone(),
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
            m.last_round_timestamp_seconds.clone(),
        );
        registry.register("rounds", "Rounds run", m.rounds.clone());
        Self { registry, ..m }
    }

    /// Counts what an ingest stored and rejected.
    pub fn ingested(&self, report: &IngestReport) {
        self.readings_ingested.inc_by(report.readings as u64);
        self.events_ingested.inc_by(report.events as u64);
        self.lines_rejected.inc_by(report.rejects.len() as u64);
        self.readings_corrected.inc_by(report.corrections as u64);
        self.corrections_refused
            .inc_by(report.corrections_refused as u64);
        self.reads_marked_unusable.inc_by(report.unusable as u64);
    }

    /// Counts what a round did.
    pub fn round(&self, report: &RoundReport) {
        self.rounds.inc();
        self.dr_events_measured
            .inc_by(report.events_measured.len() as u64);
        self.reports_queued.inc_by(report.queued as u64);
        self.meters_skipped_for_quality
            .inc_by(report.skipped_for_quality as u64);
        for (outcome, n) in [
            ("voted", report.sent.voted),
            ("already_counted", report.sent.already_counted),
            ("refused", report.sent.refused),
            ("retry", report.sent.retry),
        ] {
            self.reports_submitted
                .get_or_create(&Outcome {
                    outcome: outcome.into(),
                })
                .inc_by(n as u64);
        }
        for error in &report.sent.refusals {
            self.refused(error);
        }
        self.payouts_triggered
            .inc_by(u64::from(report.policies_paid));
        self.entries_settled
            .inc_by(u64::from(report.entries_settled));
    }

    /// Counts one contract refusal.
    pub fn refused(&self, error: &ContractError) {
        self.refusals.get_or_create(&Refusal::of(error)).inc();
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        encode(&mut out, &self.registry).expect("encoding metrics into a string");
        out
    }
}

#[cfg(test)]
mod tests {
    use gridtrust_common::access::AccessError;

    use super::*;

    #[test]
    fn refusals_are_counted_by_contract_and_error() {
        let m = Metrics::new();
        let invalid = ContractError::from(outage_insurance::Error::InvalidReport);
        m.refused(&invalid);
        m.refused(&invalid);
        m.refused(&ContractError::from(AccessError::NotOwner));
        let text = m.render();
        assert!(
            text.contains(
                "gridtrust_oracle_refusals_total{contract=\"outage_insurance\",error=\"InvalidReport\"} 2"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "gridtrust_oracle_refusals_total{contract=\"shared\",error=\"Access\"} 1"
            ),
            "{text}"
        );
    }
}
