//! The line formats.
//!
//! - **CSV**: `reading,<meter>,<interval_start_ms>,<wh>` or `last_gasp|restore,<meter>,<feeder>,<at_ms>`,
//!   split by the csv crate's own parser (`csv-core`), so quoted fields (`"reading","8","0","100"`) read
//!   as spreadsheets write them; fields are trimmed; blank lines, `#` comments and a header line whose
//!   first field is `type` are skipped.
//! - **CSV as a utility's meter-data system writes it**: a header row names the columns (any order,
//!   any case, others ignored): `meter` (or `meter_id`); `interval_start` (or `start`, `timestamp`)
//!   in ISO 8601 with its UTC offset (`2026-03-02T17:00:00+08:00`); the energy as `wh` or `kwh`, or
//!   as `value` with a `unit` column (`Wh`, `kWh`); optionally `quality` (`actual`, `estimated`,
//!   `missing`, or their first letters). Every row after the header is an interval reading; a row
//!   marked estimated or missing is an [`UnusableRead`] (its value, if any, is not used). A header
//!   that names one role twice (two `meter` columns; `wh` beside `kwh`) is refused, and so is every
//!   row under it; a second header further down (two exports concatenated) names the columns of the
//!   rows after it.
//! - **JSON Lines**: `{"type":"reading","meter":1,"interval_start_ms":0,"wh":250}`,
//!   `{"type":"event","kind":"last_gasp","meter":1,"feeder":7,"at_ms":0}` or
//!   `{"type":"unusable_reading","meter":1,"interval_start_ms":0,"quality":"estimated"}`.
//!
//! A parser sees one line (see [`super::lines`]) and says what it holds or why it holds nothing usable.

use csv_core::ReadRecordResult;

use crate::records::{EventKind, MeterEvent, Quality, Reading, Record, UnusableRead};

/// Splits CSV lines into fields; kept between the lines of one file, so its buffers are reused and a
/// header row names the columns of the rows after it.
pub struct CsvLine {
    reader: csv_core::Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
    /// The last header row seen: its columns, or why it was refused (then no row under it is read,
    /// rather than read by an earlier header's order).
    columns: Option<Result<Columns, String>>,
}

/// The names each column of a utility's export may go by.
const METER: &[&str] = &["meter", "meter_id"];
const START: &[&str] = &["interval_start", "start", "timestamp"];
const ENERGY: &[&str] = &["wh", "kwh", "value"];
const UNIT: &[&str] = &["unit"];
const QUALITY: &[&str] = &["quality"];

/// How energy is written: in Wh, or in kWh with at most three decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Wh,
    KWh,
}

impl Unit {
    fn parse(word: &str) -> Result<Self, String> {
        match word.to_ascii_lowercase().as_str() {
            "wh" => Ok(Self::Wh),
            "kwh" => Ok(Self::KWh),
            _ => Err(format!("unit: `{word}` is neither Wh nor kWh")),
        }
    }

    /// `text` in this unit as whole Wh, refusing what is finer than 1 Wh.
    fn wh(self, text: &str) -> Result<u64, String> {
        let decimals = match self {
            Self::Wh => 0,
            Self::KWh => 3,
        };
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || !(fraction.is_empty() || digits(fraction)) {
            return Err(format!(
                "energy: `{text}` is not a non-negative decimal number"
            ));
        }
        let kept = fraction.trim_end_matches('0');
        if kept.len() > decimals {
            return Err(format!("energy: `{text}` is finer than 1 Wh"));
        }
        let scaled = format!("{whole}{kept:0<decimals$}");
        number("energy", &scaled)
    }
}

/// Where a utility's export keeps each value, read from its header row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Columns {
    meter: usize,
    start: usize,
    energy: usize,
    /// The unit: a column of its own, or the energy column's name.
    unit: Result<usize, Unit>,
    quality: Option<usize>,
}

impl Columns {
    /// The columns a header row names, `None` if it is not such a header, or why it is not usable.
    fn of(header: &[&str]) -> Option<Result<Self, String>> {
        let names: Vec<String> = header.iter().map(|f| f.to_ascii_lowercase()).collect();
        let find = |wanted: &[&str]| names.iter().position(|n| wanted.contains(&n.as_str()));
        let meter = find(METER)?;
        for (role, wanted) in [
            ("meter", METER),
            ("interval start", START),
            ("energy", ENERGY),
            ("unit", UNIT),
            ("quality", QUALITY),
        ] {
            let named: Vec<&str> = header
                .iter()
                .copied()
                .filter(|f| wanted.contains(&f.to_ascii_lowercase().as_str()))
                .collect();
            if named.len() > 1 {
                return Some(Err(format!(
                    "the header names {} {role} columns ({}): which one holds the {role} is not clear",
                    named.len(),
                    named.join(", ")
                )));
            }
        }
        let Some(start) = find(START) else {
            return Some(Err(
                "the header names no interval start column (`interval_start`, `start` or `timestamp`)"
                    .into(),
            ));
        };
        let (energy, unit) = match (find(&["wh"]), find(&["kwh"]), find(&["value"])) {
            (Some(at), _, _) => (at, Err(Unit::Wh)),
            (None, Some(at), _) => (at, Err(Unit::KWh)),
            (None, None, Some(at)) => match find(&["unit"]) {
                Some(unit) => (at, Ok(unit)),
                None => {
                    return Some(Err(
                        "the header has a `value` column but no `unit` column (Wh or kWh)".into(),
                    ))
                }
            },
            (None, None, None) => {
                return Some(Err(
                    "the header names no energy column (`wh`, `kwh`, or `value` with `unit`)"
                        .into(),
                ))
            }
        };
        Some(Ok(Self {
            meter,
            start,
            energy,
            unit,
            quality: find(&["quality"]),
        }))
    }

    /// One row under this header.
    fn record(&self, fields: &[&str]) -> Result<Record, String> {
        let field = |at: usize| {
            fields.get(at).copied().ok_or_else(|| {
                format!(
                    "expected at least {} fields, found {}",
                    at + 1,
                    fields.len()
                )
            })
        };
        let meter = number("meter", field(self.meter)?)?;
        let interval_start_ms = timestamp(field(self.start)?)?;
        let quality = match self.quality {
            Some(at) => {
                let word = field(at)?;
                Quality::parse(word).ok_or_else(|| {
                    format!("quality: `{word}` is not actual, estimated or missing")
                })?
            }
            None => None,
        };
        if let Some(quality) = quality {
            return Ok(Record::UnusableReading(UnusableRead {
                meter,
                interval_start_ms,
                quality,
            }));
        }
        let unit = match self.unit {
            Ok(at) => Unit::parse(field(at)?)?,
            Err(fixed) => fixed,
        };
        Ok(Record::Reading(Reading {
            meter,
            interval_start_ms,
            wh: unit.wh(field(self.energy)?)?,
        }))
    }
}

/// An ISO 8601 time with its UTC offset, in ms since the Unix epoch.
fn timestamp(text: &str) -> Result<u64, String> {
    let at = chrono::DateTime::parse_from_rfc3339(text).map_err(|e| {
        format!("timestamp: `{text}` is not an ISO 8601 time with its UTC offset, like 2026-03-02T17:00:00+08:00 ({e})")
    })?;
    u64::try_from(at.timestamp_millis()).map_err(|_| format!("timestamp: `{text}` is before 1970"))
}

impl Default for CsvLine {
    fn default() -> Self {
        Self {
            // `new`, not `Default`: csv-core's derived default has no delimiter at all.
            reader: csv_core::Reader::new(),
            out: Vec::new(),
            ends: Vec::new(),
            columns: None,
        }
    }
}

impl CsvLine {
    /// The fields of one line (trimmed), or why it has none.
    fn fields<'a>(&'a mut self, line: &str) -> Result<Vec<&'a str>, String> {
        self.reader.reset();
        // Unquoting never makes a field longer, and a line has at most one field more than commas.
        self.out.resize(line.len() + 1, 0);
        self.ends
            .resize(line.bytes().filter(|&b| b == b',').count() + 1, 0);
        let (mut input, mut out_at, mut ends_at) = (line.as_bytes(), 0, 0);
        loop {
            let (result, read, wrote, ended) =
                self.reader
                    .read_record(input, &mut self.out[out_at..], &mut self.ends[ends_at..]);
            input = &input[read..];
            out_at += wrote;
            ends_at += ended;
            match result {
                // The line has no terminator: an empty input tells the parser it ended.
                ReadRecordResult::InputEmpty => continue,
                ReadRecordResult::Record | ReadRecordResult::End => break,
                ReadRecordResult::OutputFull | ReadRecordResult::OutputEndsFull => {
                    return Err("cannot split the line into fields".into())
                }
            }
        }
        let text = std::str::from_utf8(&self.out[..out_at])
            .map_err(|_| "a field is not UTF-8 text".to_owned())?;
        let mut start = 0;
        Ok(self.ends[..ends_at]
            .iter()
            .map(|&end| {
                let field = text.get(start..end).unwrap_or_default().trim();
                start = end;
                // A quoted field with spaces around its quotes is not quoted to a strict CSV parser;
                // exports that pad fields still mean the value inside.
                field
                    .strip_prefix('"')
                    .and_then(|f| f.strip_suffix('"'))
                    .unwrap_or(field)
            })
            .collect())
    }

    /// Parses one CSV line; `Ok(None)` for a line to skip.
    pub fn parse(&mut self, line: &str) -> Result<Option<Record>, String> {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            return Ok(None);
        }
        let columns = self.columns.clone();
        let fields = self.fields(trimmed)?;
        // No row of readings has a field named like the meter column: only a header does.
        let named = fields
            .iter()
            .any(|f| METER.iter().any(|m| f.eq_ignore_ascii_case(m)));
        if named && fields.first() != Some(&"type") {
            if let Some(header) = Columns::of(&fields) {
                let refused = header.as_ref().err().cloned();
                self.columns = Some(header);
                return refused.map_or(Ok(None), Err);
            }
        }
        match columns {
            Some(Ok(columns)) => return columns.record(&fields).map(Some),
            Some(Err(why)) => {
                return Err(format!("not read: the header above was refused ({why})"))
            }
            None => {}
        }
        let [kind, a, b, c] = fields[..] else {
            if fields.first() == Some(&"type") {
                return Ok(None);
            }
            return Err(format!("expected 4 fields, found {}", fields.len()));
        };
        let record = match kind {
            "type" => return Ok(None),
            "reading" => Record::Reading(Reading {
                meter: number("meter", a)?,
                interval_start_ms: number("interval_start_ms", b)?,
                wh: number("wh", c)?,
            }),
            "last_gasp" | "restore" => Record::Event(MeterEvent {
                kind: if kind == "restore" {
                    EventKind::Restore
                } else {
                    EventKind::LastGasp
                },
                meter: number("meter", a)?,
                feeder: u32::try_from(number("feeder", b)?)
                    .map_err(|_| format!("feeder: `{b}` is too large"))?,
                at_ms: number("at_ms", c)?,
            }),
            other => return Err(format!("unknown record type `{other}`")),
        };
        Ok(Some(record))
    }
}

fn number(name: &str, v: &str) -> Result<u64, String> {
    v.parse().map_err(|_| {
        if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
            format!("{name}: `{v}` is too large")
        } else {
            format!("{name}: `{v}` is not a non-negative integer")
        }
    })
}

/// Parses one CSV line; `Ok(None)` for a line to skip. (Ingest keeps one [`CsvLine`] per file.)
pub fn parse_csv_line(line: &str) -> Result<Option<Record>, String> {
    CsvLine::default().parse(line)
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
        assert_eq!(parse_csv_line("\"type\",\"meter\""), Ok(None));
        assert_eq!(parse_csv_line("  # comment"), Ok(None));
        // Each bad line, and the words its error must contain.
        for (line, says) in [
            ("reading,7,900000", "4 fields"),
            ("reading,7,900000,-3", "wh"),
            ("blackout,7,1,2", "blackout"),
            ("last_gasp,7,99999999999,2", "feeder"),
            ("reading,7,0,99999999999999999999999", "too large"),
        ] {
            let error = parse_csv_line(line).unwrap_err();
            assert!(error.contains(says), "{line}: {error}");
        }
    }

    #[test]
    fn quoted_fields_read_as_spreadsheets_write_them() {
        let expected = Ok(Some(Record::Reading(Reading {
            meter: 8,
            interval_start_ms: 0,
            wh: 100,
        })));
        assert_eq!(parse_csv_line(r#""reading","8","0","100""#), expected);
        assert_eq!(parse_csv_line(r#"reading, "8" ,0,"100""#), expected);
        // A comma inside quotes is part of the field, not a separator.
        assert!(parse_csv_line(r#"reading,"8,0",100"#)
            .unwrap_err()
            .contains("found 3"));
        // One parser over many lines gives each line its own fields.
        let mut csv = CsvLine::default();
        assert!(csv.parse(r#"reading,"8"#).is_err());
        assert_eq!(csv.parse(r#""reading","8","0","100""#), expected);
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

    #[test]
    fn a_header_names_the_columns_of_the_rows_after_it() {
        let mut csv = CsvLine::default();
        assert_eq!(csv.parse("Timestamp,Unit,Meter,Value,Site"), Ok(None));
        assert_eq!(
            csv.parse("2026-01-01T08:00:00+08:00,kWh,5,12.5,north"),
            Ok(Some(Record::Reading(Reading {
                meter: 5,
                interval_start_ms: 1_767_225_600_000,
                wh: 12_500
            })))
        );
        assert_eq!(
            csv.parse("2026-01-01T08:00:00+08:00,Wh,5,12.0,north"),
            Ok(Some(Record::Reading(Reading {
                meter: 5,
                interval_start_ms: 1_767_225_600_000,
                wh: 12
            })))
        );
        for (row, why) in [
            ("2026-01-01T08:00:00+08:00,MWh,5,1,x", "neither Wh nor kWh"),
            ("2026-01-01T08:00:00+08:00,Wh,5,12.5,x", "finer than 1 Wh"),
            (
                "2026-01-01T08:00:00+08:00,Wh,5,-3,x",
                "non-negative decimal",
            ),
            ("2026-01-01 08:00,Wh,5,3,x", "UTC offset"),
            ("2026-01-01T08:00:00+08:00,Wh", "at least 3 fields"),
        ] {
            let error = csv.parse(row).unwrap_err();
            assert!(error.contains(why), "{row}: {error}");
        }
        let mut csv = CsvLine::default();
        assert!(csv
            .parse("meter,start,value")
            .unwrap_err()
            .contains("no `unit`"));
        assert!(CsvLine::default()
            .parse("meter,kwh")
            .unwrap_err()
            .contains("no interval start"));
        let mut csv = CsvLine::default();
        assert_eq!(csv.parse("meter,start,wh,quality"), Ok(None));
        assert_eq!(
            csv.parse("9,1970-01-01T00:15:00Z,,M"),
            Ok(Some(Record::UnusableReading(UnusableRead {
                meter: 9,
                interval_start_ms: 900_000,
                quality: Quality::Missing
            })))
        );
        assert!(csv
            .parse("9,1970-01-01T00:15:00Z,4,doubtful")
            .unwrap_err()
            .contains("not actual, estimated or missing"));
    }

    /// Two exports concatenated: the rows under the second header follow its order, never the
    /// first's; a header that names a role twice is refused with every row under it.
    #[test]
    fn each_header_governs_the_rows_under_it_and_an_ambiguous_one_reads_nothing() {
        let reading = |meter, wh| {
            Ok(Some(Record::Reading(Reading {
                meter,
                interval_start_ms: 900_000,
                wh,
            })))
        };
        let mut csv = CsvLine::default();
        assert_eq!(csv.parse("meter,interval_start,wh"), Ok(None));
        assert_eq!(csv.parse("7,1970-01-01T00:15:00Z,250"), reading(7, 250));
        assert_eq!(csv.parse("wh,interval_start,meter_id"), Ok(None));
        assert_eq!(csv.parse("250,1970-01-01T00:15:00Z,7"), reading(7, 250));
        for header in [
            "meter,interval_start,wh,kwh",
            "meter,meter_id,interval_start,wh",
            "meter,start,timestamp,wh",
            "meter,start,value,unit,unit",
        ] {
            let mut csv = CsvLine::default();
            assert_eq!(csv.parse("meter,interval_start,wh"), Ok(None));
            let why = csv.parse(header).unwrap_err();
            assert!(why.contains("is not clear"), "{header}: {why}");
            let row = csv.parse("7,1970-01-01T00:15:00Z,250,1").unwrap_err();
            assert!(row.contains("header above was refused"), "{header}: {row}");
        }
    }

    #[test]
    fn a_json_line_can_mark_an_interval() {
        assert_eq!(
            parse_json_line(
                r#"{"type":"unusable_reading","meter":1,"interval_start_ms":0,"quality":"estimated"}"#
            ),
            Ok(Some(Record::UnusableReading(UnusableRead {
                meter: 1,
                interval_start_ms: 0,
                quality: Quality::Estimated
            })))
        );
    }
}
