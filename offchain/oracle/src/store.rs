//! The oracle's SQLite store.
//!
//! WAL journal with `synchronous = FULL`: a write that returned is on disk, and readers never block
//! the writer. Readings are keyed by (meter, interval start): ingesting the same file twice changes
//! nothing, and a corrected value for an interval replaces the old one. Events are keyed by (meter,
//! time, kind), so duplicates from a re-sent feed collapse too.

use std::path::Path;

use rusqlite::{params, Connection};

use crate::records::{EventKind, MeterEvent, Reading};

/// Why the store refused.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed.
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A value does not fit SQLite's signed 64-bit integers.
    #[error("{0} is too large to store")]
    OutOfRange(u64),
    /// A stored value no longer decodes (written by an incompatible version); names which.
    #[error("{0} does not decode (written by an incompatible version?)")]
    Undecodable(String),
}

pub(crate) fn to_sql(v: u64) -> Result<i64, StoreError> {
    i64::try_from(v).map_err(|_| StoreError::OutOfRange(v))
}

pub(crate) fn from_sql(v: i64) -> u64 {
    // Only values written by `to_sql` are read back, so they are never negative.
    u64::try_from(v).unwrap_or(0)
}

/// The oracle's database.
pub struct Store {
    pub(crate) conn: Connection,
}

impl Store {
    /// Opens (creating if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path)?;
        // The daemon writes from several threads through their own connections: wait for the lock.
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS readings (
                 meter INTEGER NOT NULL,
                 interval_start INTEGER NOT NULL,
                 wh INTEGER NOT NULL,
                 PRIMARY KEY (meter, interval_start)
             ) WITHOUT ROWID;
             CREATE TABLE IF NOT EXISTS events (
                 meter INTEGER NOT NULL,
                 at_ms INTEGER NOT NULL,
                 kind INTEGER NOT NULL,
                 feeder INTEGER NOT NULL,
                 PRIMARY KEY (meter, at_ms, kind)
             ) WITHOUT ROWID;
             CREATE INDEX IF NOT EXISTS events_by_time ON events (at_ms);",
        )?;
        let store = Self { conn };
        store.create_outbox()?;
        store.create_progress()?;
        store.create_evidence()?;
        Ok(store)
    }

    /// Stores `readings` in one transaction; returns how many were given.
    pub fn put_readings(&mut self, readings: &[Reading]) -> Result<usize, StoreError> {
        let tx = self.conn.transaction()?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO readings (meter, interval_start, wh) VALUES (?1, ?2, ?3)
                 ON CONFLICT (meter, interval_start) DO UPDATE SET wh = excluded.wh",
            )?;
            for r in readings {
                insert.execute(params![
                    to_sql(r.meter)?,
                    to_sql(r.interval_start_ms)?,
                    to_sql(r.wh)?
                ])?;
            }
        }
        tx.commit()?;
        Ok(readings.len())
    }

    /// Stores `events` in one transaction; returns how many were given.
    pub fn put_events(&mut self, events: &[MeterEvent]) -> Result<usize, StoreError> {
        let tx = self.conn.transaction()?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT OR IGNORE INTO events (meter, at_ms, kind, feeder) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for e in events {
                let kind = match e.kind {
                    EventKind::LastGasp => 0,
                    EventKind::Restore => 1,
                };
                insert.execute(params![to_sql(e.meter)?, to_sql(e.at_ms)?, kind, e.feeder])?;
            }
        }
        tx.commit()?;
        Ok(events.len())
    }

    /// `meter`'s readings with interval starts in `from..to`, in time order.
    pub fn readings(&self, meter: u64, from: u64, to: u64) -> Result<Vec<Reading>, StoreError> {
        let mut q = self.conn.prepare_cached(
            "SELECT interval_start, wh FROM readings
             WHERE meter = ?1 AND interval_start >= ?2 AND interval_start < ?3
             ORDER BY interval_start",
        )?;
        let rows = q.query_map(params![to_sql(meter)?, to_sql(from)?, to_sql(to)?], |row| {
            Ok(Reading {
                meter,
                interval_start_ms: from_sql(row.get(0)?),
                wh: from_sql(row.get(1)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every meter with a reading, ascending.
    pub fn meters(&self) -> Result<Vec<u64>, StoreError> {
        let mut q = self
            .conn
            .prepare_cached("SELECT DISTINCT meter FROM readings ORDER BY meter")?;
        let rows = q.query_map([], |row| Ok(from_sql(row.get(0)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The earliest interval start of any reading, if there is one.
    pub fn first_reading_ms(&self) -> Result<Option<u64>, StoreError> {
        let first: Option<i64> =
            self.conn
                .query_row("SELECT MIN(interval_start) FROM readings", [], |row| {
                    row.get(0)
                })?;
        Ok(first.map(from_sql))
    }

    /// The time of the newest meter data (reading interval start or event), if any.
    pub fn latest_data_ms(&self) -> Result<Option<u64>, StoreError> {
        let latest: Option<i64> = self.conn.query_row(
            "SELECT MAX(t) FROM (SELECT MAX(interval_start) AS t FROM readings
                                 UNION ALL SELECT MAX(at_ms) FROM events)",
            [],
            |row| row.get(0),
        )?;
        Ok(latest.map(from_sql))
    }

    /// Every meter event, in time order (ties: meter, then last gasp before restore).
    pub fn meter_events(&self) -> Result<Vec<MeterEvent>, StoreError> {
        let mut q = self.conn.prepare_cached(
            "SELECT meter, at_ms, kind, feeder FROM events ORDER BY at_ms, meter, kind",
        )?;
        let rows = q.query_map([], |row| {
            Ok(MeterEvent {
                meter: from_sql(row.get(0)?),
                at_ms: from_sql(row.get(1)?),
                kind: if row.get::<_, i64>(2)? == 0 {
                    EventKind::LastGasp
                } else {
                    EventKind::Restore
                },
                feeder: row.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(meter: u64, interval_start_ms: u64, wh: u64) -> Reading {
        Reading {
            meter,
            interval_start_ms,
            wh,
        }
    }

    #[test]
    fn reingesting_is_harmless_and_a_correction_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("oracle.db");
        let mut store = Store::open(&path).unwrap();
        let day = [
            reading(1, 0, 100),
            reading(1, 900_000, 110),
            reading(2, 0, 50),
        ];
        store.put_readings(&day).unwrap();
        store.put_readings(&day).unwrap();
        store.put_readings(&[reading(1, 900_000, 120)]).unwrap();
        drop(store);
        // Reopened from disk: what was committed is there.
        let store = Store::open(&path).unwrap();
        assert_eq!(
            store.readings(1, 0, 1_800_000).unwrap(),
            vec![reading(1, 0, 100), reading(1, 900_000, 120)]
        );
        assert_eq!(store.readings(1, 900_000, 900_001).unwrap().len(), 1);
        assert_eq!(store.meters().unwrap(), vec![1, 2]);
    }

    #[test]
    fn values_beyond_sqlite_integers_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("o.db")).unwrap();
        assert!(matches!(
            store.put_readings(&[reading(u64::MAX, 0, 1)]),
            Err(StoreError::OutOfRange(u64::MAX))
        ));
        assert_eq!(store.meters().unwrap(), Vec::<u64>::new());
    }
}
