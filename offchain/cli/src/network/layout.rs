//! Where a network on this machine keeps everything: one folder per party (its node's database,
//! keystore and node key, its account's secret, its oracle's store), the chain spec, the deployment
//! configuration and what the network was made with (`network.json`).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

/// The parties, in the order their ports are numbered: the grid company, two insurers, the regulator.
pub const PARTIES: [&str; 4] = ["grid-company", "insurer-a", "insurer-b", "regulator"];

/// The parties that run an oracle daemon, one committee operator each; the regulator runs the portal.
pub const OPERATORS: [&str; 3] = ["grid-company", "insurer-a", "insurer-b"];

/// The party whose node the portal reads from.
pub const PORTAL_PARTY: &str = "regulator";

/// What a network was made with, kept in `network.json` so `up` after `down` starts the same one.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Made {
    /// Slot length (ms).
    pub slot_ms: u64,
    /// The first party's peer-to-peer port; party `i` listens on `p2p_base + i`.
    pub p2p_base: u16,
    /// The first party's RPC port; party `i` serves RPC on `rpc_base + i`.
    pub rpc_base: u16,
    /// The first oracle daemon's HTTP port; operator `k` serves on `oracle_http_base + k`.
    pub oracle_http_base: u16,
    /// Where the portal listens.
    pub portal: String,
    /// The validators' public keys and peer ids.
    pub parties: Vec<PartyKeys>,
}

/// A party's public keys: what the others put in the chain spec and bootnode lists.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PartyKeys {
    /// `grid-company`, `insurer-a`, …
    pub name: String,
    /// Its account (SS58).
    pub account: String,
    /// Its Aura (block authoring) key, SS58.
    pub aura: String,
    /// Its GRANDPA (finality voting) key, SS58.
    pub grandpa: String,
    /// Its node's libp2p identity.
    pub peer_id: String,
}

/// The folder of a network on this machine.
#[derive(Debug, Clone)]
pub struct Layout {
    root: PathBuf,
}

impl Layout {
    /// The network kept under `root` (made absolute: the daemons start elsewhere).
    pub fn new(root: &Path) -> Result<Self> {
        let root =
            std::path::absolute(root).with_context(|| format!("resolving {}", root.display()))?;
        Ok(Self { root })
    }

    /// The network's folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A party's folder: its node's base path, secrets and logs.
    pub fn party(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    /// A party's account secret (a secret phrase; readable by its owner only).
    pub fn account_secret(&self, name: &str) -> PathBuf {
        self.party(name).join("account.secret")
    }

    /// The secret phrase of a party's session keys (Aura and GRANDPA).
    pub fn session_secret(&self, name: &str) -> PathBuf {
        self.party(name).join("session.secret")
    }

    /// A party's libp2p node key.
    pub fn node_key(&self, name: &str) -> PathBuf {
        self.party(name).join("node.key")
    }

    /// The secret of the oracle operator a party runs.
    pub fn operator_secret(&self, name: &str) -> PathBuf {
        self.party(name).join("operator.secret")
    }

    /// The configuration of the oracle daemon a party runs.
    pub fn oracle_config(&self, name: &str) -> PathBuf {
        self.party(name).join("oracle.toml")
    }

    /// The process id file of `process` (`node`, `oracle`, `portal`) of a party.
    pub fn pid_file(&self, name: &str, process: &str) -> PathBuf {
        self.party(name).join(format!("{process}.pid"))
    }

    /// The log of `process` of a party.
    pub fn log(&self, name: &str, process: &str) -> PathBuf {
        self.party(name).join(format!("{process}.log"))
    }

    /// The chain spec before `--raw`, as the parties read and agree on it.
    pub fn plain_spec(&self) -> PathBuf {
        self.root.join("chain-spec.json")
    }

    /// The raw chain spec every node starts from.
    pub fn raw_spec(&self) -> PathBuf {
        self.root.join("chain-spec.raw.json")
    }

    /// The deployment configuration (`gridtrust deploy --config`).
    pub fn deploy_config(&self) -> PathBuf {
        self.root.join("network.toml")
    }

    /// What the network was made with.
    pub fn made_file(&self) -> PathBuf {
        self.root.join("network.json")
    }

    /// What the network was made with, if it was made.
    pub fn made(&self) -> Result<Option<Made>> {
        let path = self.made_file();
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text)
                .with_context(|| format!("reading {}", path.display()))
                .map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }
}

impl Made {
    /// Party `name`'s index in [`PARTIES`] order.
    pub fn index(&self, name: &str) -> usize {
        self.parties
            .iter()
            .position(|p| p.name == name)
            .unwrap_or_default()
    }

    /// Party `name`'s peer-to-peer port.
    pub fn p2p_port(&self, name: &str) -> u16 {
        self.p2p_base + self.index(name) as u16
    }

    /// Party `name`'s RPC port.
    pub fn rpc_port(&self, name: &str) -> u16 {
        self.rpc_base + self.index(name) as u16
    }

    /// Party `name`'s RPC endpoint.
    pub fn rpc_url(&self, name: &str) -> String {
        format!("ws://127.0.0.1:{}", self.rpc_port(name))
    }

    /// The other parties' nodes, as `--bootnodes` takes them.
    pub fn bootnodes_for(&self, name: &str) -> Vec<String> {
        self.parties
            .iter()
            .filter(|p| p.name != name)
            .map(|p| {
                format!(
                    "/ip4/127.0.0.1/tcp/{}/p2p/{}",
                    self.p2p_port(&p.name),
                    p.peer_id
                )
            })
            .collect()
    }
}
