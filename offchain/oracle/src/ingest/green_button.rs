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
//!
//! **Bounds:** the feed is streamed, twice (resources, then readings), never held whole; nesting
//! deeper than [`MAX_DEPTH`], markup or text longer than [`MAX_TOKEN_BYTES`] and more than
//! [`MAX_ENTRIES`] entries end the feed with a reject at their line, so no file can exhaust the
//! stack or memory of the operator reading it.

use std::collections::HashMap;

use std::io::{BufRead, Seek};

use quick_xml::{events::Event, Reader, XmlVersion};

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

/// Deepest element nesting read (a Green Button feed nests 7 deep): a deeper document is refused
/// where it gets too deep, before it can cost more than this much state.
pub const MAX_DEPTH: usize = 32;
/// Most bytes one piece of markup (a tag with its attributes, a run of text) may take: real feeds
/// stay far below, and a longer one is refused before it is held in memory.
pub const MAX_TOKEN_BYTES: usize = 64 << 10;
/// Most entries a feed may have besides its readings' blocks, and most blocks: what the first pass
/// keeps of them stays bounded (a utility's feed of 10,000 meters for a month has about 300,000).
pub const MAX_ENTRIES: usize = 1_000_000;

/// Every interval reading of the feed `text`, as readings and unusable marks (see [`read`]).
pub fn parse(text: &str, meters: &MeterMap) -> Vec<Parsed> {
    let mut out = Vec::new();
    // Reading from memory cannot fail.
    let _ = read(
        std::io::Cursor::new(text.as_bytes()),
        meters,
        |line, parsed| out.push((line, parsed)),
    );
    out
}

/// Hands `each` every interval reading of the feed in `input`, as a reading or an unusable mark, or
/// why a block holds none, with its line. The feed is streamed twice — first its small resources
/// (usage points, meter readings, reading types), then its readings — so memory does not grow with
/// the feed, and no nesting can exhaust the stack. A feed that is not XML, or nests deeper than
/// [`MAX_DEPTH`], or has markup longer than [`MAX_TOKEN_BYTES`], is one reject at the line where
/// it breaks. Only an I/O error fails.
pub fn read<R: BufRead + Seek>(
    mut input: R,
    meters: &MeterMap,
    mut each: impl FnMut(usize, Result<Record, String>),
) -> std::io::Result<()> {
    let resources = match Resources::collect(&mut input) {
        Ok(resources) => resources,
        Err(Broken::Io(e)) => return Err(e),
        Err(Broken::At(line, why)) => {
            each(line, Err(why));
            return Ok(());
        }
    };
    if resources.blocks.is_empty() {
        each(1, Err("the feed holds no IntervalBlock".into()));
        return Ok(());
    }
    let sources: Vec<Result<(u64, Scale), String>> = resources
        .blocks
        .iter()
        .map(|href| resources.source_of(href, meters))
        .collect();
    input.rewind()?;
    match emit_readings(input, &sources, &mut each) {
        Ok(()) => Ok(()),
        Err(Broken::Io(e)) => Err(e),
        Err(Broken::At(line, why)) => {
            each(line, Err(why));
            Ok(())
        }
    }
}

/// Why a pass over the feed stopped.
enum Broken {
    /// The input could not be read.
    Io(std::io::Error),
    /// The feed breaks at this line, for this reason.
    At(usize, String),
}

/// An ESPI resource besides interval blocks, as the first pass keeps it.
#[derive(Default)]
struct Resource {
    /// The local name of the element inside its entry's `content` (of those the passes look for).
    kind: Option<&'static str>,
    related: Vec<String>,
    title: Option<String>,
    /// A reading type's `uom` and `powerOfTenMultiplier`.
    uom: Option<String>,
    power: Option<String>,
}

/// The feed's resources by their `self` href, and its interval blocks' hrefs in feed order.
#[derive(Default)]
struct Resources {
    by_href: HashMap<String, Resource>,
    blocks: Vec<String>,
}

impl Resources {
    /// The first pass: every entry's links, title and kind, and each reading type's scale.
    fn collect<R: BufRead>(input: R) -> Result<Self, Broken> {
        let mut found = Self::default();
        let mut tokens = Tokens::new(input);
        let mut entry: Option<(Option<String>, Resource)> = None;
        let mut in_content = false;
        while let Some((line, depth, token)) = tokens.next()? {
            let Some((href, resource)) = entry.as_mut() else {
                if depth == 2 && matches!(token, Token::Open { name: "entry", .. }) {
                    entry = Some((None, Resource::default()));
                }
                continue;
            };
            if depth == 3 {
                in_content = matches!(
                    token,
                    Token::Open {
                        name: "content",
                        ..
                    }
                );
            }
            match (depth, token) {
                (
                    3,
                    Token::Open {
                        name: "link",
                        rel,
                        href: Some(to),
                    },
                ) => match rel.as_deref() {
                    Some("self") => *href = Some(to),
                    Some("related") => resource.related.push(to),
                    _ => {}
                },
                (
                    3,
                    Token::Close {
                        name: "title",
                        text,
                    },
                ) => resource.title = Some(text),
                (4, Token::Open { name, .. }) if in_content && resource.kind.is_none() => {
                    resource.kind = Some(name);
                }
                (5, Token::Close { name, text }) if resource.kind == Some("ReadingType") => {
                    match name {
                        "uom" => resource.uom = Some(text),
                        "powerOfTenMultiplier" => resource.power = Some(text),
                        _ => {}
                    }
                }
                (2, Token::Close { .. }) => {
                    let (href, resource) = entry.take().unwrap_or_default();
                    let Some(href) = href else { continue };
                    if found.by_href.len().max(found.blocks.len()) >= MAX_ENTRIES {
                        return Err(Broken::At(
                            line,
                            format!("the feed has more than {MAX_ENTRIES} entries"),
                        ));
                    }
                    if resource.kind == Some("IntervalBlock") {
                        found.blocks.push(href);
                    } else {
                        found.by_href.insert(href, resource);
                    }
                }
                _ => {}
            }
        }
        Ok(found)
    }

    /// The meter and scale of the interval block at `href`, through its meter reading, that
    /// reading's reading type, and its usage point.
    fn source_of(&self, href: &str, meters: &MeterMap) -> Result<(u64, Scale), String> {
        let reading_href = parent_of(href, "/IntervalBlock")?;
        let point_href = parent_of(href, "/MeterReading")?;
        let meter_reading = self
            .by_href
            .get(reading_href)
            .ok_or_else(|| format!("no MeterReading entry {reading_href}"))?;
        let reading_type = meter_reading
            .related
            .iter()
            .find_map(|h| {
                self.by_href
                    .get(h)
                    .filter(|r| r.kind == Some("ReadingType"))
            })
            .ok_or_else(|| format!("MeterReading {reading_href} links no ReadingType"))?;
        let scale = Scale::of(reading_type)?;
        let meter = meter_of(point_href, self.by_href.get(point_href), meters)?;
        Ok((meter, scale))
    }
}

/// The second pass: each `IntervalReading` of the n-th interval block, read with the n-th of
/// `sources` (or that block's one reject, when its source is unknown).
fn emit_readings<R: BufRead>(
    input: R,
    sources: &[Result<(u64, Scale), String>],
    each: &mut impl FnMut(usize, Result<Record, String>),
) -> Result<(), Broken> {
    let mut tokens = Tokens::new(input);
    let (mut in_content, mut blocks, mut block) = (false, 0usize, None);
    let mut reading: Option<(usize, ReadingFields)> = None;
    let mut parent = OTHER;
    while let Some((line, depth, token)) = tokens.next()? {
        match (depth, token) {
            (3, Token::Open { name, .. }) => in_content = name == "content",
            (3, Token::Close { .. }) => in_content = false,
            (
                4,
                Token::Open {
                    name: "IntervalBlock",
                    ..
                },
            ) if in_content => {
                let source = sources.get(blocks);
                blocks = blocks.saturating_add(1);
                block = match source {
                    Some(Ok(source)) => Some(source),
                    Some(Err(why)) => {
                        each(line, Err(why.clone()));
                        None
                    }
                    None => None,
                };
            }
            (4, Token::Close { .. }) => block = None,
            (
                5,
                Token::Open {
                    name: "IntervalReading",
                    ..
                },
            ) if block.is_some() => {
                reading = Some((line, ReadingFields::default()));
            }
            (5, Token::Close { .. }) => {
                if let (Some((at, fields)), Some((meter, scale))) = (reading.take(), block) {
                    each(at, fields.record(*meter, scale));
                }
            }
            (6, Token::Open { name, .. }) => parent = name,
            (6, Token::Close { name, text }) => {
                if let Some((_, fields)) = reading.as_mut() {
                    if name == "value" && fields.value.is_none() {
                        fields.value = Some(text);
                    }
                    if name == "timePeriod" {
                        fields.period_seen = true;
                    }
                }
            }
            (7, Token::Close { name, text }) => {
                if let Some((_, fields)) = reading.as_mut() {
                    let first = |slot: &mut Option<String>| {
                        if slot.is_none() {
                            *slot = Some(text);
                        }
                    };
                    match (parent, name) {
                        ("timePeriod", "start") if !fields.period_seen => first(&mut fields.start),
                        ("ReadingQuality", "quality") => first(&mut fields.quality),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// What one `IntervalReading` said: its first `timePeriod`'s start, its value, its quality code.
#[derive(Default)]
struct ReadingFields {
    start: Option<String>,
    /// Whether its first `timePeriod` has ended (a later one is not read).
    period_seen: bool,
    value: Option<String>,
    quality: Option<String>,
}

impl ReadingFields {
    /// The record these fields make for `meter`.
    fn record(self, meter: u64, scale: &Scale) -> Result<Record, String> {
        let start: u64 = self
            .start
            .ok_or("IntervalReading has no timePeriod with a start")?
            .parse()
            .map_err(|_| "timePeriod: start is not Unix seconds".to_string())?;
        let interval_start_ms = start
            .checked_mul(1_000)
            .ok_or("timePeriod: start is out of range")?;
        let quality: Option<u32> = self
            .quality
            .map(|q| {
                q.parse()
                    .map_err(|_| "ReadingQuality: quality is not a code")
            })
            .transpose()?;
        if quality.is_some_and(|code| !MEASURED.contains(&code)) {
            return Ok(Record::UnusableReading(UnusableRead {
                meter,
                interval_start_ms,
                quality: Quality::Estimated,
            }));
        }
        let wh = scale.wh(&self.value.ok_or("IntervalReading has no value")?)?;
        Ok(Record::Reading(Reading {
            meter,
            interval_start_ms,
            wh,
        }))
    }
}

/// The local names the passes look for; any other element is [`OTHER`].
const NAMES: [&str; 16] = [
    "entry",
    "link",
    "title",
    "content",
    "UsagePoint",
    "MeterReading",
    "ReadingType",
    "uom",
    "powerOfTenMultiplier",
    "IntervalBlock",
    "IntervalReading",
    "timePeriod",
    "start",
    "value",
    "ReadingQuality",
    "quality",
];
/// The name of every element the passes do not look for (none is spelled so).
const OTHER: &str = "";

/// `name` as one of [`NAMES`], or [`OTHER`]: tokens carry no allocated names, so a feed of millions
/// of elements costs no allocation per element.
fn known(name: &str) -> &'static str {
    NAMES.iter().copied().find(|n| *n == name).unwrap_or(OTHER)
}

/// What the passes see of the XML: elements opening (with a link's `rel` and `href`) and closing
/// (with the text directly inside, for an element they look for), each with its line and depth
/// (the root is 1).
enum Token {
    Open {
        name: &'static str,
        rel: Option<String>,
        href: Option<String>,
    },
    Close {
        name: &'static str,
        text: String,
    },
}

/// The XML of a feed as [`Token`]s, read with bounded depth, markup length and text.
struct Tokens<R> {
    reader: Reader<Counted<R>>,
    buf: Vec<u8>,
    /// Names of the open elements, innermost last.
    open: Vec<&'static str>,
    text: String,
    /// The close of an empty element, handed out after its open.
    pending: Option<(usize, usize, Token)>,
}

impl<R: BufRead> Tokens<R> {
    fn new(input: R) -> Self {
        let mut reader = Reader::from_reader(Counted::new(input));
        reader.config_mut().trim_text(true);
        Self {
            reader,
            buf: Vec::new(),
            open: Vec::new(),
            text: String::new(),
            pending: None,
        }
    }

    /// The next token with its line and depth, `None` at the end of the document.
    fn next(&mut self) -> Result<Option<(usize, usize, Token)>, Broken> {
        if let Some(token) = self.pending.take() {
            return Ok(Some(token));
        }
        // Field by field: the event borrows the buffer while the rest is used.
        let Self {
            reader,
            buf,
            open,
            text,
            pending,
        } = self;
        loop {
            buf.clear();
            reader.get_mut().token_started();
            let read = reader.read_event_into(buf);
            let line = reader.get_ref().lines.saturating_add(1);
            let broken =
                |why: &dyn std::fmt::Display| Broken::At(line, format!("not an XML feed: {why}"));
            let event = match read {
                Ok(event) => event,
                Err(quick_xml::Error::Io(e)) if e.kind() != std::io::ErrorKind::InvalidData => {
                    return Err(Broken::Io(std::io::Error::new(e.kind(), e.to_string())))
                }
                Err(e) => return Err(broken(&e)),
            };
            match event {
                Event::Start(ref start) | Event::Empty(ref start) => {
                    let name = known(start.local_name().into_inner());
                    let (mut rel, mut href) = (None, None);
                    if name == "link" {
                        for attribute in start.attributes() {
                            let attribute = attribute.map_err(|e| broken(&e))?;
                            let value = attribute
                                .normalized_value(XmlVersion::Implicit1_0)
                                .map_err(|e| broken(&e))?;
                            match attribute.key.local_name().into_inner() {
                                "rel" => rel = Some(value.into_owned()),
                                "href" => href = Some(value.into_owned()),
                                _ => {}
                            }
                        }
                    }
                    let depth = open.len().saturating_add(1);
                    if depth > MAX_DEPTH {
                        return Err(Broken::At(
                            line,
                            format!(
                                "elements nest deeper than {MAX_DEPTH} levels: not a Green Button feed"
                            ),
                        ));
                    }
                    text.clear();
                    if matches!(event, Event::Empty(_)) {
                        let close = Token::Close {
                            name,
                            text: String::new(),
                        };
                        *pending = Some((line, depth, close));
                    } else {
                        open.push(name);
                    }
                    return Ok(Some((line, depth, Token::Open { name, rel, href })));
                }
                Event::End(_) => {
                    let depth = open.len();
                    let name = open.pop().unwrap_or(OTHER);
                    let kept = if name == OTHER {
                        text.clear();
                        String::new()
                    } else {
                        std::mem::take(text)
                    };
                    let close = Token::Close { name, text: kept };
                    return Ok(Some((line, depth, close)));
                }
                Event::Text(more) => push_text(text, &more.xml10_content(), line)?,
                Event::CData(more) => push_text(text, &more, line)?,
                Event::GeneralRef(reference) => {
                    let resolved = match reference.resolve_char_ref() {
                        Ok(Some(c)) => c,
                        _ => match &*reference {
                            "amp" => '&',
                            "lt" => '<',
                            "gt" => '>',
                            "quot" => '"',
                            "apos" => '\'',
                            other => return Err(broken(&format!("unknown entity &{other};"))),
                        },
                    };
                    push_text(text, resolved.encode_utf8(&mut [0; 4]), line)?;
                }
                Event::Eof if open.is_empty() => return Ok(None),
                Event::Eof => {
                    let why = format!("it ends with {} elements still open", open.len());
                    return Err(broken(&why));
                }
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
            }
        }
    }
}

/// Adds `more` to `text`, the text of the element open at `line`, within [`MAX_TOKEN_BYTES`].
fn push_text(text: &mut String, more: &str, line: usize) -> Result<(), Broken> {
    if text.len().saturating_add(more.len()) > MAX_TOKEN_BYTES {
        return Err(Broken::At(
            line,
            format!("a text longer than {MAX_TOKEN_BYTES} bytes: not a Green Button feed"),
        ));
    }
    text.push_str(more);
    Ok(())
}

/// A reader that counts the lines it has handed out and refuses to hand out more than
/// [`MAX_TOKEN_BYTES`] for one piece of markup, so the XML reader's buffer stays bounded too.
struct Counted<R> {
    inner: R,
    lines: usize,
    in_token: usize,
    started: bool,
}

impl<R: BufRead> Counted<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            lines: 0,
            in_token: 0,
            started: false,
        }
    }

    /// The XML reader is about to read its next piece of markup.
    fn token_started(&mut self) {
        self.in_token = 0;
    }
}

impl<R: BufRead> std::io::Read for Counted<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counted<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if !self.started {
            // A byte-order mark is not part of the document.
            self.started = true;
            if self.inner.fill_buf()?.starts_with(b"\xEF\xBB\xBF") {
                self.inner.consume(3);
            }
        }
        if self.in_token > MAX_TOKEN_BYTES {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("markup longer than {MAX_TOKEN_BYTES} bytes: not a Green Button feed"),
            ));
        }
        self.inner.fill_buf()
    }

    fn consume(&mut self, n: usize) {
        if let Ok(buffered) = self.inner.fill_buf() {
            let taken = &buffered[..n.min(buffered.len())];
            self.lines = self
                .lines
                .saturating_add(taken.iter().filter(|&&b| b == b'\n').count());
        }
        self.in_token = self.in_token.saturating_add(n);
        self.inner.consume(n);
    }
}

/// `href` up to (not including) the last `marker` segment: the resource it belongs to.
fn parent_of<'h>(href: &'h str, marker: &str) -> Result<&'h str, String> {
    href.rfind(marker)
        .map(|at| &href[..at])
        .ok_or_else(|| format!("`{href}` has no {} in its path", &marker[1..]))
}

/// The meter of the usage point at `href`: from the mapping, else its entry's numeric title.
fn meter_of(href: &str, point: Option<&Resource>, meters: &MeterMap) -> Result<u64, String> {
    let id = href.rsplit('/').next().unwrap_or(href);
    if let Some(&meter) = meters.get(id) {
        return Ok(meter);
    }
    point
        .and_then(|p| p.title.as_deref())
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
    fn of(reading_type: &Resource) -> Result<Self, String> {
        let uom: i64 = reading_type
            .uom
            .as_deref()
            .ok_or("ReadingType has no uom")?
            .parse()
            .map_err(|_| "ReadingType: uom is not a number".to_string())?;
        if uom != UOM_WH {
            return Err(format!(
                "ReadingType: uom {uom} is not 72 (Wh); only energy in Wh is read"
            ));
        }
        let power = reading_type
            .power
            .as_deref()
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
        // Other elements of an entry (Atom's author, say) are passed over, before its content too.
        let authored = text.replace("<content>", "<author><name>MDM</name></author><content>");
        assert_eq!(parse(&authored, &map), got);
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
