//! `gridtrust oracle outages`: what the stored meter events say, as of now.

use std::path::PathBuf;

use anyhow::{Context, Result};
use gridtrust_common::time::MINUTE_MS;
use gridtrust_oracle::outages::{decide, Outage, OutageRule};

/// List the feeder outages the ingested meter events show.
#[derive(Debug, clap::Args)]
pub struct OutagesCommand {
    /// The SQLite database.
    #[arg(long, value_name = "PATH", default_value = "oracle.db")]
    db: PathBuf,
    /// Print the outages as JSON (an array) instead of text.
    #[arg(long)]
    json: bool,
}

impl OutagesCommand {
    /// Decides outages from the stored meter events with the default rule, as of the clock now.
    pub fn run(&self) -> Result<()> {
        let db = &self.db;
        let store = gridtrust_oracle::Store::open(db)
            .with_context(|| format!("opening {}", db.display()))?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        let found = decide(&store.meter_events()?, &OutageRule::default(), now);
        if self.json {
            println!("{}", serde_json::to_string_pretty(&found)?);
            return Ok(());
        }
        if found.is_empty() {
            println!("no outages");
        }
        for o in &found {
            println!("{}", describe(o));
        }
        Ok(())
    }
}

/// One outage as a line of text.
fn describe(o: &Outage) -> String {
    let length = o.end_ms.map_or("still open".to_owned(), |end| {
        format!("{} minutes", (end - o.start_ms) / MINUTE_MS)
    });
    let stale = if o.stale {
        " (stale: no restore for over a day)"
    } else {
        ""
    };
    format!(
        "feeder {}: from {} ms, {length}, {} meters{stale}",
        o.feeder,
        o.start_ms,
        o.meters.len()
    )
}
