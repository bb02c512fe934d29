//! Ingesting meter data: files (or HTTP bodies) of readings and meter events into the store.
//!
//! - [`lines`]: the input split into lines, each decoded on its own (BOM, CRLF, a bad byte);
//! - [`parse`]: the CSV and JSON Lines formats, chosen by the file's extension;
//! - [`green_button`]: Green Button (NAESB ESPI) Atom feeds (`.xml`), streamed in two passes with
//!   bounded nesting and markup;
//! - [`bounds`]: what a parsed record must satisfy to be plausible.
//!
//! Every line that cannot be used is a [`Reject`] naming the source and line number, and the rest goes
//! on; so is a correction the store refuses (a reading already committed on chain). Only a source that
//! cannot be read at all (missing, unknown format, an I/O error) fails, and then nothing of it is
//! stored: each source is one transaction.

pub mod bounds;
pub mod green_button;
pub mod lines;
pub mod parse;

use std::{
    fs::File,
    io::{BufRead, BufReader, Seek},
    path::{Path, PathBuf},
};

pub use bounds::Bounds;
pub use parse::{parse_csv_line, parse_json_line, CsvLine};

use crate::{
    records::Record,
    store::{unix_ms, Store, StoreError},
};

/// A line that was not ingested, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    /// The file (or e.g. `http#12` for an HTTP request).
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

/// What ingesting one source did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct IngestReport {
    /// Readings stored: new ones and accepted corrections.
    pub readings: usize,
    /// Events stored that were not stored before.
    pub events: usize,
    /// Records identical to what the store held already (the same data sent again).
    pub unchanged: usize,
    /// Readings that replaced a different stored value (the old one is kept as a revision).
    pub corrections: usize,
    /// Corrections refused because the reading is part of a committed result (also in `rejects`).
    pub corrections_refused: usize,
    /// Intervals newly marked estimated or missing (or marked with another quality than before).
    pub unusable: usize,
    /// Lines rejected.
    pub rejects: Vec<Reject>,
}

/// Why a whole source could not be ingested (a bad line is a [`Reject`] instead).
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
    /// Neither `.csv`, `.jsonl` nor `.xml`.
    #[error("{0}: unknown format (expected .csv, .jsonl or .xml)")]
    UnknownFormat(PathBuf),
    /// A Green Button feed's meter mapping file could not be used.
    #[error("{path}: {reason}")]
    MeterMap {
        /// The mapping file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The store refused a write.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A meter-data format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated lines (`.csv`).
    Csv,
    /// JSON Lines (`.jsonl`).
    JsonLines,
    /// A Green Button (ESPI) Atom feed (`.xml`).
    GreenButton,
}

impl Format {
    /// The format a file's extension names, if any.
    pub fn of(path: &Path) -> Option<Self> {
        match path.extension().and_then(|e| e.to_str()) {
            Some("csv") => Some(Self::Csv),
            Some("jsonl") => Some(Self::JsonLines),
            Some("xml") => Some(Self::GreenButton),
            _ => None,
        }
    }
}

/// Parses lines of one format, keeping what can be reused from line to line.
pub enum LineParser {
    /// CSV lines (boxed: the splitter's state machine is large, and one parser serves a whole file).
    Csv(Box<CsvLine>),
    /// JSON Lines.
    JsonLines,
}

impl LineParser {
    /// A parser of `format`'s lines (`None` for a format read as a whole document).
    pub fn new(format: Format) -> Option<Self> {
        match format {
            Format::Csv => Some(Self::Csv(Box::default())),
            Format::JsonLines => Some(Self::JsonLines),
            Format::GreenButton => None,
        }
    }

    /// Parses one line; `Ok(None)` for a line to skip.
    pub fn parse(&mut self, line: &str) -> Result<Option<Record>, String> {
        match self {
            Self::Csv(csv) => csv.parse(line),
            Self::JsonLines => parse_json_line(line),
        }
    }
}

/// Ingests `path` into `store` in one transaction; bad lines are rejected and counted.
pub fn ingest_file(
    path: &Path,
    bounds: &Bounds,
    store: &mut Store,
) -> Result<IngestReport, IngestError> {
    ingest_file_as(path, path, bounds, store)
}

/// [`ingest_file`], naming the source `name` in rejects (the watched folder reads a file from where
/// it set it while reading, and names it where it was dropped).
pub fn ingest_file_as(
    path: &Path,
    name: &Path,
    bounds: &Bounds,
    store: &mut Store,
) -> Result<IngestReport, IngestError> {
    let format = Format::of(path).ok_or_else(|| IngestError::UnknownFormat(name.to_owned()))?;
    let file = File::open(path).map_err(|source| IngestError::Io {
        path: name.to_owned(),
        source,
    })?;
    if format == Format::GreenButton {
        let meters = meter_map_beside(path)?;
        return ingest_green_button(BufReader::new(file), name, &meters, bounds, store);
    }
    ingest_reader(BufReader::new(file), format, name, bounds, store)
}

/// The usage point → meter mapping beside a Green Button feed (`feed.xml` → `feed.meters.csv`),
/// empty when there is none.
fn meter_map_beside(feed: &Path) -> Result<green_button::MeterMap, IngestError> {
    let path = feed.with_extension("meters.csv");
    match std::fs::read_to_string(&path) {
        Ok(text) => green_button::parse_meter_map(&text)
            .map_err(|reason| IngestError::MeterMap { path, reason }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Default::default()),
        Err(source) => Err(IngestError::Io { path, source }),
    }
}

/// Ingests a Green Button feed read from `reader` (named `source` in rejects; read twice, see
/// [`green_button::read`]) into `store` in one transaction, its usage points' meters from `meters`
/// or their titles.
pub fn ingest_green_button(
    reader: impl BufRead + Seek,
    source: &Path,
    meters: &green_button::MeterMap,
    bounds: &Bounds,
    store: &mut Store,
) -> Result<IngestReport, IngestError> {
    let now = unix_ms();
    let mut batch = Batch::default();
    green_button::read(reader, meters, |line, parsed| {
        batch.take(
            line,
            parsed.and_then(|r| bounds.check(&r, now).map(|()| Some(r))),
        );
    })
    .map_err(|e| IngestError::Io {
        path: source.to_owned(),
        source: e,
    })?;
    batch.store(source, store)
}

/// Ingests the lines of `reader` (named `source` in rejects: a file, or e.g. `http#12`) into `store`
/// in one transaction; lines that do not parse or break `bounds` are rejected and counted. (Seek:
/// a Green Button feed is read twice.)
pub fn ingest_reader(
    reader: impl BufRead + Seek,
    format: Format,
    source: &Path,
    bounds: &Bounds,
    store: &mut Store,
) -> Result<IngestReport, IngestError> {
    let Some(mut parser) = LineParser::new(format) else {
        return ingest_green_button(reader, source, &Default::default(), bounds, store);
    };
    let now = unix_ms();
    let mut batch = Batch::default();
    lines::for_each_line(reader, |number, text| {
        let parsed = text
            .and_then(|line| parser.parse(line))
            .and_then(|record| match record {
                Some(r) => bounds.check(&r, now).map(|()| Some(r)),
                None => Ok(None),
            });
        batch.take(number, parsed);
    })
    .map_err(|e| IngestError::Io {
        path: source.to_owned(),
        source: e,
    })?;
    batch.store(source, store)
}

/// One source's records, sorted by kind, each with the line it came from, and the lines refused.
#[derive(Default)]
struct Batch {
    readings: Vec<crate::records::Reading>,
    reading_lines: Vec<usize>,
    events: Vec<crate::records::MeterEvent>,
    event_lines: Vec<usize>,
    unusable: Vec<crate::records::UnusableRead>,
    unusable_lines: Vec<usize>,
    refused: Vec<(usize, String)>,
}

impl Batch {
    /// Keeps what line `number` held, or why it held nothing usable.
    fn take(&mut self, number: usize, parsed: Result<Option<Record>, String>) {
        match parsed {
            Ok(Some(Record::Reading(r))) => {
                self.readings.push(r);
                self.reading_lines.push(number);
            }
            Ok(Some(Record::Event(e))) => {
                self.events.push(e);
                self.event_lines.push(number);
            }
            Ok(Some(Record::UnusableReading(u))) => {
                self.unusable.push(u);
                self.unusable_lines.push(number);
            }
            Ok(None) => {}
            Err(reason) => self.refused.push((number, reason)),
        }
    }

    /// Writes the batch in one transaction and says what it did.
    fn store(self, source: &Path, store: &mut Store) -> Result<IngestReport, IngestError> {
        let reject = |line: usize, reason: String| Reject {
            file: source.to_owned(),
            line,
            reason,
        };
        let written = store.put_records(&self.readings, &self.events, &self.unusable)?;
        let mut report = IngestReport {
            readings: written.readings.new + written.readings.corrected,
            events: written.events.new,
            unchanged: written.readings.unchanged
                + written.events.unchanged
                + written.unusable.unchanged,
            corrections: written.readings.corrected,
            corrections_refused: written.readings.refused.len(),
            unusable: written.unusable.new + written.unusable.corrected,
            rejects: self
                .refused
                .into_iter()
                .map(|(line, reason)| reject(line, reason))
                .collect(),
        };
        for (index, reason) in written.readings.refused {
            report
                .rejects
                .push(reject(self.reading_lines[index], reason));
        }
        for (index, reason) in written.events.refused {
            report.rejects.push(reject(self.event_lines[index], reason));
        }
        for (index, reason) in written.unusable.refused {
            report
                .rejects
                .push(reject(self.unusable_lines[index], reason));
        }
        report.rejects.sort_by_key(|r| r.line);
        Ok(report)
    }
}

#[cfg(test)]
mod file_tests {
    use super::*;
    use crate::store::scratch_store;

    /// 2026-01-01T00:00:00Z: a plausible time for meter data.
    const T: u64 = 1_767_225_600_000;

    fn ingest(path: &Path, store: &mut Store) -> IngestReport {
        ingest_file(path, &Bounds::default(), store).unwrap()
    }

    #[test]
    fn a_file_with_bad_lines_keeps_the_good_ones_and_names_the_bad() {
        let (dir, mut store) = scratch_store();
        let csv = dir.path().join("day.csv");
        std::fs::write(
            &csv,
            format!(
                "type,meter,a,b\nreading,1,{T},100\nreading,1,{T},abc\n\nlast_gasp,1,7,{T}\nreading,2\n"
            ),
        )
        .unwrap();
        let report = ingest(&csv, &mut store);
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
            format!(
                "{{\"type\":\"reading\",\"meter\":3,\"interval_start_ms\":{T},\"wh\":7}}\n{{oops\n"
            ),
        )
        .unwrap();
        let report = ingest(&json, &mut store);
        assert_eq!((report.readings, report.rejects.len()), (1, 1));
        assert_eq!(report.rejects[0].line, 2);
        assert_eq!(store.meters().unwrap(), vec![1, 3]);

        let other = dir.path().join("x.txt");
        std::fs::write(&other, "").unwrap();
        assert!(matches!(
            ingest_file(&other, &Bounds::default(), &mut store),
            Err(IngestError::UnknownFormat(_))
        ));
        assert!(matches!(
            ingest_file(
                &dir.path().join("missing.csv"),
                &Bounds::default(),
                &mut store
            ),
            Err(IngestError::Io { .. })
        ));
    }

    /// Each input a utility's exports really contain (issue: "the oracle's inputs") ends as a
    /// line-numbered reject or an audited revision, and every good line around it is stored.
    #[test]
    fn every_kind_of_bad_input_costs_only_its_own_line() {
        let (dir, mut store) = scratch_store();
        let q = 900_000;
        let mut bytes = b"\xEF\xBB\xBFtype,meter,interval_start_ms,wh\r\n".to_vec();
        let lines: [String; 9] = [
            format!("reading,1,{T},100"),                          // 2: good
            format!("reading,18446744073709551615,{T},5"),         // 3: beyond SQLite's integer
            format!("reading,1,{},18446744073709551615", T + q),   // 4: beyond SQLite's integer
            format!("\"reading\",\"8\",\"{T}\",\"100\""),          // 5: quoted: good
            "reading,1,99999999999900000,5".into(),                // 6: the year 5138
            format!("reading,1,{},5", T + 60_000),                 // 7: not on a quarter hour
            format!("reading,1,{},100000000000000000", T + 2 * q), // 8: 10^17 Wh
            format!("reading,2,{T},50"),                           // 9: good
            format!("reading,1,{T},130"),                          // 10: a correction of line 2
        ];
        for line in &lines {
            bytes.extend_from_slice(line.as_bytes());
            bytes.extend_from_slice(b"\r\n");
        }
        bytes.extend_from_slice(b"reading,3,\xFF,5\r\n"); // 11: not UTF-8
        bytes.extend_from_slice(format!("reading,3,{T},5").as_bytes()); // 12: good, no final newline
        let file = dir.path().join("export.csv");
        std::fs::write(&file, &bytes).unwrap();

        let report = ingest(&file, &mut store);
        let rejected: Vec<(usize, &str)> = report
            .rejects
            .iter()
            .map(|r| (r.line, r.reason.as_str()))
            .collect();
        let numbers: Vec<usize> = rejected.iter().map(|r| r.0).collect();
        assert_eq!(numbers, vec![3, 4, 6, 7, 8, 11], "{rejected:#?}");
        for (line, needle) in [
            (3, "largest storable"),
            (4, "largest storable"),
            (6, "future_tolerance"),
            (7, "interval boundary"),
            (8, "max_wh_per_interval"),
            (11, "not UTF-8"),
        ] {
            let reason = rejected.iter().find(|r| r.0 == line).unwrap().1;
            assert!(reason.contains(needle), "line {line}: {reason}");
        }
        assert_eq!(store.meters().unwrap(), vec![1, 2, 3, 8]);
        // The correction is stored, and the value it replaced is kept with when it arrived.
        assert_eq!(report.corrections, 1);
        let revisions = store.revisions(1, T).unwrap();
        assert_eq!(
            revisions.iter().map(|r| r.wh).collect::<Vec<_>>(),
            vec![100, 130]
        );
        // Ingesting the same export again rejects the same lines; the file's two values for meter 1
        // replay as two more revisions, ending where they ended before.
        let again = ingest(&file, &mut store);
        assert_eq!((again.unchanged, again.corrections), (3, 2));
        let lines = |r: &IngestReport| r.rejects.iter().map(|r| r.line).collect::<Vec<_>>();
        assert_eq!(lines(&again), lines(&report));
        assert_eq!(store.readings(1, T, T + 1).unwrap()[0].wh, 130);
    }

    /// The plain file the other formats' tests compare with: meter 7 draws 1,250 and 980 Wh in the
    /// quarters from T, meter 8 draws 3 Wh in the first.
    fn plain_reference(dir: &Path) -> PathBuf {
        let plain = dir.join("plain.csv");
        let next = T + 900_000;
        let text = format!("reading,7,{T},1250\nreading,7,{next},980\nreading,8,{T},3\n");
        std::fs::write(&plain, text).unwrap();
        plain
    }

    /// A Green Button feed (meter 7 by its usage point's title, meter 8 by the mapping file beside
    /// the feed, its values in mWh) stores exactly what the plain format stores; its estimated read
    /// marks the interval.
    #[test]
    fn a_green_button_feed_stores_what_the_plain_format_stores() {
        let dir = tempfile::tempdir().unwrap();
        let q = 900_000;
        let plain = plain_reference(dir.path());
        let s = T / 1_000;
        let point = |id: &str, title: &str, power: i32, readings: &str| {
            let up =
                format!("https://mdm.example/espi/1_1/resource/RetailCustomer/1/UsagePoint/{id}");
            format!(
                "<entry><link rel=\"self\" href=\"{up}\"/><title>{title}</title><content><UsagePoint xmlns=\"http://naesb.org/espi\"/></content></entry>\n\
                 <entry><link rel=\"self\" href=\"{up}/MeterReading/1\"/><link rel=\"related\" href=\"https://mdm.example/ReadingType/{id}\"/><content><MeterReading xmlns=\"http://naesb.org/espi\"/></content></entry>\n\
                 <entry><link rel=\"self\" href=\"https://mdm.example/ReadingType/{id}\"/><content><ReadingType xmlns=\"http://naesb.org/espi\"><intervalLength>900</intervalLength><powerOfTenMultiplier>{power}</powerOfTenMultiplier><uom>72</uom></ReadingType></content></entry>\n\
                 <entry><link rel=\"self\" href=\"{up}/MeterReading/1/IntervalBlock/1\"/><content><IntervalBlock xmlns=\"http://naesb.org/espi\">\n{readings}</IntervalBlock></content></entry>\n"
            )
        };
        let reading = |start: u64, value: u64, quality: Option<u32>| {
            let quality = quality.map_or(String::new(), |c| {
                format!("<ReadingQuality><quality>{c}</quality></ReadingQuality>")
            });
            format!("<IntervalReading>{quality}<timePeriod><duration>900</duration><start>{start}</start></timePeriod><value>{value}</value></IntervalReading>\n")
        };
        let feed = dir.path().join("usage.xml");
        std::fs::write(
            &feed,
            format!(
                "\u{feff}<?xml version=\"1.0\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n{}{}</feed>\n",
                point("a1", "7", 0, &(reading(s, 1250, None) + &reading(s + 900, 980, Some(0)))),
                point("b2", "Shop", -3, &(reading(s, 3_000, Some(18)) + &reading(s + 900, 2_500, Some(8)))),
            ),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("usage.meters.csv"),
            "usage_point,meter\nb2,8\n",
        )
        .unwrap();
        let mut by_plain = Store::open(&dir.path().join("a.db")).unwrap();
        let mut by_feed = Store::open(&dir.path().join("b.db")).unwrap();
        assert!(ingest(&plain, &mut by_plain).rejects.is_empty());
        let report = ingest(&feed, &mut by_feed);
        assert!(report.rejects.is_empty(), "{:#?}", report.rejects);
        assert_eq!((report.readings, report.unusable), (3, 1));
        for meter in [7, 8] {
            assert_eq!(
                by_feed.readings(meter, 0, u64::MAX >> 2).unwrap(),
                by_plain.readings(meter, 0, u64::MAX >> 2).unwrap()
            );
        }
        assert_eq!(
            by_feed.first_unusable(8, T, T + 4 * q).unwrap(),
            Some((T + q, crate::records::Quality::Estimated))
        );
        // Without the mapping file the shop's usage point names no meter: its readings are refused
        // with the line they are on, and the titled meter's are kept.
        std::fs::remove_file(dir.path().join("usage.meters.csv")).unwrap();
        let mut alone = Store::open(&dir.path().join("c.db")).unwrap();
        let report = ingest(&feed, &mut alone);
        assert_eq!(report.readings, 2);
        assert_eq!(report.rejects.len(), 1);
        assert!(
            report.rejects[0].reason.contains("usage point b2"),
            "{}",
            report.rejects[0]
        );
    }

    /// A utility's export (header row, ISO 8601 times with their offset, kWh with decimals, a
    /// quality column, BOM, CRLF, quotes) stores exactly what the plain format stores; its estimated
    /// row marks the interval instead, and a later actual reading clears the mark.
    #[test]
    fn a_utility_export_stores_what_the_plain_format_stores() {
        let dir = tempfile::tempdir().unwrap();
        let q = 900_000;
        let plain = plain_reference(dir.path());
        // T is 2026-01-01T00:00:00Z, 08:00 in Zhejiang.
        let utility = dir.path().join("mdm.csv");
        std::fs::write(
            &utility,
            "\u{feff}Meter_ID,Interval_Start,kWh,Quality\r\n\
             7,2026-01-01T08:00:00+08:00,1.25,A\r\n\
             \"7\",\"2026-01-01T00:15:00Z\",0.980,actual\r\n\
             8,2026-01-01T08:00:00+08:00,0.003,\r\n\
             8,2026-01-01T08:15:00+08:00,,estimated\r\n\
             8,2026-01-01T08:30:00,1,actual\r\n\
             8,2026-01-01T08:45:00+08:00,0.0005,actual\r\n",
        )
        .unwrap();
        let mut by_plain = Store::open(&dir.path().join("a.db")).unwrap();
        let mut by_utility = Store::open(&dir.path().join("b.db")).unwrap();
        assert!(ingest(&plain, &mut by_plain).rejects.is_empty());
        let report = ingest(&utility, &mut by_utility);
        let rejected: Vec<(usize, &str)> = report
            .rejects
            .iter()
            .map(|r| (r.line, r.reason.as_str()))
            .collect();
        assert_eq!(rejected.len(), 2, "{rejected:#?}");
        assert_eq!(rejected[0].0, 6);
        assert!(rejected[0].1.contains("UTC offset"), "{}", rejected[0].1);
        assert_eq!(rejected[1].0, 7);
        assert!(
            rejected[1].1.contains("finer than 1 Wh"),
            "{}",
            rejected[1].1
        );
        for meter in [7, 8] {
            assert_eq!(
                by_utility.readings(meter, 0, u64::MAX >> 2).unwrap(),
                by_plain.readings(meter, 0, u64::MAX >> 2).unwrap()
            );
        }
        assert_eq!(report.unusable, 1);
        assert_eq!(
            by_utility.first_unusable(8, T, T + 4 * q).unwrap(),
            Some((T + q, crate::records::Quality::Estimated))
        );
        // The meter-data system measures the interval after all: the actual value clears the mark.
        let later = dir.path().join("later.csv");
        std::fs::write(&later, "meter,timestamp,wh\n8,2026-01-01T00:15:00Z,40\n").unwrap();
        assert_eq!(ingest(&later, &mut by_utility).readings, 1);
        assert_eq!(by_utility.first_unusable(8, T, T + 4 * q).unwrap(), None);
    }
}
