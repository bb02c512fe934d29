//! GridTrust's meter-data oracle: the part a utility runs between its smart meters and the chain.
//!
//! - [`records`]: what comes in — interval readings and meter events (last gasp, power restore).
//! - [`ingest`]: parsing CSV and JSON Lines; a bad line is rejected with its file and line number and
//!   the rest goes on.
//! - [`store`]: SQLite in WAL mode, readings keyed by (meter, interval) so re-ingesting is harmless.
//! - [`outages`]: feeder outages decided from last-gasp and restore events.
//! - [`demand`]: demand-response results per event, with the baseline code from `contracts/common` and
//!   the Merkle root of the readings behind them.
//! - [`report`]: the committee reports the oracle sends, keyed by content.
//! - [`outbox`]: reports waiting to be sent, in the same SQLite store.
//! - [`submit`]: sending the outbox as one operator, exactly once in effect.
//! - [`trigger`]: the permissionless payout and settlement calls, until nothing remains.
//! - [`sample`]: deterministic sample data (a small town with a storm and a peak).
//!
//! The subxt client for a real node is not here yet; [`submit::SandboxSubmitter`] targets the embedded
//! sandbox chain.
pub mod demand;
pub mod ingest;
pub mod outages;
pub mod outbox;
pub mod records;
pub mod report;
pub mod sample;
pub mod store;
pub mod submit;
pub mod trigger;

pub use ingest::{ingest_file, IngestReport, Reject};
pub use outbox::OutboxState;
pub use records::{EventKind, MeterEvent, Reading, Record};
pub use report::Report;
pub use store::{Store, StoreError};
pub use submit::{drain, Delivery, DrainReport, SandboxSubmitter, Submitter};
