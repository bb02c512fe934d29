//! Deterministic sample data: a small town's meters over some days, with a storm and a demand-response
//! peak, for the demo, the tests and anyone trying the oracle without a head-end system.
//!
//! Meter `feeder * 1000 + i` draws a daily curve (low at night, high in the evening) scaled per meter,
//! with seeded noise. During the storm a hit feeder's meters draw nothing, send a last gasp within 30 s
//! of its start and a restore within 30 s of its end. During the peak every third meter sheds a share of
//! its load.
//!
//! The **Zhejiang** variant ([`SampleSpec::zhejiang`]) is the same town at UTC+8 over a week with a
//! public holiday, written as a utility's systems would hand it over ([`write_zhejiang`]): a header
//! CSV with local ISO 8601 times and kWh, a Green Button feed for a few meters, and the holiday
//! calendar its demand-response program states.

use gridtrust_common::time::{self, UtcOffset, DAY_MS};
use std::{io::Write, path::Path};

use crate::records::{EventKind, MeterEvent, Reading};

const QUARTER_MS: u64 = 900_000;

/// What to generate.
#[derive(Debug, Clone)]
pub struct SampleSpec {
    /// Seed of the noise; the same spec always gives the same data.
    pub seed: u64,
    /// Meters per feeder.
    pub meters_per_feeder: u32,
    /// Storm length in minutes per feeder (0: not hit); the number of feeders is its length.
    pub storm_minutes: Vec<u32>,
    /// First day's midnight (ms).
    pub start_ms: u64,
    /// Days of readings.
    pub days: u32,
    /// Storm start (ms).
    pub storm_start_ms: u64,
    /// The demand-response peak: start and end (ms) and the share shed by participating meters (%).
    pub peak: (u64, u64, u64),
}

impl SampleSpec {
    /// A town of 4 feeders × 75 meters over a week: a storm on day 5 at 14:00 that spares feeder 0 and
    /// cuts feeders 1–3 for 45 minutes, 3 hours and 6 h 40 min; a peak on day 7 from 17:00 to 19:00 in
    /// which every third meter sheds 30 %.
    pub fn town(start_ms: u64) -> Self {
        Self {
            seed: 7,
            meters_per_feeder: 75,
            storm_minutes: vec![0, 45, 180, 400],
            start_ms,
            days: 7,
            storm_start_ms: start_ms + 4 * DAY_MS + 14 * 3_600_000,
            peak: (
                start_ms + 6 * DAY_MS + 17 * 3_600_000,
                start_ms + 6 * DAY_MS + 19 * 3_600_000,
                30,
            ),
        }
    }

    /// The town in Zhejiang (UTC+8) from local midnight of Wednesday 1 April 2026: Monday 6 April
    /// is a public holiday (Qingming), the storm comes on Sunday 5 April at 14:00 local and the peak
    /// on Tuesday 7 April, 17:00–19:00 local — the day after the holiday, whose baseline must skip
    /// it.
    pub fn zhejiang() -> Self {
        Self::town(time::local_midnight_ms(ZHEJIANG_FIRST_DAY, ZHEJIANG_OFFSET))
    }

    /// Every meter, as (meter, feeder).
    pub fn meters(&self) -> Vec<(u64, u32)> {
        (0..self.storm_minutes.len() as u32)
            .flat_map(|f| {
                (0..self.meters_per_feeder).map(move |i| (u64::from(f) * 1_000 + u64::from(i), f))
            })
            .collect()
    }

    /// Whether `meter` takes part in the peak.
    pub fn sheds(meter: u64) -> bool {
        meter % 3 == 0
    }
}

/// Zhejiang's offset from UTC, in minutes (Asia/Shanghai).
pub const ZHEJIANG_OFFSET: UtcOffset = 480;
/// The Zhejiang sample's first local day: 2026-04-01.
pub const ZHEJIANG_FIRST_DAY: u64 = 20_544;
/// The Zhejiang sample's public holiday: Monday 2026-04-06 (Qingming).
pub const ZHEJIANG_HOLIDAY: u32 = 20_549;
/// Meters whose data the Zhejiang sample hands over as a Green Button feed instead of CSV.
pub const GREEN_BUTTON_METERS: [u64; 3] = [1_001, 1_002, 1_003];

/// splitmix64: small and deterministic.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// The generated readings and meter events.
#[derive(Debug, Clone, Default)]
pub struct Sample {
    /// Interval readings, in time order.
    pub readings: Vec<Reading>,
    /// Meter events, in time order.
    pub events: Vec<MeterEvent>,
}

/// Generates the data `spec` describes.
pub fn generate(spec: &SampleSpec) -> Sample {
    let meters = spec.meters();
    let mut sample = Sample::default();
    let quarters = u64::from(spec.days) * 96;
    for q in 0..quarters {
        let at = spec.start_ms + q * QUARTER_MS;
        let hour = (q % 96) / 4;
        // Night 40 %, day 70 %, evening peak 100 %.
        let shape = match hour {
            0..=6 => 40,
            17..=21 => 100,
            _ => 70,
        };
        for &(meter, feeder) in &meters {
            let scale = 250 + (meter % 7) * 40;
            let noise = mix(spec.seed ^ (meter << 20) ^ q) % 21;
            let mut wh = scale * shape / 100 + noise;
            let storm = u64::from(spec.storm_minutes[feeder as usize]) * 60_000;
            if at + QUARTER_MS > spec.storm_start_ms && at < spec.storm_start_ms + storm {
                wh = 0;
            }
            let (peak_start, peak_end, shed) = spec.peak;
            if SampleSpec::sheds(meter) && at >= peak_start && at < peak_end {
                wh = wh * (100 - shed) / 100;
            }
            sample.readings.push(Reading {
                meter,
                interval_start_ms: at,
                wh,
            });
        }
    }
    for &(meter, feeder) in &meters {
        let minutes = spec.storm_minutes[feeder as usize];
        if minutes == 0 {
            continue;
        }
        let jitter = |salt: u64| mix(spec.seed ^ meter ^ salt) % 30_000;
        let gasp = spec.storm_start_ms + jitter(1);
        let restore = spec.storm_start_ms + u64::from(minutes) * 60_000 + jitter(2);
        for (kind, at_ms) in [(EventKind::LastGasp, gasp), (EventKind::Restore, restore)] {
            sample.events.push(MeterEvent {
                kind,
                meter,
                feeder,
                at_ms,
            });
        }
    }
    sample.events.sort_by_key(|e| (e.at_ms, e.meter));
    sample
}

/// Writes `sample` as `readings.csv` and `events.csv` in `dir`, in the ingest format.
pub fn write_csv(sample: &Sample, dir: &Path) -> std::io::Result<()> {
    let mut readings = std::io::BufWriter::new(std::fs::File::create(dir.join("readings.csv"))?);
    writeln!(readings, "type,meter,interval_start_ms,wh")?;
    for r in &sample.readings {
        writeln!(
            readings,
            "reading,{},{},{}",
            r.meter, r.interval_start_ms, r.wh
        )?;
    }
    readings.flush()?;
    write_events(sample, dir)
}

/// Writes `sample`'s meter events as `events.csv` in `dir`, in the ingest format.
fn write_events(sample: &Sample, dir: &Path) -> std::io::Result<()> {
    let mut events = std::io::BufWriter::new(std::fs::File::create(dir.join("events.csv"))?);
    writeln!(events, "type,meter,feeder,at_ms")?;
    for e in &sample.events {
        let kind = match e.kind {
            EventKind::LastGasp => "last_gasp",
            EventKind::Restore => "restore",
        };
        writeln!(events, "{kind},{},{},{}", e.meter, e.feeder, e.at_ms)?;
    }
    events.flush()
}

/// Writes the Zhejiang variant of `sample` in `dir` as a utility would hand it over:
/// `readings.csv` (header row, local ISO 8601 times at `ZHEJIANG_OFFSET`, kWh) for every meter but
/// [`GREEN_BUTTON_METERS`], `green-button.xml` (ESPI, Wh) with `green-button.meters.csv` mapping its
/// usage points to those meters, `events.csv` (the plain format: head-end systems send events, not
/// interval exports) and `holidays.txt` (the program's calendar).
pub fn write_zhejiang(sample: &Sample, dir: &Path) -> std::io::Result<()> {
    let zone = chrono::FixedOffset::east_opt(i32::from(ZHEJIANG_OFFSET) * 60)
        .ok_or_else(|| std::io::Error::other("offset out of range"))?;
    let mut csv = std::io::BufWriter::new(std::fs::File::create(dir.join("readings.csv"))?);
    writeln!(csv, "Meter_ID,Interval_Start,kWh,Quality")?;
    let feed_meters = |m: u64| GREEN_BUTTON_METERS.contains(&m);
    for r in sample.readings.iter().filter(|r| !feed_meters(r.meter)) {
        let at = chrono::DateTime::from_timestamp_millis(r.interval_start_ms as i64)
            .ok_or_else(|| std::io::Error::other("time out of range"))?
            .with_timezone(&zone);
        writeln!(
            csv,
            "{},{},{}.{:03},A",
            r.meter,
            at.format("%Y-%m-%dT%H:%M:%S%:z"),
            r.wh / 1_000,
            r.wh % 1_000
        )?;
    }
    csv.flush()?;

    let base = "https://mdm.example.cn/espi/1_1/resource";
    let mut xml = std::io::BufWriter::new(std::fs::File::create(dir.join("green-button.xml"))?);
    let mut map = String::from("usage_point,meter\n");
    writeln!(
        xml,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xmlns:espi=\"http://naesb.org/espi\">\n  <title>Green Button usage</title>\n  <entry>\n    <link rel=\"self\" href=\"{base}/ReadingType/1\"/>\n    <content><espi:ReadingType><espi:accumulationBehaviour>4</espi:accumulationBehaviour><espi:intervalLength>900</espi:intervalLength><espi:powerOfTenMultiplier>0</espi:powerOfTenMultiplier><espi:uom>72</espi:uom></espi:ReadingType></content>\n  </entry>"
    )?;
    for (i, meter) in GREEN_BUTTON_METERS.iter().enumerate() {
        let point = format!("{base}/RetailCustomer/{i}/UsagePoint/zj{i}");
        map.push_str(&format!("zj{i},{meter}\n"));
        writeln!(
            xml,
            "  <entry>\n    <link rel=\"self\" href=\"{point}\"/>\n    <title>Household {i}</title>\n    <content><espi:UsagePoint><espi:ServiceCategory><espi:kind>0</espi:kind></espi:ServiceCategory></espi:UsagePoint></content>\n  </entry>\n  <entry>\n    <link rel=\"self\" href=\"{point}/MeterReading/1\"/>\n    <link rel=\"related\" href=\"{base}/ReadingType/1\"/>\n    <content><espi:MeterReading/></content>\n  </entry>\n  <entry>\n    <link rel=\"self\" href=\"{point}/MeterReading/1/IntervalBlock/1\"/>\n    <content><espi:IntervalBlock>"
        )?;
        for r in sample.readings.iter().filter(|r| r.meter == *meter) {
            writeln!(
                xml,
                "      <espi:IntervalReading><espi:timePeriod><espi:duration>900</espi:duration><espi:start>{}</espi:start></espi:timePeriod><espi:value>{}</espi:value></espi:IntervalReading>",
                r.interval_start_ms / 1_000,
                r.wh
            )?;
        }
        writeln!(xml, "    </espi:IntervalBlock></content>\n  </entry>")?;
    }
    writeln!(xml, "</feed>")?;
    xml.flush()?;
    std::fs::write(dir.join("green-button.meters.csv"), map)?;

    std::fs::write(
        dir.join("holidays.txt"),
        "# The demand-response program's calendar (gridtrust utility program holidays --file ...).\n\
         # Qingming, 4-6 April 2026: the weekend before it rests anyway.\n\
         2026-04-06 holiday\n",
    )?;
    write_events(sample, dir)
}
