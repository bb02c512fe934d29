//! What a customer, an insurer or a regulator checks against the chain, with the same shared rules the
//! operators ran: a demand-response entry ([`entry`]) and outage payouts ([`payout`]).

pub mod entry;
pub mod payout;

pub use entry::{entry_evidence, verify_entry, EntryEvidence, ProvenReading, Verification};
pub use payout::{
    verify_payouts, EvidenceSource, HeldEvents, OperatorHttp, OutageCheck, PayoutCheck,
    PayoutQuery, ProvenEvent, Recomputed,
};
