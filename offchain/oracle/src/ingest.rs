//! Parsing meter data files line by line.
//!
//! Two formats, chosen by the file's extension:
//! - **CSV** (`.csv`): `reading,<meter>,<interval_start_ms>,<wh>` or
//!   `last_gasp|restore,<meter>,<feeder>,<at_ms>`; blank lines, `#` comments and a header line starting
//!   with `type` are skipped.
//! - **JSON Lines** (`.jsonl`): `{"type":"reading","meter":1,"interval_start_ms":0,"wh":250}` or
//!   `{"type":"event","kind":"last_gasp","meter":1,"feeder":7,"at_ms":0}`.
//!
//! A line that does not parse is a [`Reject`] naming the file and line; it never stops the file.

use std::{
    fs::File,
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
};

use crate::{
    records::{EventKind, MeterEvent, Reading, Record},
    store::{Store, StoreError},
};

/// A line that was not ingested, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    /// The file.
    pub file: PathBuf,
    /// Its line number, from 1.
    pub line: usize,
    /// What was wrong with it.
    pub reason: String,
}

impl std::fmt::Display for Reject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.reason)
    }
}

/// What ingesting one file did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct IngestReport {
    /// Readings stored.
    pub readings: usize,
    /// Events stored.
    pub events: usize,
    /// Lines rejected.
    pub rejects: Vec<Reject>,
}

/// Why a whole file could not be ingested (a bad line is a [`Reject`] instead).
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The file could not be read.
    #[error("reading {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Neither `.csv` nor `.jsonl`.
    #[error("{0}: unknown format (expected .csv or .jsonl)")]
    UnknownFormat(PathBuf),
    /// The store refused a write.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Parses one CSV line; `Ok(None)` for a line to skip.
pub fn parse_csv_line(line: &str) -> Result<Option<Record>, String> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') || line.starts_with("type") {
        return Ok(None);
    }
    let fields: Vec<&str> = line.split(',').map(str::trim).collect();
    let [kind, a, b, c] = fields[..] else {
        return Err(format!("expected 4 fields, found {}", fields.len()));
    };
    let num = |name: &str, v: &str| -> Result<u64, String> {
        v.parse()
            .map_err(|_| format!("{name}: `{v}` is not a non-negative integer"))
    };
    let record = match kind {
        "reading" => Record::Reading(Reading {
            meter: num("meter", a)?,
            interval_start_ms: num("interval_start_ms", b)?,
            wh: num("wh", c)?,
        }),
        "last_gasp" | "restore" => Record::Event(MeterEvent {
            kind: if kind == "restore" {
                EventKind::Restore
            } else {
                EventKind::LastGasp
            },
            meter: num("meter", a)?,
            feeder: u32::try_from(num("feeder", b)?)
                .map_err(|_| format!("feeder: `{b}` is too large"))?,
            at_ms: num("at_ms", c)?,
        }),
        other => return Err(format!("unknown record type `{other}`")),
    };
    Ok(Some(record))
}

/// Parses one JSON Lines line; `Ok(None)` for a blank line.
pub fn parse_json_line(line: &str) -> Result<Option<Record>, String> {
    if line.trim().is_empty() {
        return Ok(None);
    }
    serde_json::from_str(line)
        .map(Some)
        .map_err(|e| e.to_string())
}

/// A meter-data format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated lines (`.csv`).
    Csv,
    /// JSON Lines (`.jsonl`).
    JsonLines,
}

impl Format {
    /// The format a file's extension names, if any.
    pub fn of(path: &Path) -> Option<Self> {
        match path.extension().and_then(|e| e.to_str()) {
            Some("csv") => Some(Self::Csv),
            Some("jsonl") => Some(Self::JsonLines),
            _ => None,
        }
    }

    fn parser(self) -> fn(&str) -> Result<Option<Record>, String> {
        match self {
            Self::Csv => parse_csv_line,
            Self::JsonLines => parse_json_line,
        }
    }

    /// Parses one line of this format; `Ok(None)` for a line to skip.
    pub fn parse_line(self, line: &str) -> Result<Option<Record>, String> {
        self.parser()(line)
    }
}

/// Ingests `path` into `store` in one transaction per file; bad lines are rejected and counted.
pub fn ingest_file(path: &Path, store: &mut Store) -> Result<IngestReport, IngestError> {
    let format = Format::of(path).ok_or_else(|| IngestError::UnknownFormat(path.to_owned()))?;
    let file = File::open(path).map_err(|source| IngestError::Io {
        path: path.to_owned(),
        source,
    })?;
    ingest_reader(BufReader::new(file), format, path, store)
}

/// Ingests the lines of `reader` (named `source` in rejects: a file, or e.g. `http#12`) into `store`
/// in one transaction; bad lines are rejected and counted.
pub fn ingest_reader(
    reader: impl BufRead,
    format: Format,
    source: &Path,
    store: &mut Store,
) -> Result<IngestReport, IngestError> {
    let parse = format.parser();
    let mut report = IngestReport::default();
    let mut readings = Vec::new();
    let mut events = Vec::new();
    for (i, line) in reader.lines().enumerate() {
        let line = line.map_err(|source_err| IngestError::Io {
            path: source.to_owned(),
            source: source_err,
        })?;
        match parse(&line) {
            Ok(Some(Record::Reading(r))) => readings.push(r),
            Ok(Some(Record::Event(e))) => events.push(e),
            Ok(None) => {}
            Err(reason) => report.rejects.push(Reject {
                file: source.to_owned(),
                line: i + 1,
                reason,
            }),
        }
    }
    report.readings = store.put_readings(&readings)?;
    report.events = store.put_events(&events)?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_lines_parse_or_say_why_not() {
        assert_eq!(
            parse_csv_line("reading, 7, 900000, 250"),
            Ok(Some(Record::Reading(Reading {
                meter: 7,
                interval_start_ms: 900_000,
                wh: 250
            })))
        );
        assert_eq!(
            parse_csv_line("restore,7,3,1000"),
            Ok(Some(Record::Event(MeterEvent {
                kind: EventKind::Restore,
                meter: 7,
                feeder: 3,
                at_ms: 1_000
            })))
        );
        assert_eq!(parse_csv_line("type,meter,a,b"), Ok(None));
        assert_eq!(parse_csv_line("  # comment"), Ok(None));
        assert!(parse_csv_line("reading,7,900000")
            .unwrap_err()
            .contains("4 fields"));
        assert!(parse_csv_line("reading,7,900000,-3")
            .unwrap_err()
            .contains("wh"));
        assert!(parse_csv_line("blackout,7,1,2")
            .unwrap_err()
            .contains("blackout"));
        assert!(parse_csv_line("last_gasp,7,99999999999,2")
            .unwrap_err()
            .contains("feeder"));
    }

    #[test]
    fn json_lines_parse_or_say_why_not() {
        assert_eq!(
            parse_json_line(
                r#"{"type":"event","kind":"last_gasp","meter":1,"feeder":2,"at_ms":3}"#
            ),
            Ok(Some(Record::Event(MeterEvent {
                kind: EventKind::LastGasp,
                meter: 1,
                feeder: 2,
                at_ms: 3
            })))
        );
        assert!(parse_json_line(r#"{"type":"reading","meter":1}"#).is_err());
        assert!(parse_json_line("not json").is_err());
        assert_eq!(parse_json_line(""), Ok(None));
    }
}

#[cfg(test)]
mod file_tests {
    use super::*;

    #[test]
    fn a_file_with_bad_lines_keeps_the_good_ones_and_names_the_bad() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("o.db")).unwrap();
        let csv = dir.path().join("day.csv");
        std::fs::write(
            &csv,
            "type,meter,a,b\nreading,1,0,100\nreading,1,900000,abc\n\nlast_gasp,1,7,5\nreading,2\n",
        )
        .unwrap();
        let report = ingest_file(&csv, &mut store).unwrap();
        assert_eq!((report.readings, report.events), (1, 1));
        let lines: Vec<usize> = report.rejects.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![3, 6]);
        assert!(report.rejects[0]
            .to_string()
            .starts_with(&format!("{}:3: wh", csv.display())));
        assert_eq!(store.meter_events().unwrap().len(), 1);

        let json = dir.path().join("more.jsonl");
        std::fs::write(
            &json,
            "{\"type\":\"reading\",\"meter\":3,\"interval_start_ms\":0,\"wh\":7}\n{oops\n",
        )
        .unwrap();
        let report = ingest_file(&json, &mut store).unwrap();
        assert_eq!((report.readings, report.rejects.len()), (1, 1));
        assert_eq!(report.rejects[0].line, 2);
        assert_eq!(store.meters().unwrap(), vec![1, 3]);

        let other = dir.path().join("x.txt");
        std::fs::write(&other, "").unwrap();
        assert!(matches!(
            ingest_file(&other, &mut store),
            Err(IngestError::UnknownFormat(_))
        ));
        assert!(matches!(
            ingest_file(&dir.path().join("missing.csv"), &mut store),
            Err(IngestError::Io { .. })
        ));
    }
}
