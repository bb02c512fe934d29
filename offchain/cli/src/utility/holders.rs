//! Meter holders from a utility's CSV export, attested in batches: every line is checked before
//! anything is sent, holders already validly attested are skipped (so an import interrupted or run
//! twice attests each holder once), and a batch the contract refuses names the CSV line to fix.
//!
//! ```csv
//! account,meter,feeder,expiry
//! 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY,1001,2,
//! 5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty,1002,2,2027-12-31
//! ```
//! `expiry` is empty (no expiry), a date (the attestation expires at its start, 00:00 UTC) or a time
//! in milliseconds since the Unix epoch.

use std::path::Path;

use attestations::{AttestRequest, Error as AttestationsError, MAX_BATCH};
use gridtrust_chain::{parse_ss58, sizing::list_per_call, AccountId, CallError, Chain};
use gridtrust_common::claims::meter_holder_claim;
use serde::Deserialize;

use crate::actor::Actor;

/// One holder to attest, with the CSV line it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    /// Its line in the file, from 1 (the header is line 1).
    pub line: u64,
    /// The account.
    pub account: AccountId,
    /// The meter.
    pub meter: u64,
    /// Its feeder.
    pub feeder: u32,
    /// When the attestation expires (ms), if it does.
    pub expires_at: Option<u64>,
}

#[derive(Deserialize)]
struct Row {
    account: String,
    meter: u64,
    feeder: u32,
    #[serde(default)]
    expiry: Option<String>,
}

pub fn parse_expiry(text: &str) -> Result<Option<u64>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if let Ok(ms) = text.parse::<u64>() {
        return Ok(Some(ms));
    }
    let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("expiry `{text}` is neither a date (2027-12-31) nor milliseconds"))?;
    let ms = date
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp_millis())
        .and_then(|ms| u64::try_from(ms).ok())
        .ok_or_else(|| format!("expiry `{text}` is before 1970"))?;
    Ok(Some(ms))
}

/// The holders in CSV `text` (named `source` in errors), or every bad line as `source:line: reason`.
pub fn parse(text: &str, source: &str) -> Result<Vec<Holder>, Vec<String>> {
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    // Lines counted from the record's byte offset, whatever the line endings (after a CRLF the
    // reader places a record at its `\n`, hence the offset's own byte is counted too).
    let line_at = |p: Option<&csv::Position>| {
        p.and_then(|p| usize::try_from(p.byte()).ok())
            .map(|at| text.get(..=at).unwrap_or(text))
            .map_or(0, |before| before.matches('\n').count() as u64 + 1)
    };
    let mut holders = Vec::new();
    let mut bad = Vec::new();
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(vec![format!("{source}:1: {e}")]),
    };
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = line_at(e.position());
                bad.push(format!("{source}:{line}: {e}"));
                continue;
            }
        };
        let line = line_at(record.position());
        let row: Row = match record.deserialize(Some(&headers)) {
            Ok(row) => row,
            Err(e) => {
                bad.push(format!("{source}:{line}: {e}"));
                continue;
            }
        };
        let account = match parse_ss58(&row.account) {
            Some(a) => a,
            None => {
                bad.push(format!(
                    "{source}:{line}: `{}` is not an SS58 address",
                    row.account
                ));
                continue;
            }
        };
        match parse_expiry(row.expiry.as_deref().unwrap_or_default()) {
            Ok(expires_at) => holders.push(Holder {
                line,
                account,
                meter: row.meter,
                feeder: row.feeder,
                expires_at,
            }),
            Err(e) => bad.push(format!("{source}:{line}: {e}")),
        }
    }
    if bad.is_empty() {
        Ok(holders)
    } else {
        Err(bad)
    }
}

/// The holders in file `path`.
pub fn read(path: &Path) -> anyhow::Result<Vec<Holder>> {
    let text =
        std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    parse(&text, &path.display().to_string()).map_err(|bad| {
        anyhow::anyhow!(
            "{} bad lines, nothing was sent:\n{}",
            bad.len(),
            bad.join("\n")
        )
    })
}

/// The request attesting that `holder` holds `meter` on `feeder`, expiring at `expires_at`.
pub fn request(
    holder: AccountId,
    meter: u64,
    feeder: u32,
    expires_at: Option<u64>,
) -> AttestRequest {
    AttestRequest {
        subject: holder,
        claim_hash: meter_holder_claim(meter, feeder),
        expires_at,
        parent: None,
    }
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Imported {
    /// Holders attested now.
    pub attested: usize,
    /// Holders that already held a valid attestation of the same meter and feeder.
    pub already: usize,
    /// Batch calls sent.
    pub calls: usize,
}

/// Why an import stopped (what was attested before stays attested).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The contract refused one holder of a batch: nothing of that batch was attested.
    #[error("line {line}: {error} (the holders before this batch are attested; fix the line and run the import again, attested holders are skipped)")]
    Holder {
        /// The holder's CSV line.
        line: u64,
        /// The refusal.
        error: CallError,
    },
    /// The chain failed, or the contract refused the whole batch.
    #[error(transparent)]
    Call(#[from] CallError),
}

impl<C: Chain> Actor<'_, C> {
    /// Attests `holders` under `schema`, skipping holders already attested, in calls sized from the
    /// chain's limits (at most [`MAX_BATCH`] each); `progress(done, total)` after each batch.
    pub fn import_holders(
        &mut self,
        schema: u32,
        holders: &[Holder],
        mut progress: impl FnMut(usize, usize),
    ) -> Result<Imported, ImportError> {
        let mut api = self.attestations();
        let mut report = Imported::default();
        let mut todo = Vec::new();
        for h in holders {
            let claim = meter_holder_claim(h.meter, h.feeder);
            if self
                .ask(api.find_valid(h.account, schema, Some(claim)))?
                .is_some()
            {
                report.already += 1;
            } else {
                todo.push(h);
            }
        }
        progress(0, todo.len());
        let requests = |batch: &[&Holder]| -> Vec<AttestRequest> {
            batch
                .iter()
                .map(|h| request(h.account, h.meter, h.feeder, h.expires_at))
                .collect()
        };
        let per_call = if todo.is_empty() {
            1
        } else {
            let sized = list_per_call(
                self.chain,
                &self.contracts.attestations,
                &self.who,
                &todo,
                MAX_BATCH,
                "attest_batch",
                |first| api.attest_batch(schema, requests(&first)),
            );
            match sized {
                Ok(n) => n,
                // A refused probe names a bad holder among the first few: the call below reports
                // it with its line.
                Err(CallError::Refused { .. }) => MAX_BATCH,
                Err(e) => return Err(e.into()),
            }
        };
        for batch in todo.chunks(per_call as usize) {
            let sent = self.send("attest_batch", api.attest_batch(schema, requests(batch)), 0);
            if let Err(CallError::Refused {
                error:
                    gridtrust_chain::ContractError::Attestations(AttestationsError::BatchItemRefused {
                        index,
                        ..
                    }),
                ..
            }) = &sent
            {
                let line = batch.get(*index as usize).map_or(0, |h| h.line);
                return Err(ImportError::Holder {
                    line,
                    error: sent.expect_err("matched a refusal"),
                });
            }
            sent?;
            report.attested += batch.len();
            report.calls += 1;
            progress(report.attested, todo.len());
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALICE: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";

    #[test]
    fn a_utility_export_parses_with_bom_crlf_quotes_and_dates() {
        let text = format!(
            "\u{feff}account,meter,feeder,expiry\r\n\"{ALICE}\",1001,2,\r\n{ALICE},1002,\"2\",2027-12-31\r\n{ALICE},1003,3,1800000000000\r\n"
        );
        let holders = parse(&text, "h.csv").unwrap();
        assert_eq!(holders.len(), 3);
        assert_eq!((holders[0].meter, holders[0].expires_at), (1001, None));
        assert_eq!(holders[1].expires_at, Some(1_830_211_200_000));
        assert_eq!(holders[2].expires_at, Some(1_800_000_000_000));
        assert_eq!(
            holders.iter().map(|h| h.line).collect::<Vec<_>>(),
            [2, 3, 4]
        );
    }

    #[test]
    fn every_bad_line_is_named_and_nothing_is_kept() {
        let text = format!(
            "account,meter,feeder,expiry\n{ALICE},1001,2,\nnobody,1002,2,\n{ALICE},x,2,\n{ALICE},1004,2,31/12/2027\n"
        );
        let bad = parse(&text, "h.csv").unwrap_err();
        assert_eq!(bad.len(), 3, "{bad:?}");
        assert!(
            bad[0].starts_with("h.csv:3: `nobody` is not an SS58 address"),
            "{bad:?}"
        );
        assert!(bad[1].starts_with("h.csv:4: "), "{bad:?}");
        assert!(bad[2].starts_with("h.csv:5: expiry"), "{bad:?}");
    }
}
