//! Splitting meter data into lines, each judged on its own.
//!
//! A utility's export is not always clean text: spreadsheets put a byte-order mark before the first
//! line and end lines with CRLF, and one corrupted byte must cost one line, not the file. So the input
//! is split on `\n` as bytes, and only then is each line decoded: a line that is not UTF-8 (or is
//! absurdly long) becomes a rejected line with its number, and the next line is read as usual.

use std::io::{self, BufRead};

/// The UTF-8 byte-order mark, which spreadsheet exports write before the first line.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The longest line kept (bytes). Meter-data lines are under 100 bytes; a longer "line" is a file
/// without line breaks (or not a text file at all), and holding it whole would only cost memory.
pub const MAX_LINE: usize = 64 << 10;

/// Calls `each` with every line of `reader` (numbered from 1, without its `\n` or `\r\n`, the first
/// without a byte-order mark): its text, or why it is not one. Stops early only on an I/O error.
pub fn for_each_line(
    mut reader: impl BufRead,
    mut each: impl FnMut(usize, Result<&str, String>),
) -> io::Result<()> {
    let mut line = Vec::new();
    let mut too_long = false;
    let mut number = 0;
    loop {
        let (done, used, at_end) = {
            let available = match reader.fill_buf() {
                Ok(bytes) => bytes,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            let at_end = available.is_empty();
            let newline = available.iter().position(|&b| b == b'\n');
            let take = newline.map_or(available.len(), |i| i);
            let room = MAX_LINE.saturating_sub(line.len());
            if take > room {
                too_long = true;
            }
            line.extend_from_slice(&available[..take.min(room)]);
            (newline.is_some(), newline.map_or(take, |i| i + 1), at_end)
        };
        reader.consume(used);
        if !done && !at_end {
            continue;
        }
        if at_end && line.is_empty() && !too_long {
            return Ok(());
        }
        number += 1;
        let mut bytes = &line[..];
        if number == 1 {
            bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
        }
        bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
        if too_long {
            each(number, Err(format!("line longer than {MAX_LINE} bytes")));
        } else {
            match std::str::from_utf8(bytes) {
                Ok(text) => each(number, Ok(text)),
                Err(e) => each(
                    number,
                    Err(format!(
                        "not UTF-8 text (bad byte at column {})",
                        e.valid_up_to() + 1
                    )),
                ),
            }
        }
        line.clear();
        too_long = false;
        if at_end {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8]) -> Vec<(usize, Result<String, String>)> {
        let mut out = Vec::new();
        // A tiny buffer makes lines straddle reads, as they do in large files.
        let reader = io::BufReader::with_capacity(3, input);
        for_each_line(reader, |n, text| out.push((n, text.map(str::to_owned)))).unwrap();
        out
    }

    #[test]
    fn bom_crlf_and_a_missing_last_newline_are_plain_lines() {
        assert_eq!(
            lines(b"\xEF\xBB\xBFa,b\r\n\r\nc"),
            vec![
                (1, Ok("a,b".into())),
                (2, Ok(String::new())),
                (3, Ok("c".into()))
            ]
        );
        assert_eq!(lines(b""), vec![]);
        assert_eq!(lines(b"x\n"), vec![(1, Ok("x".into()))]);
    }

    #[test]
    fn a_bad_byte_costs_its_own_line_only() {
        let got = lines(b"good\nba\xFFd\nalso good\n");
        assert_eq!(got[0], (1, Ok("good".into())));
        assert_eq!(got[1].0, 2);
        assert!(got[1].1.as_ref().unwrap_err().contains("column 3"));
        assert_eq!(got[2], (3, Ok("also good".into())));
        // A BOM is only a BOM at the very start.
        assert!(lines(b"a\n\xEF\xBB\xBFb\n")[1]
            .1
            .as_ref()
            .unwrap()
            .starts_with('\u{feff}'));
    }

    #[test]
    fn an_endless_line_is_one_reject_and_reading_goes_on() {
        let mut input = vec![b'x'; MAX_LINE + 10];
        input.extend_from_slice(b"\nnext\n");
        let got = lines(&input);
        assert_eq!(got.len(), 2);
        assert!(got[0].1.as_ref().unwrap_err().contains("longer than"));
        assert_eq!(got[1], (2, Ok("next".into())));
    }
}
