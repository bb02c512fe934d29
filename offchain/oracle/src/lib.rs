//! GridTrust's meter-data oracle: the part a utility runs between its smart meters and the chain.
//!
//! - [`records`]: what comes in — interval readings and meter events (last gasp, power restore).
//! - [`ingest`]: parsing CSV and JSON Lines; a bad line is rejected with its file and line number and
//!   the rest goes on.
//! - [`store`]: SQLite in WAL mode, readings keyed by (meter, interval) so re-ingesting is harmless.
//! - [`outages`]: feeder outages decided from last-gasp and restore events.
//! - [`demand`]: demand-response results per event, with the baseline code from `contracts/common` and
//!   the Merkle root of the readings behind them.
//!
//! Submitting reports and triggering payouts (the outbox and the chain client) are not here yet.
pub mod demand;
pub mod ingest;
pub mod outages;
pub mod records;
pub mod store;

pub use ingest::{ingest_file, IngestReport, Reject};
pub use records::{EventKind, MeterEvent, Reading, Record};
pub use store::{Store, StoreError};
