//! Property tests over the parsers, the bounded fuzzing README's test command runs, one target per
//! format (CSV, JSON Lines, Green Button XML), each with generators of deep nesting and of long
//! runs: whatever bytes arrive, ingest never panics, never exhausts the stack and never fails the
//! whole input, and every valid record written the ways exports write it (quoted, padded, CRLF,
//! after a BOM) reads back as itself.

use std::{io::Cursor, path::Path};

use gridtrust_oracle::{
    ingest::{green_button, lines::for_each_line, parse_json_line, CsvLine},
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
        // Nesting, for the JSON parser: arrays and objects opened thousands deep.
        (1..5_000usize).prop_map(|n| b"[".repeat(n)),
        (1..2_000usize).prop_map(|n| b"{\"a\":".repeat(n)),
        // Size: runs longer than a line may be.
        (1..200_000usize).prop_map(|n| b"7".repeat(n)),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
}

/// Bytes that look like a Green Button feed often enough to reach every part of its reader, with
/// elements nested from a few to tens of thousands deep and text and tags far longer than any feed's.
fn feed_bytes() -> impl Strategy<Value = Vec<u8>> {
    let block = "https://u.example/espi/1_1/resource/RetailCustomer/1/UsagePoint/7/MeterReading/1";
    let piece = prop_oneof![
        Just(b"<?xml version=\"1.0\"?>".to_vec()),
        Just(b"<feed xmlns=\"http://www.w3.org/2005/Atom\">".to_vec()),
        Just(b"</feed>".to_vec()),
        Just(b"<entry>".to_vec()),
        Just(b"</entry>".to_vec()),
        Just(b"<title>7</title>".to_vec()),
        Just(format!("<link rel=\"self\" href=\"{block}/IntervalBlock/1\"/>").into_bytes()),
        Just(format!("<link rel=\"self\" href=\"{block}\"/>").into_bytes()),
        Just(b"<link rel=\"related\" href=\"https://u.example/ReadingType/1\"/>".to_vec()),
        Just(b"<link rel=\"self\" href=\"https://u.example/ReadingType/1\"/>".to_vec()),
        Just(b"<content>".to_vec()),
        Just(b"</content>".to_vec()),
        Just(b"<ReadingType><uom>72</uom><powerOfTenMultiplier>-3</powerOfTenMultiplier></ReadingType>".to_vec()),
        Just(b"<espi:IntervalBlock xmlns:espi=\"http://naesb.org/espi\">".to_vec()),
        Just(b"</espi:IntervalBlock>".to_vec()),
        Just(b"<IntervalReading>".to_vec()),
        Just(b"</IntervalReading>".to_vec()),
        Just(b"<timePeriod><duration>900</duration><start>".to_vec()),
        Just(b"</start></timePeriod>".to_vec()),
        Just(b"<value>".to_vec()),
        Just(b"</value>".to_vec()),
        Just(b"<ReadingQuality><quality>8</quality></ReadingQuality>".to_vec()),
        Just(b"&amp;".to_vec()),
        Just(b"&#x31;".to_vec()),
        Just(b"&unknown;".to_vec()),
        Just(b"<![CDATA[12]]>".to_vec()),
        Just(b"<!DOCTYPE feed [<!ENTITY lol \"lol\">]>".to_vec()),
        Just(b"<!-- comment -->".to_vec()),
        Just(b"\xEF\xBB\xBF".to_vec()),
        Just(b"\n".to_vec()),
        "[0-9]{1,22}".prop_map(String::into_bytes),
        prop::collection::vec(any::<u8>(), 1..4),
        // Nesting: a few levels past what a feed has, and the thousands that overflowed the stack.
        (1..40usize).prop_map(|n| b"<a>".repeat(n)),
        (1..30_000usize).prop_map(|n| b"<a>".repeat(n)),
        (1..40usize).prop_map(|n| b"</a>".repeat(n)),
        // Size: a text, an attribute and a tag longer than a piece of markup may be.
        (1..200_000usize).prop_map(|n| b"9".repeat(n)),
        (1..100_000usize).prop_map(|n| format!("<link href=\"{}\"/>", "h".repeat(n)).into_bytes()),
        (1..100_000usize).prop_map(|n| format!("<{}>", "t".repeat(n)).into_bytes()),
    ];
    prop::collection::vec(piece, 0..60).prop_map(|pieces| pieces.concat())
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
            let report = ingest_reader(Cursor::new(&input[..]), format, Path::new("fuzz"), &Bounds::storable(), &mut store);
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

proptest! {
    // Fewer cases than the line formats': each feed is up to a few megabytes, read twice.
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn any_feed_is_read_or_rejected_never_a_panic_or_a_whole_failure(input in feed_bytes()) {
        let mut store = Store::open(Path::new(":memory:")).unwrap();
        let report = ingest_reader(
            Cursor::new(&input[..]),
            Format::GreenButton,
            Path::new("fuzz.xml"),
            &Bounds::storable(),
            &mut store,
        );
        let report = report.map_err(|e| e.to_string());
        prop_assert!(report.is_ok(), "{:?}", report.err());
        // Every reject names a line of the input.
        let lines = input.iter().filter(|&&b| b == b'\n').count() + 1;
        for reject in &report.unwrap().rejects {
            prop_assert!(reject.line >= 1 && reject.line <= lines, "{}", reject);
        }
    }
}

/// What overflowed every operator's stack: a Green Button body of 20,000 nested elements (about
/// 21 KB: what `POST /ingest` accepts). It is one reject naming the depth, read on a thread with a
/// stack of 64 KiB, a thirtieth of what the daemon's workers have.
#[test]
fn a_deeply_nested_feed_is_refused_where_it_gets_too_deep_on_a_small_stack() {
    let feed = format!(
        "<feed>\n<entry>\n{}{}</entry></feed>",
        "<a>".repeat(20_000),
        "</a>".repeat(20_000)
    );
    let parsed = std::thread::Builder::new()
        .stack_size(64 << 10)
        .spawn(move || green_button::parse(&feed, &Default::default()))
        .unwrap()
        .join()
        .expect("no stack overflow");
    assert_eq!(parsed.len(), 1, "{parsed:?}");
    let (line, why) = (&parsed[0].0, parsed[0].1.clone().unwrap_err());
    assert_eq!(*line, 3);
    assert!(why.contains("deeper than 32"), "{why}");
}

/// A text longer than a feed's markup may be is refused when the bound is reached, not read whole.
#[test]
fn an_endless_text_is_refused_at_its_bound() {
    let feed = format!("<feed><entry><title>{}</title>", "9".repeat(8 << 20));
    let parsed = green_button::parse(&feed, &Default::default());
    assert_eq!(parsed.len(), 1);
    let why = parsed[0].1.clone().unwrap_err();
    assert!(why.contains("longer than 65536 bytes"), "{why}");
}
