//! Reading quality: intervals the meter-data system marks estimated or missing.
//!
//! They are kept apart from the readings, which are measurements: a flagged interval is unusable for
//! demand response (a meter with one in an event's windows is left out with that reason), while its
//! reading, if one was stored before, stays for audit. The latest word wins: an actual reading that
//! arrives for a flagged interval clears the flag, a flag that arrives for a measured one sets it.
//! Like a correction, a flag for an interval behind a committed result is refused, so `oracle verify`
//! goes on proving what was committed.

use rusqlite::{params, OptionalExtension, Transaction};

use crate::{
    records::{Quality, UnusableRead},
    store::{from_sql, to_sql, Store, StoreError, Written},
};

impl Store {
    pub(crate) fn create_quality(&self) -> Result<(), StoreError> {
        self.conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS unusable_reads (
                 meter INTEGER NOT NULL,
                 interval_start INTEGER NOT NULL,
                 quality TEXT NOT NULL,
                 arrived_ms INTEGER NOT NULL,
                 PRIMARY KEY (meter, interval_start)
             ) WITHOUT ROWID;",
        )?;
        Ok(())
    }

    /// The first interval of `meter` in `from..to` marked unusable, with its quality.
    pub fn first_unusable(
        &self,
        meter: u64,
        from: u64,
        to: u64,
    ) -> Result<Option<(u64, Quality)>, StoreError> {
        let mut q = self.conn.prepare_cached(
            "SELECT interval_start, quality FROM unusable_reads
             WHERE meter = ?1 AND interval_start >= ?2 AND interval_start < ?3
             ORDER BY interval_start LIMIT 1",
        )?;
        let found: Option<(i64, String)> = q
            .query_row(params![to_sql(meter)?, to_sql(from)?, to_sql(to)?], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .optional()?;
        found
            .map(|(at, word)| match Quality::parse(&word) {
                Some(Some(quality)) => Ok((from_sql(at), quality)),
                _ => Err(StoreError::Undecodable(format!("reading quality `{word}`"))),
            })
            .transpose()
    }
}

/// Stores `flags` inside the store's write transaction `tx`, arriving at `now`.
pub(crate) fn put_unusable(
    tx: &Transaction<'_>,
    flags: &[UnusableRead],
    now: i64,
) -> Result<Written, StoreError> {
    let mut out = Written::default();
    let mut insert = tx.prepare_cached(
        "INSERT INTO unusable_reads (meter, interval_start, quality, arrived_ms)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (meter, interval_start) DO UPDATE SET quality = ?3, arrived_ms = ?4
         WHERE quality <> ?3",
    )?;
    let mut held = tx.prepare_cached(
        "SELECT quality FROM unusable_reads WHERE meter = ?1 AND interval_start = ?2",
    )?;
    for (index, f) in flags.iter().enumerate() {
        let (meter, at) = (to_sql(f.meter)?, to_sql(f.interval_start_ms)?);
        if let Some(event) = crate::commitments::committed_in(tx, f.meter, f.interval_start_ms)? {
            out.refused.push((
                index,
                format!(
                    "{} mark refused: meter {}'s reading at {} is behind demand-response event \
                     {event}'s committed result",
                    f.quality.as_str(),
                    f.meter,
                    f.interval_start_ms
                ),
            ));
            continue;
        }
        let before: Option<String> = held
            .query_row(params![meter, at], |row| row.get(0))
            .optional()?;
        insert.execute(params![meter, at, f.quality.as_str(), now])?;
        match before {
            None => out.new += 1,
            Some(word) if word == f.quality.as_str() => out.unchanged += 1,
            Some(_) => out.corrected += 1,
        }
    }
    Ok(out)
}

/// Clears the flag of an interval an actual reading now measures, inside `tx`.
pub(crate) fn measured(tx: &Transaction<'_>, meter: i64, at: i64) -> Result<(), StoreError> {
    tx.prepare_cached("DELETE FROM unusable_reads WHERE meter = ?1 AND interval_start = ?2")?
        .execute(params![meter, at])?;
    Ok(())
}
