//! `network status`: for each party, whether its node runs, its best and finalized blocks, the
//! finalized state root (equal roots: the same state) and its peers; whether its oracle daemon and
//! the portal run. `--json` for scripts.

use anyhow::{bail, Result};
use serde::Serialize;

use gridtrust_chain::NodeChain;
use subxt::{dynamic::Value, ext::scale_value::ValueDef};

use super::{
    connect,
    governance::{bytes_of, VALIDATOR_SET},
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
    /// Whether the chain counts its account among the validators (`None`: no node answered).
    pub validator: Option<bool>,
    /// Whether its Aura key authors blocks in the current session (`None`: no node answered).
    pub authoring: Option<bool>,
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
    // One connection per running node: its heads, and from the first that answers, the sets.
    let nodes: Vec<(Option<u32>, Option<NodeChain>)> = PARTIES
        .iter()
        .map(|&name| {
            let pid = process::running(&layout.pid_file(name, "node"), NODE_PROGRAM);
            (pid, pid.and_then(|_| connect(&made, name).ok()))
        })
        .collect();
    let sets = nodes.iter().find_map(|(_, chain)| {
        let chain = chain.as_ref()?;
        Some((
            keys_in(chain, VALIDATOR_SET, "Validators")?,
            keys_in(chain, "Aura", "Authorities")?,
        ))
    });
    Ok(PARTIES
        .iter()
        .zip(nodes)
        .map(|(&name, (node_pid, chain))| {
            let keys = made.parties.iter().find(|p| p.name == name);
            let holds = |set: &Vec<Vec<u8>>, ss58: &str| {
                gridtrust_chain::parse_ss58(ss58)
                    .is_some_and(|k| set.iter().any(|s| s[..] == *AsRef::<[u8]>::as_ref(&k)))
            };
            let heads = chain.and_then(|chain| chain.heads().ok());
            PartyStatus {
                name: name.to_owned(),
                node_pid,
                rpc: made.rpc_url(name),
                best: heads.map(|h| h.best),
                finalized: heads.map(|h| h.finalized),
                finalized_hash: heads.map(|h| hex::encode(h.finalized_hash)),
                state_root: heads.map(|h| hex::encode(h.finalized_state_root)),
                peers: heads.map(|h| h.peers),
                validator: sets
                    .as_ref()
                    .zip(keys)
                    .map(|((validators, _), k)| holds(validators, &k.account)),
                authoring: sets
                    .as_ref()
                    .zip(keys)
                    .map(|((_, authorities), k)| holds(authorities, &k.aura)),
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

/// The 32-byte keys a storage item holds as a list (the validators, the Aura authorities).
fn keys_in(chain: &NodeChain, pallet: &str, entry: &str) -> Option<Vec<Vec<u8>>> {
    let list = chain.storage(pallet, entry, vec![]).ok()??;
    let ValueDef::Composite(items) = &list.value else {
        return None;
    };
    // A bounded vector may come wrapped in a one-field composite.
    let items: Vec<&Value<u32>> = items.values().collect();
    let flat = match items.as_slice() {
        [one] if bytes_of(one).is_none_or(|b| b.len() != 32) => match &one.value {
            ValueDef::Composite(inner) => inner.values().collect(),
            _ => items,
        },
        _ => items,
    };
    flat.into_iter().map(bytes_of).collect()
}
