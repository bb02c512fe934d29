//! `gridtrust oracle run`: one committee operator's daemon.

use std::path::PathBuf;

use anyhow::Result;
use gridtrust_oracle::daemon;

/// Run one committee operator's daemon against a node until SIGINT or SIGTERM.
#[derive(Debug, clap::Args)]
pub struct RunCommand {
    /// The daemon configuration (see deploy/oracle-1.toml).
    #[arg(long, value_name = "FILE")]
    config: PathBuf,
}

impl RunCommand {
    /// Logs to stderr and runs the daemon.
    pub fn run(&self) -> Result<()> {
        init_logs();
        let config = daemon::DaemonConfig::load(&self.config)?;
        Ok(daemon::run(config)?)
    }
}

/// Logs to stderr, `info` and up unless `RUST_LOG` says otherwise.
fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Colours only for a terminal: a log file or journal gets plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr)
        .init();
}
