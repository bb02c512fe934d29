//! The two line formats.
//!
//! - **CSV**: `reading,<meter>,<interval_start_ms>,<wh>` or `last_gasp|restore,<meter>,<feeder>,<at_ms>`,
//!   split by the csv crate's own parser (`csv-core`), so quoted fields (`"reading","8","0","100"`) read
//!   as spreadsheets write them; fields are trimmed; blank lines, `#` comments and a header line whose
//!   first field is `type` are skipped.
//! - **JSON Lines**: `{"type":"reading","meter":1,"interval_start_ms":0,"wh":250}` or
//!   `{"type":"event","kind":"last_gasp","meter":1,"feeder":7,"at_ms":0}`.
//!
//! A parser sees one line (see [`super::lines`]) and says what it holds or why it holds nothing usable.

use csv_core::ReadRecordResult;

use crate::records::{EventKind, MeterEvent, Reading, Record};

/// Splits CSV lines into fields; kept between lines so its buffers are reused.
pub struct CsvLine {
    reader: csv_core::Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
}

impl Default for CsvLine {
    fn default() -> Self {
        Self {
            // `new`, not `Default`: csv-core's derived default has no delimiter at all.
            reader: csv_core::Reader::new(),
            out: Vec::new(),
            ends: Vec::new(),
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
        let fields = self.fields(trimmed)?;
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
        assert!(parse_csv_line("reading,7,0,99999999999999999999999")
            .unwrap_err()
            .contains("too large"));
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
}
