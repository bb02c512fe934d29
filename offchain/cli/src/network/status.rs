//! `network status`: for each party, whether its node runs, its best and finalized blocks, the
//! finalized state root (equal roots: the same state) and its peers; whether its oracle daemon and
//! the portal run. `--json` for scripts.

use anyhow::{bail, Result};
use serde::Serialize;

use super::{
    connect,
    layout::{Layout, OPERATORS, PARTIES, PORTAL_PARTY},
    process, this_program, Folder, NODE_PROGRAM,
};

/// `network status`.
#[derive(Debug, clap::Args)]
pub struct StatusCommand {
    #[command(flatten)]
    folder: Folder,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// One party's node and services.
#[derive(Debug, Serialize)]
pub struct PartyStatus {
    /// The party.
    pub name: String,
    /// Its node's process id, when it runs.
    pub node_pid: Option<u32>,
    /// Its RPC endpoint.
    pub rpc: String,
    /// Best block, when the node answers.
    pub best: Option<u64>,
    /// Last finalized block, when the node answers.
    pub finalized: Option<u64>,
    /// The finalized block's hash (hex).
    pub finalized_hash: Option<String>,
    /// The finalized block's state root (hex).
    pub state_root: Option<String>,
    /// Connected peers.
    pub peers: Option<u64>,
    /// Whether its oracle daemon runs (`None`: it runs none).
    pub oracle: Option<bool>,
    /// Whether the portal runs (`None`: this party serves none).
    pub portal: Option<bool>,
}

impl StatusCommand {
    /// Prints the network's state.
    pub fn run(&self) -> Result<()> {
        let all = status(&Layout::new(&self.folder.dir)?)?;
        if self.json {
            println!("{}", serde_json::to_string_pretty(&all)?);
            return Ok(());
        }
        println!(
            "{:<13} {:>8} {:>8} {:>9} {:>5}  {:<18} services",
            "party", "node", "best", "finalized", "peers", "state root"
        );
        for p in &all {
            let number = |n: Option<u64>| n.map_or("-".to_owned(), |n| n.to_string());
            let services = [
                p.oracle
                    .map(|up| format!("oracle {}", if up { "up" } else { "down" })),
                p.portal
                    .map(|up| format!("portal {}", if up { "up" } else { "down" })),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
            println!(
                "{:<13} {:>8} {:>8} {:>9} {:>5}  {:<18} {}",
                p.name,
                p.node_pid.map_or("down".to_owned(), |pid| pid.to_string()),
                number(p.best),
                number(p.finalized),
                number(p.peers),
                p.state_root
                    .as_deref()
                    .map_or("-".to_owned(), |r| format!("{}…", &r[..16])),
                services
            );
        }
        Ok(())
    }
}

/// Every party's status.
pub fn status(layout: &Layout) -> Result<Vec<PartyStatus>> {
    let Some(made) = layout.made()? else {
        bail!(
            "no network in {} (`gridtrust network up` makes one)",
            layout.root().display()
        );
    };
    let program = this_program()?;
    Ok(PARTIES
        .iter()
        .map(|&name| {
            let node_pid = process::running(&layout.pid_file(name, "node"), NODE_PROGRAM);
            let heads = node_pid
                .and_then(|_| connect(&made, name).ok())
                .and_then(|chain| chain.heads().ok());
            PartyStatus {
                name: name.to_owned(),
                node_pid,
                rpc: made.rpc_url(name),
                best: heads.map(|h| h.best),
                finalized: heads.map(|h| h.finalized),
                finalized_hash: heads.map(|h| hex::encode(h.finalized_hash)),
                state_root: heads.map(|h| hex::encode(h.finalized_state_root)),
                peers: heads.map(|h| h.peers),
                oracle: OPERATORS.contains(&name).then(|| {
                    process::running(&layout.pid_file(name, "oracle"), &program).is_some()
                }),
                portal: (name == PORTAL_PARTY).then(|| {
                    process::running(&layout.pid_file(name, "portal"), &program).is_some()
                }),
            }
        })
        .collect())
}
