//! The outbox: reports waiting to be submitted, kept in the oracle's SQLite store so a restart resends
//! what was not yet delivered and never what was.
//!
//! States: `pending` (to send), `delivered` (the chain counted our vote, or had already counted it),
//! `refused` (the contract refused it for a reason resending cannot fix; the reason is kept).

use rusqlite::{params, OptionalExtension};
use scale::{Decode, Encode};

use crate::{
    report::Report,
    store::{Store, StoreError},
};

/// Where an outbox entry is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutboxState {
    /// Waiting to be sent (again).
    Pending {
        /// Attempts so far.
        attempts: u32,
        /// Why the last attempt failed, if one did.
        last_error: Option<String>,
    },
    /// Counted on chain.
    Delivered,
    /// Refused by the contract, with its reason.
    Refused(String),
}

// The `state` column's values.
const PENDING: &str = "pending";
const DELIVERED: &str = "delivered";
const REFUSED: &str = "refused";

fn state_of(state: &str, attempts: u32, detail: Option<String>) -> OutboxState {
    match state {
        DELIVERED => OutboxState::Delivered,
        REFUSED => OutboxState::Refused(detail.unwrap_or_default()),
        _ => OutboxState::Pending {
            attempts,
            last_error: detail,
        },
    }
}

impl Store {
    pub(crate) fn create_outbox(&self) -> Result<(), StoreError> {
        self.conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS outbox (
                 id BLOB PRIMARY KEY,
                 kind TEXT NOT NULL,
                 payload BLOB NOT NULL,
                 state TEXT NOT NULL DEFAULT 'pending',
                 attempts INTEGER NOT NULL DEFAULT 0,
                 detail TEXT,
                 seq INTEGER NOT NULL
             );",
        )?;
        Ok(())
    }

    /// Queues `report`; queuing the same report again changes nothing. Returns whether it was new.
    pub fn enqueue(&mut self, report: &Report) -> Result<bool, StoreError> {
        let added = self.conn.execute(
            "INSERT OR IGNORE INTO outbox (id, kind, payload, seq)
             VALUES (?1, ?2, ?3, (SELECT COALESCE(MAX(seq), 0) + 1 FROM outbox))",
            params![report.outbox_id().to_vec(), report.kind(), report.encode()],
        )?;
        Ok(added == 1)
    }

    /// Pending reports in the order they were queued.
    pub fn pending(&self) -> Result<Vec<Report>, StoreError> {
        let mut q = self.conn.prepare_cached(
            "SELECT seq, payload FROM outbox WHERE state = 'pending' ORDER BY seq",
        )?;
        let rows = q.query_map([], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, Vec<u8>>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, payload) = row?;
            // Never skip an entry silently: a report that cannot be read is an error to look at.
            let report = Report::decode(&mut &payload[..])
                .map_err(|_| StoreError::Undecodable(format!("outbox entry {seq}")))?;
            out.push(report);
        }
        Ok(out)
    }

    /// Every entry, pending or not, in the order queued.
    pub fn outbox(&self) -> Result<Vec<(Report, OutboxState)>, StoreError> {
        let mut q = self.conn.prepare_cached(
            "SELECT seq, payload, state, attempts, detail FROM outbox ORDER BY seq",
        )?;
        let rows = q.query_map([], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, Vec<u8>>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, u32>(3)?,
                row.get::<_, Option<String>>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, payload, state, attempts, detail) = row?;
            let report = Report::decode(&mut &payload[..])
                .map_err(|_| StoreError::Undecodable(format!("outbox entry {seq}")))?;
            out.push((report, state_of(&state, attempts, detail)));
        }
        Ok(out)
    }

    /// Where `report` is, if queued.
    pub fn outbox_state(&self, report: &Report) -> Result<Option<OutboxState>, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT state, attempts, detail FROM outbox WHERE id = ?1",
                params![report.outbox_id().to_vec()],
                |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, u32>(1)?,
                        row.get::<_, Option<String>>(2)?,
                    ))
                },
            )
            .optional()?;
        Ok(row.map(|(state, attempts, detail)| state_of(&state, attempts, detail)))
    }

    /// Records an attempt to send `report` that left it in `state` (its attempt count is the
    /// store's, whatever `state` says).
    pub(crate) fn mark(&mut self, report: &Report, state: &OutboxState) -> Result<(), StoreError> {
        let (state, detail) = match state {
            OutboxState::Pending { last_error, .. } => (PENDING, last_error.as_deref()),
            OutboxState::Delivered => (DELIVERED, None),
            OutboxState::Refused(reason) => (REFUSED, Some(reason.as_str())),
        };
        self.conn.execute(
            "UPDATE outbox SET state = ?2, attempts = attempts + 1, detail = ?3 WHERE id = ?1",
            params![report.outbox_id().to_vec(), state, detail],
        )?;
        Ok(())
    }
}
