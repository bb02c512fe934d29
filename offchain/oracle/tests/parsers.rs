//! Property tests over the line parsers, the bounded fuzzing README's test command runs: whatever
//! bytes arrive, ingest never panics and never fails the whole input, and every valid record written
//! the ways exports write it (quoted, padded, CRLF, after a BOM) reads back as itself.

use std::path::Path;

use gridtrust_oracle::{
    ingest::{lines::for_each_line, parse_json_line, CsvLine},
    ingest_reader, Bounds, EventKind, Format, MeterEvent, Reading, Record, Store,
};
use proptest::prelude::*;

/// Bytes that look like meter data often enough to reach deep into the parsers.
fn meter_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"reading".to_vec()),
        Just(b"last_gasp".to_vec()),
        Just(b"restore".to_vec()),
        Just(b",".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\xEF\xBB\xBF".to_vec()),
        Just(b"{\"type\":\"reading\",\"meter\":".to_vec()),
        // A utility's header CSV and its values.
        Just(b"meter,timestamp,kwh,quality".to_vec()),
        Just(b"meter_id,value,unit,interval_start".to_vec()),
        Just(b"2026-03-02T17:00:00+08:00".to_vec()),
        Just(b"estimated".to_vec()),
        Just(b"kWh".to_vec()),
        Just(b".".to_vec()),
        "[0-9]{1,22}".prop_map(String::into_bytes),
        prop::collection::vec(any::<u8>(), 1..4),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
}

fn record() -> impl Strategy<Value = Record> {
    prop_oneof![
        (any::<u64>(), any::<u64>(), any::<u64>()).prop_map(|(meter, interval_start_ms, wh)| {
            Record::Reading(Reading {
                meter,
                interval_start_ms,
                wh,
            })
        }),
        (any::<bool>(), any::<u64>(), any::<u32>(), any::<u64>()).prop_map(
            |(restore, meter, feeder, at_ms)| {
                Record::Event(MeterEvent {
                    kind: if restore {
                        EventKind::Restore
                    } else {
                        EventKind::LastGasp
                    },
                    meter,
                    feeder,
                    at_ms,
                })
            }
        ),
    ]
}

fn csv_fields(record: &Record) -> [String; 4] {
    match record {
        Record::Reading(r) => [
            "reading".into(),
            r.meter.to_string(),
            r.interval_start_ms.to_string(),
            r.wh.to_string(),
        ],
        Record::Event(e) => [
            match e.kind {
                EventKind::LastGasp => "last_gasp".into(),
                EventKind::Restore => "restore".into(),
            },
            e.meter.to_string(),
            e.feeder.to_string(),
            e.at_ms.to_string(),
        ],
        Record::UnusableReading(_) => {
            unreachable!("plain CSV has no unusable reads: record() makes none")
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3_000, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_are_lines_each_parsed_or_rejected_never_a_panic(input in meter_bytes()) {
        let mut csv = CsvLine::default();
        let mut lines = 0;
        for_each_line(&input[..], |_, text| {
            lines += 1;
            if let Ok(line) = text {
                if let Ok(Some(r)) = csv.parse(line) {
                    let _ = Bounds::default().check(&r, 1_790_000_000_000);
                }
                let _ = parse_json_line(line);
            }
        })
        .unwrap();
        let breaks = input.iter().filter(|&&b| b == b'\n').count();
        let tail = usize::from(!input.is_empty() && !input.ends_with(b"\n"));
        prop_assert_eq!(lines, breaks + tail);
    }

    #[test]
    fn any_input_is_stored_or_rejected_line_by_line_never_failed_whole(input in meter_bytes()) {
        let mut store = Store::open(Path::new(":memory:")).unwrap();
        for format in [Format::Csv, Format::JsonLines] {
            let report = ingest_reader(&input[..], format, Path::new("fuzz"), &Bounds::storable(), &mut store);
            prop_assert!(report.is_ok(), "{:?}", report.err());
        }
    }

    #[test]
    fn a_record_reads_back_however_an_export_writes_it(
        record in record(),
        quoted in any::<bool>(),
        padded in any::<bool>(),
    ) {
        let fields = csv_fields(&record).map(|f| {
            let f = if quoted { format!("\"{f}\"") } else { f };
            if padded { format!(" {f} ") } else { f }
        });
        let mut csv = CsvLine::default();
        let line = fields.join(",");
        prop_assert_eq!(csv.parse(&line), Ok(Some(record)));

        let mut input = b"\xEF\xBB\xBFtype,meter,a,b\r\n".to_vec();
        input.extend_from_slice(line.as_bytes());
        input.extend_from_slice(b"\r\n");
        let mut parsed = Vec::new();
        for_each_line(&input[..], |_, text| parsed.push(csv.parse(text.unwrap()))).unwrap();
        prop_assert_eq!(parsed, vec![Ok(None), Ok(Some(record))]);
    }
}
