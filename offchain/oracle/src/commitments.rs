//! What the oracle has committed to on chain, so that ingest never changes it underneath.
//!
//! When a demand-response event is measured, its batches commit (through their readings roots and the
//! baselines on chain) to the readings they were computed from: each measured meter's event window,
//! the adjustment window before it, and the same windows on every history day the baseline looked
//! at. Those windows and meters are recorded here; a later correction to a reading inside them is
//! refused by the store (and logged by ingest), so `oracle verify` goes on proving what was committed.
//! Outage evidence needs no such guard: it is kept as reported (see [`crate::evidence`]).

use rusqlite::{params, Connection, OptionalExtension};

use crate::store::{from_sql, to_sql, Store, StoreError};

impl Store {
    pub(crate) fn create_commitments(&self) -> Result<(), StoreError> {
        self.conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS committed_windows (
                 event INTEGER NOT NULL,
                 from_ms INTEGER NOT NULL,
                 to_ms INTEGER NOT NULL,
                 PRIMARY KEY (event, from_ms, to_ms)
             ) WITHOUT ROWID;
             CREATE TABLE IF NOT EXISTS committed_meters (
                 meter INTEGER NOT NULL,
                 event INTEGER NOT NULL,
                 PRIMARY KEY (meter, event)
             ) WITHOUT ROWID;",
        )?;
        Ok(())
    }

    /// Records that demand-response event `event`'s results for `meters` were computed from their
    /// readings in `windows` (`from..to`, ms), in one transaction.
    pub fn record_commitment(
        &mut self,
        event: u64,
        meters: &[u64],
        windows: &[(u64, u64)],
    ) -> Result<(), StoreError> {
        let event = to_sql(event)?;
        let tx = self.conn.transaction()?;
        {
            let mut window = tx.prepare_cached(
                "INSERT OR IGNORE INTO committed_windows (event, from_ms, to_ms) VALUES (?1, ?2, ?3)",
            )?;
            for &(from, to) in windows {
                window.execute(params![event, to_sql(from)?, to_sql(to)?])?;
            }
            let mut meter = tx.prepare_cached(
                "INSERT OR IGNORE INTO committed_meters (meter, event) VALUES (?1, ?2)",
            )?;
            for &m in meters {
                meter.execute(params![to_sql(m)?, event])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The demand-response event whose committed result `meter`'s reading at `at_ms` is behind, if any.
    pub fn committed_in(&self, meter: u64, at_ms: u64) -> Result<Option<u64>, StoreError> {
        committed_in(&self.conn, meter, at_ms)
    }
}

/// [`Store::committed_in`] on `conn`, so the store can ask inside its own write transaction.
pub(crate) fn committed_in(
    conn: &Connection,
    meter: u64,
    at_ms: u64,
) -> Result<Option<u64>, StoreError> {
    let mut q = conn.prepare_cached(
        "SELECT m.event FROM committed_meters m
         JOIN committed_windows w ON w.event = m.event
         WHERE m.meter = ?1 AND w.from_ms <= ?2 AND ?2 < w.to_ms
         ORDER BY m.event LIMIT 1",
    )?;
    let event: Option<i64> = q
        .query_row(params![to_sql(meter)?, to_sql(at_ms)?], |row| row.get(0))
        .optional()?;
    Ok(event.map(from_sql))
}

#[cfg(test)]
mod tests {
    use crate::records::Reading;
    use crate::store::scratch_store;

    #[test]
    fn a_committed_reading_keeps_its_value_and_the_rest_may_be_corrected() {
        let (_dir, mut store) = scratch_store();
        store
            .put_readings(&[
                Reading::new(1, 0, 100),
                Reading::new(1, 900_000, 100),
                Reading::new(2, 0, 50),
            ])
            .unwrap();
        // Event 4 measured meter 1 over 0..900 000 (and a history window further back).
        store
            .record_commitment(4, &[1], &[(0, 900_000), (86_400_000, 87_300_000)])
            .unwrap();
        assert_eq!(store.committed_in(1, 0).unwrap(), Some(4));
        assert_eq!(store.committed_in(1, 900_000).unwrap(), None);
        assert_eq!(store.committed_in(2, 0).unwrap(), None);

        let fix = store
            .put_readings(&[
                Reading::new(1, 0, 130),
                Reading::new(1, 900_000, 130),
                Reading::new(2, 0, 60),
            ])
            .unwrap();
        assert_eq!(fix.corrected, 2);
        assert_eq!(fix.refused.len(), 1);
        assert_eq!(fix.refused[0].0, 0);
        assert!(fix.refused[0].1.contains("event 4"), "{}", fix.refused[0].1);
        assert_eq!(
            store.readings(1, 0, 1).unwrap(),
            vec![Reading::new(1, 0, 100)]
        );
        assert_eq!(store.readings(1, 900_000, 900_001).unwrap()[0].wh, 130);
        // The same value again is no correction, committed or not.
        assert_eq!(
            store
                .put_readings(&[Reading::new(1, 0, 100)])
                .unwrap()
                .unchanged,
            1
        );
    }
}
