//! `gridtrust network up|status|down`: a GridTrust network of four validators on this machine — the
//! grid company, two insurers and the regulator — each with its own folder, keys and ports on
//! 127.0.0.1; the contracts deployed; an oracle daemon at each of the grid company and the insurers,
//! each on its own party's node; the portal reading from the regulator's node. Everything lives in
//! one folder and survives `down` and `up`.
//!
//! Four validators, because GRANDPA finalizes a block once more than two thirds of them voted for
//! it: with four, any one party may be down and the chain still finalizes.

pub mod governance;
pub mod keys;
pub mod layout;
pub mod make;
pub mod process;
pub mod status;

use std::{
    path::{Path, PathBuf},
    process::Command,
    time::{Duration, Instant},
};

use anyhow::{bail, Context, Result};
use gridtrust_chain::{LocalNode, NodeChain, NodeOptions};

use self::{
    layout::{Layout, Made, OPERATORS, PARTIES, PORTAL_PARTY},
    make::Plan,
};

/// The node binary's file name, as its processes show it.
const NODE_PROGRAM: &str = "gridtrust-node";

/// A network of four validators on this machine.
#[derive(Debug, clap::Subcommand)]
pub enum NetworkCommand {
    /// Make the network (first time: keys, chain spec, configurations), start its nodes, deploy the
    /// contracts, start the oracle daemons and the portal. Starts only what is not running.
    Up(UpCommand),
    /// Each party's node (heads, peers) and services.
    Status(status::StatusCommand),
    /// Stop everything the network runs; its folder keeps the chain and the stores.
    Down(DownCommand),
    /// Put a motion to add or remove a validator to the validators (the proposer votes aye).
    ProposeValidator(governance::ProposeCommand),
    /// Vote on a validator motion; once more than half said aye (or it can no longer pass), close it.
    Vote(governance::VoteCommand),
}

impl NetworkCommand {
    /// Runs the subcommand.
    pub fn run(&self) -> Result<()> {
        match self {
            Self::Up(c) => c.run(),
            Self::Status(c) => c.run(),
            Self::Down(c) => c.run(),
            Self::ProposeValidator(c) => c.run(),
            Self::Vote(c) => c.run(),
        }
    }
}

/// Where the network lives.
#[derive(Debug, Clone, clap::Args)]
pub struct Folder {
    /// The network's folder.
    #[arg(long, value_name = "DIR", default_value = "network")]
    pub dir: PathBuf,
}

/// `network up`.
#[derive(Debug, clap::Args)]
pub struct UpCommand {
    #[command(flatten)]
    folder: Folder,
    /// Slot length in milliseconds, when the network is made (a block every slot).
    #[arg(long, default_value_t = 6_000)]
    slot_ms: u64,
    /// Blocks per session, when the network is made (a validator change takes effect within two).
    #[arg(long, default_value_t = 100)]
    session_blocks: u32,
    /// First peer-to-peer port (one per party, in order grid company, insurer A, insurer B,
    /// regulator), when the network is made.
    #[arg(long, default_value_t = 30_400)]
    p2p_port: u16,
    /// First RPC port, when the network is made.
    #[arg(long, default_value_t = 9_951)]
    rpc_port: u16,
    /// First oracle daemon HTTP port, when the network is made.
    #[arg(long, default_value_t = 9_111)]
    oracle_port: u16,
    /// Where the portal listens, when the network is made.
    #[arg(long, default_value = "127.0.0.1:8090")]
    portal: String,
    /// Start only the nodes: no deployment, no oracle daemons, no portal.
    #[arg(long)]
    nodes_only: bool,
    /// Start only this party's node (and, without --nodes-only, its service), as a party that
    /// comes back does.
    #[arg(long, value_name = "NAME", value_parser = clap::builder::PossibleValuesParser::new(PARTIES))]
    party: Option<String>,
}

impl UpCommand {
    /// Makes the network if needed and starts what is not running.
    pub fn run(&self) -> Result<()> {
        let layout = Layout::new(&self.folder.dir)?;
        let node = LocalNode::binary().context(
            "no gridtrust-node binary: `make node` builds and installs it (or set GRIDTRUST_NODE)",
        )?;
        let made = match layout.made()? {
            Some(made) => made,
            None => {
                println!("making a network of four in {}", layout.root().display());
                let plan = Plan {
                    slot_ms: self.slot_ms,
                    session_blocks: self.session_blocks,
                    p2p_base: self.p2p_port,
                    rpc_base: self.rpc_port,
                    oracle_http_base: self.oracle_port,
                    portal: self.portal.clone(),
                };
                make::make(&layout, &node, &plan)?
            }
        };
        let parties: Vec<&str> = match &self.party {
            Some(one) => PARTIES.into_iter().filter(|p| p == one).collect(),
            None => PARTIES.to_vec(),
        };
        for name in &parties {
            start_node(&layout, &made, &node, name)?;
        }
        wait_until_final(
            &layout,
            &made,
            &parties,
            Duration::from_millis(made.slot_ms * 30),
        )?;
        println!("the validators produce and finalize blocks");
        if self.nodes_only {
            return Ok(());
        }
        crate::deploy::run(&layout.deploy_config(), None)?;
        let exe = std::env::current_exe().context("finding this program")?;
        for name in OPERATORS.into_iter().filter(|o| parties.contains(o)) {
            let mut daemon = Command::new(&exe);
            daemon
                .args(["oracle", "run", "--config"])
                .arg(layout.oracle_config(name));
            start_service(&layout, name, "oracle", daemon)?;
        }
        if !parties.contains(&PORTAL_PARTY) {
            return Ok(());
        }
        let mut portal = Command::new(&exe);
        portal
            .args(["portal", "--config"])
            .arg(layout.deploy_config())
            .args(["--url", &made.rpc_url(PORTAL_PARTY)])
            .args(["--listen", &made.portal]);
        start_service(&layout, PORTAL_PARTY, "portal", portal)?;
        println!(
            "the network is up: portal at http://{}/ (from the regulator's node), \
             `gridtrust network status --dir {}` shows it",
            made.portal,
            self.folder.dir.display()
        );
        Ok(())
    }
}

/// Starts party `name`'s validator unless it runs.
pub fn start_node(layout: &Layout, made: &Made, node: &Path, name: &str) -> Result<()> {
    let pid_file = layout.pid_file(name, "node");
    if let Some(pid) = process::running(&pid_file, NODE_PROGRAM) {
        println!("  {name}: node running (pid {pid})");
        return Ok(());
    }
    let mut command = Command::new(node);
    command
        .arg("--chain")
        .arg(layout.raw_spec())
        .arg("--base-path")
        .arg(layout.party(name))
        .arg("--node-key-file")
        .arg(layout.node_key(name))
        .args(["--validator", "--name", name])
        .args(["--port", &made.p2p_port(name).to_string()])
        .args([
            "--public-addr",
            &format!("/ip4/127.0.0.1/tcp/{}", made.p2p_port(name)),
        ])
        .args(["--rpc-port", &made.rpc_port(name).to_string()])
        .args(["--no-prometheus", "--no-telemetry", "--no-mdns"]);
    for bootnode in made.bootnodes_for(name) {
        command.args(["--bootnodes", &bootnode]);
    }
    let pid = process::start(command, &pid_file, &layout.log(name, "node"))?;
    println!(
        "  {name}: node started (pid {pid}, RPC {}, log {})",
        made.rpc_url(name),
        layout.log(name, "node").display()
    );
    Ok(())
}

/// Starts party `name`'s `what` (`oracle`, `portal`) unless it runs.
fn start_service(layout: &Layout, name: &str, what: &str, command: Command) -> Result<()> {
    let pid_file = layout.pid_file(name, what);
    let program = this_program()?;
    if let Some(pid) = process::running(&pid_file, &program) {
        println!("  {name}: {what} running (pid {pid})");
        return Ok(());
    }
    let pid = process::start(command, &pid_file, &layout.log(name, what))?;
    println!(
        "  {name}: {what} started (pid {pid}, log {})",
        layout.log(name, what).display()
    );
    Ok(())
}

/// This program's file name, as its processes show it.
fn this_program() -> Result<String> {
    let exe = std::env::current_exe().context("finding this program")?;
    Ok(exe
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default())
}

/// A client of party `name`'s node that gives up quickly when it is down.
pub fn connect(made: &Made, name: &str) -> Result<NodeChain> {
    let mut options = NodeOptions::new(made.rpc_url(name));
    options.reconnect_for = Duration::from_secs(2);
    NodeChain::connect(options).with_context(|| format!("connecting to {name}'s node"))
}

/// Waits until each of `parties`' nodes finalizes a block it had not finalized when asked first: the
/// nodes are connected and more than two thirds of the validators vote.
pub fn wait_until_final(
    layout: &Layout,
    made: &Made,
    parties: &[&str],
    timeout: Duration,
) -> Result<()> {
    let deadline = Instant::now() + timeout;
    for name in parties {
        let mut chain = None;
        let mut first = None;
        loop {
            if chain.is_none() {
                chain = connect(made, name).ok();
            }
            match chain.as_ref().map(NodeChain::heads) {
                Some(Ok(heads)) => match first {
                    None => first = Some(heads.finalized),
                    Some(before) if heads.finalized > before => break,
                    Some(_) => {}
                },
                Some(Err(_)) => chain = None,
                None => {}
            }
            if Instant::now() >= deadline {
                bail!(
                    "{name}'s node finalized no new block within {timeout:?} (its log: {})",
                    layout.log(name, "node").display()
                );
            }
            std::thread::sleep(Duration::from_millis(500));
        }
    }
    Ok(())
}

/// `network down`.
#[derive(Debug, clap::Args)]
pub struct DownCommand {
    #[command(flatten)]
    folder: Folder,
}

impl DownCommand {
    /// Stops the portal, the daemons, then the nodes.
    pub fn run(&self) -> Result<()> {
        let layout = Layout::new(&self.folder.dir)?;
        if layout.made()?.is_none() {
            bail!("no network in {}", layout.root().display());
        }
        let program = this_program()?;
        let mut stopped = 0;
        stopped += usize::from(process::stop(
            &layout.pid_file(PORTAL_PARTY, "portal"),
            &program,
        )?);
        for name in OPERATORS {
            stopped += usize::from(process::stop(&layout.pid_file(name, "oracle"), &program)?);
        }
        for name in PARTIES {
            stopped += usize::from(process::stop(&layout.pid_file(name, "node"), NODE_PROGRAM)?);
        }
        println!(
            "stopped {stopped} processes; {} keeps the chain and the stores",
            layout.root().display()
        );
        Ok(())
    }
}
