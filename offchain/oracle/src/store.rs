//! The oracle's SQLite store.
//!
//! WAL journal with `synchronous = FULL`: a write that returned is on disk, and readers never block
//! the writer. Readings are keyed by (meter, interval start): ingesting the same file twice changes
//! nothing. A different value for a stored interval is a correction, never silent: the old value is
//! kept in `reading_revisions` with when it arrived and when it was replaced, and a correction to a
//! reading the oracle already committed to on chain is refused (see [`crate::commitments`]). Events
//! are keyed by (meter, time, kind), so duplicates from a re-sent feed collapse too; the same key with
//! another feeder is refused.

use std::{
    path::Path,
    time::{SystemTime, UNIX_EPOCH},
};

use rusqlite::{params, Connection, OptionalExtension};

use crate::records::{EventKind, MeterEvent, Reading, UnusableRead};

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

/// What writing a batch of records did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Written {
    /// Records the store did not hold.
    pub new: usize,
    /// Records identical to what the store held.
    pub unchanged: usize,
    /// Readings that replaced a different value (kept as a revision).
    pub corrected: usize,
    /// Records refused, by their position in the batch, with the reason.
    pub refused: Vec<(usize, String)>,
}

/// What writing readings and events in one transaction did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WrittenRecords {
    /// The readings.
    pub readings: Written,
    /// The events.
    pub events: Written,
    /// The intervals marked estimated or missing (`corrected`: a mark that changed its quality).
    pub unusable: Written,
}

/// One value a reading has had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    /// The value (Wh).
    pub wh: u64,
    /// When it arrived (Unix ms; 0 for readings stored before revisions were kept).
    pub arrived_ms: u64,
    /// When a correction replaced it; `None` for the value in force.
    pub replaced_ms: Option<u64>,
}

/// The wall clock in Unix milliseconds (0 if the clock reads before 1970): when the oracle stored or
/// checked something, never an interval's time, which always comes from the meter data.
pub(crate) fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
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
             CREATE INDEX IF NOT EXISTS events_by_time ON events (at_ms);
             CREATE TABLE IF NOT EXISTS reading_revisions (
                 meter INTEGER NOT NULL,
                 interval_start INTEGER NOT NULL,
                 wh INTEGER NOT NULL,
                 arrived_ms INTEGER NOT NULL,
                 replaced_ms INTEGER NOT NULL
             );
             CREATE INDEX IF NOT EXISTS revisions_by_reading
                 ON reading_revisions (meter, interval_start);",
        )?;
        // Stores made before revisions were kept lack the arrival time: add it (0 = unknown).
        let has_arrival: bool = conn.query_row(
            "SELECT COUNT(*) FROM pragma_table_info('readings') WHERE name = 'arrived_ms'",
            [],
            |row| row.get(0),
        )?;
        if !has_arrival {
            conn.execute_batch(
                "ALTER TABLE readings ADD COLUMN arrived_ms INTEGER NOT NULL DEFAULT 0",
            )?;
        }
        let store = Self { conn };
        store.create_outbox()?;
        store.create_progress()?;
        store.create_evidence()?;
        store.create_commitments()?;
        store.create_quality()?;
        Ok(store)
    }

    /// Stores `readings`, `events` and `unusable` marks in one transaction: new ones are added,
    /// identical ones change nothing, a different reading value is a correction (the old value kept
    /// as a revision) unless the reading is part of a committed result, and an event that
    /// contradicts a stored one is refused. A reading clears its interval's unusable mark; marks are
    /// stored after the readings (see [`crate::quality`]). Refusals are reported, not errors: the
    /// rest is stored.
    pub fn put_records(
        &mut self,
        readings: &[Reading],
        events: &[MeterEvent],
        unusable: &[UnusableRead],
    ) -> Result<WrittenRecords, StoreError> {
        let now = to_sql(unix_ms())?;
        let tx = self.conn.transaction()?;
        let mut written = WrittenRecords::default();
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO readings (meter, interval_start, wh, arrived_ms) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (meter, interval_start) DO NOTHING",
            )?;
            let mut stored = tx.prepare_cached(
                "SELECT wh, arrived_ms FROM readings WHERE meter = ?1 AND interval_start = ?2",
            )?;
            let mut keep_old = tx.prepare_cached(
                "INSERT INTO reading_revisions (meter, interval_start, wh, arrived_ms, replaced_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            let mut replace = tx.prepare_cached(
                "UPDATE readings SET wh = ?3, arrived_ms = ?4 WHERE meter = ?1 AND interval_start = ?2",
            )?;
            let out = &mut written.readings;
            for (index, r) in readings.iter().enumerate() {
                let (meter, at, wh) = (
                    to_sql(r.meter)?,
                    to_sql(r.interval_start_ms)?,
                    to_sql(r.wh)?,
                );
                if insert.execute(params![meter, at, wh, now])? == 1 {
                    crate::quality::measured(&tx, meter, at)?;
                    out.new += 1;
                    continue;
                }
                let (old, arrived): (i64, i64) =
                    stored.query_row(params![meter, at], |row| Ok((row.get(0)?, row.get(1)?)))?;
                if old == wh {
                    crate::quality::measured(&tx, meter, at)?;
                    out.unchanged += 1;
                } else if let Some(event) =
                    crate::commitments::committed_in(&tx, r.meter, r.interval_start_ms)?
                {
                    out.refused.push((
                        index,
                        format!(
                            "correction refused: meter {}'s reading at {} is behind demand-response \
                             event {event}'s committed result ({} Wh stays; {} Wh offered)",
                            r.meter,
                            r.interval_start_ms,
                            from_sql(old),
                            r.wh
                        ),
                    ));
                } else {
                    keep_old.execute(params![meter, at, old, arrived, now])?;
                    replace.execute(params![meter, at, wh, now])?;
                    crate::quality::measured(&tx, meter, at)?;
                    out.corrected += 1;
                }
            }

            let mut insert = tx.prepare_cached(
                "INSERT INTO events (meter, at_ms, kind, feeder) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (meter, at_ms, kind) DO NOTHING",
            )?;
            let mut feeder_of = tx.prepare_cached(
                "SELECT feeder FROM events WHERE meter = ?1 AND at_ms = ?2 AND kind = ?3",
            )?;
            let out = &mut written.events;
            for (index, e) in events.iter().enumerate() {
                let kind = match e.kind {
                    EventKind::LastGasp => 0,
                    EventKind::Restore => 1,
                };
                let (meter, at) = (to_sql(e.meter)?, to_sql(e.at_ms)?);
                if insert.execute(params![meter, at, kind, e.feeder])? == 1 {
                    out.new += 1;
                    continue;
                }
                let feeder: u32 =
                    feeder_of.query_row(params![meter, at, kind], |row| row.get(0))?;
                if feeder == e.feeder {
                    out.unchanged += 1;
                } else {
                    out.refused.push((
                        index,
                        format!(
                            "meter {} already has this event at {} on feeder {feeder}; a meter's \
                             event is not moved to feeder {}",
                            e.meter, e.at_ms, e.feeder
                        ),
                    ));
                }
            }
        }
        written.unusable = crate::quality::put_unusable(&tx, unusable, now)?;
        tx.commit()?;
        Ok(written)
    }

    /// Stores `readings` in one transaction (see [`Store::put_records`]).
    pub fn put_readings(&mut self, readings: &[Reading]) -> Result<Written, StoreError> {
        Ok(self.put_records(readings, &[], &[])?.readings)
    }

    /// Stores `events` in one transaction (see [`Store::put_records`]).
    pub fn put_events(&mut self, events: &[MeterEvent]) -> Result<Written, StoreError> {
        Ok(self.put_records(&[], events, &[])?.events)
    }

    /// Every value the reading of `meter` at `interval_start_ms` has had, oldest first; the last is
    /// the one in force. Empty when there is no such reading.
    pub fn revisions(
        &self,
        meter: u64,
        interval_start_ms: u64,
    ) -> Result<Vec<Revision>, StoreError> {
        let (meter, at) = (to_sql(meter)?, to_sql(interval_start_ms)?);
        let mut q = self.conn.prepare_cached(
            "SELECT wh, arrived_ms, replaced_ms FROM reading_revisions
             WHERE meter = ?1 AND interval_start = ?2 ORDER BY replaced_ms, rowid",
        )?;
        let mut out: Vec<Revision> = q
            .query_map(params![meter, at], |row| {
                Ok(Revision {
                    wh: from_sql(row.get(0)?),
                    arrived_ms: from_sql(row.get(1)?),
                    replaced_ms: Some(from_sql(row.get(2)?)),
                })
            })?
            .collect::<Result<_, _>>()?;
        let current = self
            .conn
            .query_row(
                "SELECT wh, arrived_ms FROM readings WHERE meter = ?1 AND interval_start = ?2",
                params![meter, at],
                |row| {
                    Ok(Revision {
                        wh: from_sql(row.get(0)?),
                        arrived_ms: from_sql(row.get(1)?),
                        replaced_ms: None,
                    })
                },
            )
            .optional()?;
        out.extend(current);
        Ok(out)
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

/// A store in a fresh temporary folder, for tests; the folder goes when the guard drops.
#[cfg(test)]
pub(crate) fn scratch_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let store = Store::open(&dir.path().join("oracle.db")).expect("a new store opens");
    (dir, store)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reingesting_is_harmless_and_a_correction_replaces_with_the_old_value_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("oracle.db");
        let mut store = Store::open(&path).unwrap();
        let day = [
            Reading::new(1, 0, 100),
            Reading::new(1, 900_000, 110),
            Reading::new(2, 0, 50),
        ];
        assert_eq!(store.put_readings(&day).unwrap().new, 3);
        let again = store.put_readings(&day).unwrap();
        assert_eq!((again.new, again.unchanged), (0, 3));
        let fix = store
            .put_readings(&[Reading::new(1, 900_000, 120)])
            .unwrap();
        assert_eq!((fix.corrected, fix.refused.len()), (1, 0));
        drop(store);
        // Reopened from disk: what was committed is there.
        let store = Store::open(&path).unwrap();
        assert_eq!(
            store.readings(1, 0, 1_800_000).unwrap(),
            vec![Reading::new(1, 0, 100), Reading::new(1, 900_000, 120)]
        );
        assert_eq!(store.readings(1, 900_000, 900_001).unwrap().len(), 1);
        assert_eq!(store.meters().unwrap(), vec![1, 2]);
        let revisions = store.revisions(1, 900_000).unwrap();
        assert_eq!(
            revisions.iter().map(|r| r.wh).collect::<Vec<_>>(),
            vec![110, 120]
        );
        assert!(revisions[0].replaced_ms.is_some() && revisions[1].replaced_ms.is_none());
        assert!(revisions[0].arrived_ms > 0 && revisions[0].arrived_ms <= revisions[1].arrived_ms);
        assert_eq!(store.revisions(1, 0).unwrap().len(), 1);
        assert!(store.revisions(9, 0).unwrap().is_empty());
    }

    #[test]
    fn an_event_is_not_moved_to_another_feeder() {
        let (_dir, mut store) = scratch_store();
        let gasp = |feeder| MeterEvent {
            kind: EventKind::LastGasp,
            meter: 4,
            feeder,
            at_ms: 1_000,
        };
        assert_eq!(store.put_events(&[gasp(2)]).unwrap().new, 1);
        let again = store.put_events(&[gasp(2), gasp(3)]).unwrap();
        assert_eq!(again.unchanged, 1);
        assert_eq!(again.refused[0].0, 1);
        assert!(
            again.refused[0].1.contains("feeder 2"),
            "{:?}",
            again.refused
        );
        assert_eq!(store.meter_events().unwrap(), vec![gasp(2)]);
    }

    #[test]
    fn values_beyond_sqlite_integers_are_refused() {
        let (_dir, mut store) = scratch_store();
        assert!(matches!(
            store.put_readings(&[Reading::new(u64::MAX, 0, 1)]),
            Err(StoreError::OutOfRange(u64::MAX))
        ));
        assert_eq!(store.meters().unwrap(), Vec::<u64>::new());
    }
}
