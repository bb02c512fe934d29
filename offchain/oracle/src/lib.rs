//! GridTrust's meter-data oracle: the part a utility runs between its smart meters and the chain.
//!
//! - [`records`]: what comes in — interval readings and meter events (last gasp, power restore).
//! - [`quality`]: intervals the meter-data system marks estimated or missing, kept apart from readings.
//! - [`ingest`]: parsing CSV and JSON Lines within plausibility bounds; a bad line is rejected with its
//!   file and line number and the rest goes on.
//! - [`store`]: SQLite in WAL mode, readings keyed by (meter, interval) so re-ingesting is harmless;
//!   corrections keep the old value as a revision.
//! - [`commitments`]: the readings behind committed results, which no correction may change.
//! - [`outages`]: the reports feeder outages make (the rule itself is `gridtrust_common::outage`).
//! - [`evidence`]: the meter events behind each final outage report, kept and served as reported.
//! - [`demand`]: demand-response results per event, with the baseline code from `contracts/common` and
//!   the Merkle root of the readings behind them.
//! - [`report`]: the committee reports the oracle sends, keyed by content.
//! - [`outbox`]: reports waiting to be sent, in the same SQLite store.
//! - [`submit`]: sending the outbox as one operator, exactly once in effect.
//! - [`trigger`]: the permissionless payout and settlement calls, until nothing remains.
//! - [`settings`]: what one operator is and decides by (contracts, demand rule, keeper or not).
//! - [`measure`]: demand-response results per ended event and the batches the committee votes on.
//! - [`keeper`]: paying final outages and settling events whose dispute window passed.
//! - `cursor`: store-kept cursors so a round looks only at what may still need work.
//! - [`worker`]: one operator's round: decide, queue, send, and (as keeper) pay and settle.
//! - [`error`]: why the oracle's work against the chain stopped, with contract refusals typed.
//! - [`verify`]: checking a customer's demand-response entry or outage payouts against the chain.
//! - [`progress`]: what the worker has done, kept in the store across restarts.
//! - [`daemon`]: the long-running service: watched folder, HTTP ingest, metrics, rounds on a node.
//! - [`sample`]: deterministic sample data (a small town with a storm and a peak).
//!
//! Everything that talks to a chain does so through `gridtrust_chain::Chain`, so the same pipeline
//! runs on the embedded sandbox and against a node.
pub mod commitments;
mod cursor;
pub mod daemon;
pub mod demand;
pub mod error;
pub mod evidence;
pub mod ingest;
pub mod keeper;
pub mod measure;
pub mod outages;
pub mod outbox;
pub mod progress;
pub mod quality;
pub mod records;
pub mod report;
pub mod sample;
pub mod settings;
pub mod store;
pub mod submit;
pub mod trigger;
pub mod verify;
pub mod worker;

pub use error::OracleError;
pub use ingest::{ingest_file, ingest_reader, Bounds, Format, IngestReport, Reject};
pub use outbox::OutboxState;
pub use records::{EventKind, MeterEvent, Reading, Record};
pub use report::Report;
pub use store::{Revision, Store, StoreError, Written};
pub use submit::{drain, ChainSubmitter, Delivery, DrainReport, Submitter};
