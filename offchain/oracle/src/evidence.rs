//! The evidence behind every final outage report this operator queued: the meter events that decided
//! the outage, in the order its report's `evidence_root` commits to. Kept in the store when the report
//! is queued — not recomputed later, when late events may have arrived — so that a customer can be
//! served exactly what was reported for as long as the outage is on chain. Nothing in the oracle
//! deletes these rows (the store is never pruned).
//!
//! [`EvidenceFile`] is how evidence travels: what the daemon serves at `GET /evidence/<root>`, what
//! `gridtrust verify payout --events` reads, one JSON document.

use gridtrust_common::{
    outage::{evidence_root, MeterEvent, Outage},
    Digest,
};
use rusqlite::{params, OptionalExtension};
use scale::{Decode, Encode};
use serde::{Deserialize, Serialize};

use std::path::{Path, PathBuf};

use crate::{
    ingest::{lines::for_each_line, Format, LineParser},
    records::Record,
    store::{to_sql, Store, StoreError},
};

/// One outage's evidence as a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceFile {
    /// The feeder.
    pub feeder: u32,
    /// The outage's start (ms), as reported.
    pub start_ms: u64,
    /// The Merkle root over `events`, `0x`-prefixed hex.
    pub evidence_root: String,
    /// The events, in canonical order.
    pub events: Vec<MeterEvent>,
}

impl EvidenceFile {
    /// The document for `events`, the evidence of the outage of `feeder` that started at `start_ms`.
    pub fn new(feeder: u32, start_ms: u64, events: Vec<MeterEvent>) -> Self {
        Self {
            feeder,
            start_ms,
            evidence_root: root_hex(&evidence_root(&events)),
            events,
        }
    }
}

/// `root` as `0x`-prefixed hex, the way evidence roots are written for people and URLs.
pub fn root_hex(root: &Digest) -> String {
    format!("0x{}", hex::encode(root))
}

/// The digest `text` writes as (with or without `0x`), if it is one.
pub fn parse_root(text: &str) -> Option<Digest> {
    hex::decode(text.trim_start_matches("0x"))
        .ok()?
        .try_into()
        .ok()
}

/// Why a file of events could not be read.
#[derive(Debug, thiserror::Error)]
pub enum EventsFileError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A line is not a record of the file's format.
    #[error("{path}:{line}: {reason}")]
    BadLine {
        /// The file.
        path: PathBuf,
        /// Its line number, from 1.
        line: usize,
        /// Why.
        reason: String,
    },
    /// Neither an evidence document nor a `.csv` or `.jsonl` file.
    #[error("{0}: neither an evidence document (JSON with `events`) nor a .csv or .jsonl file")]
    UnknownFormat(PathBuf),
}

/// The meter events in `path`: an [`EvidenceFile`] (as the daemon serves it), or meter data in the
/// ingest formats (`.csv`, `.jsonl`; readings in it are ignored). Any line that is not a record names
/// the file and line: a verifier must not check against data it silently skipped.
pub fn read_events(path: &Path) -> Result<Vec<MeterEvent>, EventsFileError> {
    let text = std::fs::read_to_string(path).map_err(|source| EventsFileError::Io {
        path: path.to_owned(),
        source,
    })?;
    if let Ok(doc) = serde_json::from_str::<EvidenceFile>(&text) {
        return Ok(doc.events);
    }
    // A Green Button feed holds interval data only: no meter events to check against.
    let mut parser = Format::of(path)
        .and_then(LineParser::new)
        .ok_or_else(|| EventsFileError::UnknownFormat(path.to_owned()))?;
    let mut events = Vec::new();
    let mut first_bad = None;
    // Judged line by line as ingest judges them (a byte-order mark, CRLF), but here any bad line fails.
    let _ = for_each_line(text.as_bytes(), |line, parsed| {
        if first_bad.is_some() {
            return;
        }
        match parsed.and_then(|text| parser.parse(text)) {
            Ok(Some(Record::Event(e))) => events.push(e),
            Ok(_) => {}
            Err(reason) => first_bad = Some((line, reason)),
        }
    });
    if let Some((line, reason)) = first_bad {
        return Err(EventsFileError::BadLine {
            path: path.to_owned(),
            line,
            reason,
        });
    }
    Ok(events)
}

impl Store {
    pub(crate) fn create_evidence(&self) -> Result<(), StoreError> {
        self.conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS evidence (
                 root BLOB PRIMARY KEY,
                 feeder INTEGER NOT NULL,
                 start_ms INTEGER NOT NULL,
                 events BLOB NOT NULL
             );",
        )?;
        Ok(())
    }

    /// Keeps `outage`'s evidence under its root (keeping it again changes nothing); returns the root.
    pub fn keep_evidence(&mut self, outage: &Outage) -> Result<Digest, StoreError> {
        let root = outage.evidence_root();
        self.conn.execute(
            "INSERT OR IGNORE INTO evidence (root, feeder, start_ms, events) VALUES (?1, ?2, ?3, ?4)",
            params![
                root.to_vec(),
                outage.feeder,
                to_sql(outage.start_ms)?,
                outage.evidence.encode()
            ],
        )?;
        Ok(root)
    }

    /// The evidence kept under `root`, if this store reported it.
    pub fn evidence(&self, root: &Digest) -> Result<Option<EvidenceFile>, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT feeder, start_ms, events FROM evidence WHERE root = ?1",
                params![root.to_vec()],
                |row| {
                    Ok((
                        row.get::<_, u32>(0)?,
                        crate::store::from_sql(row.get(1)?),
                        row.get::<_, Vec<u8>>(2)?,
                    ))
                },
            )
            .optional()?;
        let Some((feeder, start_ms, blob)) = row else {
            return Ok(None);
        };
        let events = Vec::<MeterEvent>::decode(&mut &blob[..])
            .map_err(|_| StoreError::Undecodable(format!("evidence {}", root_hex(root))))?;
        Ok(Some(EvidenceFile::new(feeder, start_ms, events)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::scratch_store;
    use gridtrust_common::outage::{decide, outage_events, EventKind, OutageRule};

    #[test]
    fn kept_evidence_comes_back_unchanged_under_its_root() {
        let (dir, mut store) = scratch_store();
        let events = outage_events(4, 1..=3, 100, 900, 1);
        let outage = decide(&events, &OutageRule::default(), 1_000).remove(0);
        let root = store.keep_evidence(&outage).unwrap();
        assert_eq!(store.keep_evidence(&outage).unwrap(), root);
        let kept = store.evidence(&root).unwrap().unwrap();
        assert_eq!(kept.events, outage.evidence);
        assert_eq!(parse_root(&kept.evidence_root), Some(root));
        assert_eq!(store.evidence(&[7; 32]).unwrap(), None);

        // The document reads back as the same events; so does the same feed as CSV.
        let doc = dir.path().join("evidence.json");
        std::fs::write(&doc, serde_json::to_string(&kept).unwrap()).unwrap();
        assert_eq!(read_events(&doc).unwrap(), outage.evidence);
        let csv = dir.path().join("events.csv");
        let lines: Vec<String> = events
            .iter()
            .map(|e| {
                let kind = if e.kind == EventKind::LastGasp {
                    "last_gasp"
                } else {
                    "restore"
                };
                format!("{kind},{},{},{}", e.meter, e.feeder, e.at_ms)
            })
            .collect();
        std::fs::write(&csv, lines.join("\n")).unwrap();
        assert_eq!(read_events(&csv).unwrap(), events);
        std::fs::write(&csv, "last_gasp,1,4,100\nrestore,1,four,900\n").unwrap();
        let err = read_events(&csv).unwrap_err().to_string();
        assert!(
            err.ends_with("events.csv:2: feeder: `four` is not a non-negative integer"),
            "{err}"
        );
    }
}
