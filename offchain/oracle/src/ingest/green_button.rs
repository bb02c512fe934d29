//! Green Button (NAESB REQ.21 ESPI) interval data: the Atom feed a utility's "Download My Data"
//! button or its Connect My Data API gives out.
//!
//! A feed is Atom `entry`s, each holding one ESPI resource and linked by their `href`s:
//! `UsagePoint` (a metering point) → `MeterReading` → its `ReadingType` (unit, scale, interval
//! length; the `related` link) and its `IntervalBlock`s of `IntervalReading`s (start in Unix seconds,
//! duration, value, and optionally `ReadingQuality`). A reading's energy is `value ×
//! 10^powerOfTenMultiplier` in `uom` 72 (Wh); other units are refused, and so is a value finer than a
//! whole Wh.
//!
//! **Which meter:** ESPI names no meter number. A usage point's meter is, in this order, the number in
//! a mapping file beside the feed (`<feed>.meters.csv`, lines `usage_point,meter`, where
//! `usage_point` is the last segment of its `href`, e.g. `01` of `…/UsagePoint/01`), or its entry's
//! `<title>` when that is a whole number. A usage point with neither is rejected, every reading of it
//! with that reason.
//!
//! **Quality:** `ReadingQuality` codes 0 (valid), 17 (validated), 18 (verified) and 19 (revenue
//! quality) are measured values. Every other code — 8 and 9 (estimated), 12 (projected), 7 (manually
//! edited), 10 (questionable), 11 (derived) and the rest — marks the interval
//! [`Quality::Estimated`]: kept as a mark, never as a reading (see `crate::quality`).
//!
//! Rejects name the line of the `IntervalReading` (or of the resource) they are about.

use std::collections::HashMap;

use roxmltree::{Document, Node};

use crate::records::{Quality, Reading, Record, UnusableRead};

/// ESPI's unit of measure for watt-hours.
const UOM_WH: i64 = 72;
/// Quality codes of measured values.
const MEASURED: [u32; 4] = [0, 17, 18, 19];

/// Usage point id (the last segment of its `href`) → meter number.
pub type MeterMap = HashMap<String, u64>;

/// Reads a mapping file's text: `usage_point,meter` per line, `#` comments and a header line allowed.
pub fn parse_meter_map(text: &str) -> Result<MeterMap, String> {
    let mut map = MeterMap::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() || line.eq_ignore_ascii_case("usage_point,meter") {
            continue;
        }
        let (point, meter) = line
            .split_once(',')
            .ok_or_else(|| format!("line {}: expected `usage_point,meter`", i + 1))?;
        let meter = meter
            .trim()
            .parse()
            .map_err(|_| format!("line {}: `{}` is not a meter number", i + 1, meter.trim()))?;
        map.insert(point.trim().to_owned(), meter);
    }
    Ok(map)
}

/// One parsed record or why a part of the feed holds none, with the line it came from.
pub type Parsed = (usize, Result<Record, String>);

/// Every interval reading of the feed `text`, as readings and unusable marks; a feed that is not
/// XML at all is one error at the line where it breaks.
pub fn parse(text: &str, meters: &MeterMap) -> Vec<Parsed> {
    let doc = match Document::parse(text) {
        Ok(doc) => doc,
        Err(e) => return vec![(e.pos().row as usize, Err(format!("not an XML feed: {e}")))],
    };
    let line = |node: Node| doc.text_pos_at(node.range().start).row as usize;
    let entries: Vec<Entry> = doc
        .root_element()
        .children()
        .filter(|n| n.has_tag_name("entry"))
        .filter_map(Entry::of)
        .collect();
    let by_href: HashMap<&str, &Entry> = entries.iter().map(|e| (e.href.as_str(), e)).collect();
    let mut out = Vec::new();
    for block in entries.iter().filter(|e| e.kind() == "IntervalBlock") {
        let found = (|| {
            let reading_href = parent_of(&block.href, "/IntervalBlock")?;
            let point_href = parent_of(&block.href, "/MeterReading")?;
            let meter_reading = by_href
                .get(reading_href)
                .ok_or_else(|| format!("no MeterReading entry {reading_href}"))?;
            let reading_type = meter_reading
                .related
                .iter()
                .find_map(|h| {
                    by_href
                        .get(h.as_str())
                        .filter(|e| e.kind() == "ReadingType")
                })
                .ok_or_else(|| format!("MeterReading {reading_href} links no ReadingType"))?;
            let scale = Scale::of(reading_type.content)?;
            let meter = meter_of(point_href, by_href.get(point_href).copied(), meters)?;
            Ok::<_, String>((meter, scale))
        })();
        let (meter, scale) = match found {
            Ok(found) => found,
            Err(reason) => {
                out.push((line(block.content), Err(reason)));
                continue;
            }
        };
        for reading in block
            .content
            .children()
            .filter(|n| n.has_tag_name("IntervalReading"))
        {
            out.push((line(reading), interval_reading(reading, meter, &scale)));
        }
    }
    if out.is_empty() {
        out.push((1, Err("the feed holds no IntervalBlock".into())));
    }
    out
}

/// One Atom entry: its `self` href, its `related` hrefs and its ESPI resource.
struct Entry<'a, 'i> {
    href: String,
    related: Vec<String>,
    content: Node<'a, 'i>,
    title: Option<&'a str>,
}

impl<'a, 'i> Entry<'a, 'i> {
    fn of(entry: Node<'a, 'i>) -> Option<Self> {
        let links: Vec<(Option<&str>, &str)> = entry
            .children()
            .filter(|n| n.has_tag_name("link"))
            .filter_map(|n| Some((n.attribute("rel"), n.attribute("href")?)))
            .collect();
        let href = links
            .iter()
            .find(|(rel, _)| *rel == Some("self"))?
            .1
            .to_owned();
        let related = links
            .iter()
            .filter(|(rel, _)| *rel == Some("related"))
            .map(|(_, h)| (*h).to_owned())
            .collect();
        let content = entry
            .children()
            .find(|n| n.has_tag_name("content"))?
            .children()
            .find(Node::is_element)?;
        let title = entry
            .children()
            .find(|n| n.has_tag_name("title"))
            .and_then(|n| n.text());
        Some(Self {
            href,
            related,
            content,
            title,
        })
    }

    fn kind(&self) -> &str {
        self.content.tag_name().name()
    }
}

/// `href` up to (not including) the last `marker` segment: the resource it belongs to.
fn parent_of<'h>(href: &'h str, marker: &str) -> Result<&'h str, String> {
    href.rfind(marker)
        .map(|at| &href[..at])
        .ok_or_else(|| format!("`{href}` has no {} in its path", &marker[1..]))
}

/// The meter of the usage point at `href`: from the mapping, else its entry's numeric title.
fn meter_of(href: &str, point: Option<&Entry>, meters: &MeterMap) -> Result<u64, String> {
    let id = href.rsplit('/').next().unwrap_or(href);
    if let Some(&meter) = meters.get(id) {
        return Ok(meter);
    }
    point
        .and_then(|p| p.title)
        .and_then(|t| t.trim().parse().ok())
        .ok_or_else(|| {
            format!(
                "usage point {id} has no meter number: map it in the feed's .meters.csv \
                 (`{id},<meter>`) or title its entry with the number"
            )
        })
}

/// What a reading type says about its values.
struct Scale {
    /// `powerOfTenMultiplier`.
    power: i32,
}

impl Scale {
    fn of(reading_type: Node) -> Result<Self, String> {
        let field = |name: &str| text_of(reading_type, name);
        let uom: i64 = field("uom")
            .ok_or("ReadingType has no uom")?
            .parse()
            .map_err(|_| "ReadingType: uom is not a number".to_string())?;
        if uom != UOM_WH {
            return Err(format!(
                "ReadingType: uom {uom} is not 72 (Wh); only energy in Wh is read"
            ));
        }
        let power = field("powerOfTenMultiplier")
            .map_or(Ok(0), str::parse)
            .map_err(|_| "ReadingType: powerOfTenMultiplier is not a number".to_string())?;
        if !(-9..=9).contains(&power) {
            return Err(format!(
                "ReadingType: powerOfTenMultiplier {power} is out of range"
            ));
        }
        Ok(Self { power })
    }

    /// `value` as whole Wh, refusing what is finer than 1 Wh or negative.
    fn wh(&self, value: &str) -> Result<u64, String> {
        let v: u64 = value.trim().parse().map_err(|_| {
            format!(
                "value `{}` is not a whole non-negative number",
                value.trim()
            )
        })?;
        let factor = 10u64.pow(self.power.unsigned_abs());
        if self.power >= 0 {
            v.checked_mul(factor)
                .ok_or_else(|| format!("value {v} × 10^{} Wh is too large", self.power))
        } else if v % factor == 0 {
            Ok(v / factor)
        } else {
            Err(format!(
                "value {v} × 10^{} Wh is not a whole Wh (finer values are not rounded)",
                self.power
            ))
        }
    }
}

/// The trimmed text of `parent`'s first child element named `name`.
fn text_of<'a>(parent: Node<'a, '_>, name: &str) -> Option<&'a str> {
    parent
        .children()
        .find(|n| n.has_tag_name(name))
        .and_then(|n| n.text())
        .map(str::trim)
}

/// One `IntervalReading` of `meter`.
fn interval_reading(node: Node, meter: u64, scale: &Scale) -> Result<Record, String> {
    let child = text_of;
    let period = node
        .children()
        .find(|n| n.has_tag_name("timePeriod"))
        .ok_or("IntervalReading has no timePeriod")?;
    let start: u64 = child(period, "start")
        .ok_or("timePeriod has no start")?
        .parse()
        .map_err(|_| "timePeriod: start is not Unix seconds".to_string())?;
    let interval_start_ms = start
        .checked_mul(1_000)
        .ok_or("timePeriod: start is out of range")?;
    let quality: Option<u32> = node
        .children()
        .find(|n| n.has_tag_name("ReadingQuality"))
        .map(|q| {
            child(q, "quality")
                .and_then(|c| c.parse().ok())
                .ok_or("ReadingQuality: quality is not a code")
        })
        .transpose()?;
    if quality.is_some_and(|code| !MEASURED.contains(&code)) {
        return Ok(Record::UnusableReading(UnusableRead {
            meter,
            interval_start_ms,
            quality: Quality::Estimated,
        }));
    }
    let wh = scale.wh(child(node, "value").ok_or("IntervalReading has no value")?)?;
    Ok(Record::Reading(Reading {
        meter,
        interval_start_ms,
        wh,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A feed as a Green Button export writes it: two usage points (one titled with its meter
    /// number, one mapped), kWh values with a multiplier of −3 on the second.
    pub(crate) fn feed(second_power: i32, second_value: &str) -> String {
        let base = "https://utility.example/espi/1_1/resource/RetailCustomer/9b6c/UsagePoint";
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:espi="http://naesb.org/espi">
  <id>urn:uuid:0a1b</id>
  <title>Green Button Usage Feed</title>
  <entry>
    <link rel="self" href="{base}/01"/>
    <link rel="related" href="{base}/01/MeterReading"/>
    <title>2001</title>
    <content><espi:UsagePoint><espi:ServiceCategory><espi:kind>0</espi:kind></espi:ServiceCategory></espi:UsagePoint></content>
  </entry>
  <entry>
    <link rel="self" href="{base}/01/MeterReading/01"/>
    <link rel="related" href="https://utility.example/espi/1_1/resource/ReadingType/07"/>
    <link rel="related" href="{base}/01/MeterReading/01/IntervalBlock"/>
    <content><espi:MeterReading/></content>
  </entry>
  <entry>
    <link rel="self" href="https://utility.example/espi/1_1/resource/ReadingType/07"/>
    <content><espi:ReadingType>
      <espi:accumulationBehaviour>4</espi:accumulationBehaviour>
      <espi:intervalLength>900</espi:intervalLength>
      <espi:powerOfTenMultiplier>0</espi:powerOfTenMultiplier>
      <espi:uom>72</espi:uom>
    </espi:ReadingType></content>
  </entry>
  <entry>
    <link rel="self" href="{base}/01/MeterReading/01/IntervalBlock/1"/>
    <content><espi:IntervalBlock>
      <espi:interval><espi:duration>1800</espi:duration><espi:start>1767225600</espi:start></espi:interval>
      <espi:IntervalReading>
        <espi:timePeriod><espi:duration>900</espi:duration><espi:start>1767225600</espi:start></espi:timePeriod>
        <espi:value>250</espi:value>
      </espi:IntervalReading>
      <espi:IntervalReading>
        <espi:ReadingQuality><espi:quality>8</espi:quality></espi:ReadingQuality>
        <espi:timePeriod><espi:duration>900</espi:duration><espi:start>1767226500</espi:start></espi:timePeriod>
        <espi:value>240</espi:value>
      </espi:IntervalReading>
    </espi:IntervalBlock></content>
  </entry>
  <entry>
    <link rel="self" href="{base}/02"/>
    <title>Back office</title>
    <content><espi:UsagePoint/></content>
  </entry>
  <entry>
    <link rel="self" href="{base}/02/MeterReading/01"/>
    <link rel="related" href="https://utility.example/espi/1_1/resource/ReadingType/08"/>
    <content><espi:MeterReading/></content>
  </entry>
  <entry>
    <link rel="self" href="https://utility.example/espi/1_1/resource/ReadingType/08"/>
    <content><espi:ReadingType>
      <espi:powerOfTenMultiplier>{second_power}</espi:powerOfTenMultiplier>
      <espi:uom>72</espi:uom>
    </espi:ReadingType></content>
  </entry>
  <entry>
    <link rel="self" href="{base}/02/MeterReading/01/IntervalBlock/1"/>
    <content><espi:IntervalBlock>
      <espi:IntervalReading>
        <espi:ReadingQuality><espi:quality>17</espi:quality></espi:ReadingQuality>
        <espi:timePeriod><espi:duration>900</espi:duration><espi:start>1767225600</espi:start></espi:timePeriod>
        <espi:value>{second_value}</espi:value>
      </espi:IntervalReading>
    </espi:IntervalBlock></content>
  </entry>
</feed>
"#
        )
    }

    #[test]
    fn readings_marks_and_mapped_usage_points() {
        let map = parse_meter_map("usage_point,meter\n02,2002 # back office\n").unwrap();
        let got = parse(&feed(-3, "1500000"), &map);
        let records: Vec<_> = got.iter().map(|(_, r)| r.clone().unwrap()).collect();
        assert_eq!(
            records,
            vec![
                Record::Reading(Reading {
                    meter: 2001,
                    interval_start_ms: 1_767_225_600_000,
                    wh: 250
                }),
                Record::UnusableReading(UnusableRead {
                    meter: 2001,
                    interval_start_ms: 1_767_226_500_000,
                    quality: Quality::Estimated
                }),
                Record::Reading(Reading {
                    meter: 2002,
                    interval_start_ms: 1_767_225_600_000,
                    wh: 1_500
                }),
            ]
        );
        // Each names the line of its IntervalReading.
        let text = feed(-3, "1500000");
        for (line, _) in &got {
            let at = text.lines().nth(line - 1).unwrap();
            assert!(at.contains("<espi:IntervalReading>"), "{line}: {at}");
        }
    }

    #[test]
    fn what_cannot_be_read_exactly_is_rejected_with_its_reason() {
        let map = parse_meter_map("02,2002").unwrap();
        let got = parse(&feed(-3, "1500001"), &map);
        let err = got[2].1.clone().unwrap_err();
        assert!(err.contains("not a whole Wh"), "{err}");
        // Unmapped and untitled by a number: every reading of that usage point is refused.
        let got = parse(&feed(0, "7"), &MeterMap::new());
        let err = got.last().unwrap().1.clone().unwrap_err();
        assert!(err.contains("usage point 02 has no meter number"), "{err}");
        let got = parse(&feed(0, "7").replace("<espi:uom>72", "<espi:uom>38"), &map);
        assert!(got[0].1.clone().unwrap_err().contains("uom 38"));
        let got = parse("<feed><entry>", &map);
        assert_eq!(got.len(), 1);
        assert!(got[0].1.clone().unwrap_err().starts_with("not an XML feed"));
    }
}
