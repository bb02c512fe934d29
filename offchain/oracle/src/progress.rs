//! What the oracle's worker has already done, kept in its store so a restart neither repeats nor
//! forgets it: demand-response events measured (and the meters in their results, which make up its
//! batches), and named cursors (the keeper's: outages paid, events settled).

use rusqlite::{params, OptionalExtension};
use scale::{Decode, Encode};

use crate::store::{Store, StoreError};

impl Store {
    pub(crate) fn create_progress(&self) -> Result<(), StoreError> {
        self.conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS measured_events (
                 event INTEGER PRIMARY KEY,
                 meters BLOB NOT NULL
             );
             CREATE TABLE IF NOT EXISTS progress (
                 name TEXT PRIMARY KEY,
                 value INTEGER NOT NULL
             );",
        )?;
        Ok(())
    }

    /// The meters of demand-response event `event`'s results, if it was measured.
    pub fn measured(&self, event: u64) -> Result<Option<Vec<u64>>, StoreError> {
        let blob: Option<Vec<u8>> = self
            .conn
            .query_row(
                "SELECT meters FROM measured_events WHERE event = ?1",
                params![crate::store::to_sql(event)?],
                |row| row.get(0),
            )
            .optional()?;
        blob.map(|b| {
            Vec::<u64>::decode(&mut &b[..]).map_err(|_| {
                StoreError::Undecodable(format!("the measured meters of event {event}"))
            })
        })
        .transpose()
    }

    /// Records that `event` was measured with results for `meters`.
    pub fn record_measured(&mut self, event: u64, meters: &[u64]) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR IGNORE INTO measured_events (event, meters) VALUES (?1, ?2)",
            params![crate::store::to_sql(event)?, meters.to_vec().encode()],
        )?;
        Ok(())
    }

    /// Cursor `name` (0 when never set).
    pub fn progress(&self, name: &str) -> Result<u64, StoreError> {
        let value: Option<i64> = self
            .conn
            .query_row(
                "SELECT value FROM progress WHERE name = ?1",
                params![name],
                |row| row.get(0),
            )
            .optional()?;
        Ok(value.map_or(0, crate::store::from_sql))
    }

    /// Sets cursor `name`.
    pub fn set_progress(&mut self, name: &str, value: u64) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO progress (name, value) VALUES (?1, ?2)
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            params![name, crate::store::to_sql(value)?],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_survives_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("o.db");
        let mut store = Store::open(&path).unwrap();
        assert_eq!(store.measured(3).unwrap(), None);
        store.record_measured(3, &[7, 9]).unwrap();
        store.record_measured(3, &[1]).unwrap(); // recorded once: the first results stand
        store.record_measured(5, &[2]).unwrap();
        store.set_progress("cursor", 4).unwrap();
        store.set_progress("cursor", 5).unwrap();
        drop(store);
        let store = Store::open(&path).unwrap();
        assert_eq!(store.measured(3).unwrap(), Some(vec![7, 9]));
        assert_eq!(store.measured(5).unwrap(), Some(vec![2]));
        assert_eq!(store.progress("cursor").unwrap(), 5);
        assert_eq!(store.progress("never").unwrap(), 0);
    }
}
