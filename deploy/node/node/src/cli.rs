//! The command line: `gridtrust-node [--dev | --chain SPEC] [node options]`, or a subcommand.

use crate::chain_spec::{Party, NETWORK_SESSION_BLOCKS, NETWORK_SLOT_MS};

/// gridtrust-node's command line.
#[derive(Debug, clap::Parser)]
#[command(propagate_version = true, args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct Cli {
    /// A subcommand, or none to run the node.
    #[command(subcommand)]
    pub subcommand: Option<Subcommand>,

    /// The node's options (`--dev`, `--chain`, `--base-path`, `--validator`, ports, …).
    #[command(flatten)]
    pub run: sc_cli::RunCmd,
}

/// What the node can do besides running.
#[derive(Debug, clap::Subcommand)]
pub enum Subcommand {
    /// Key tools: generate a node key, generate or inspect keys, insert a session key into the
    /// keystore.
    #[command(subcommand)]
    Key(sc_cli::KeySubcommand),

    /// Print a chain spec (`--chain dev|local|FILE`), `--raw` for the form nodes start from.
    BuildSpec(sc_cli::BuildSpecCmd),

    /// Print the chain spec of a network from its parties' public keys.
    NetworkSpec(NetworkSpecCmd),

    /// Delete the chain's database.
    PurgeChain(sc_cli::PurgeChainCmd),

    /// Export the chain's state at a block as a chain spec.
    ExportState(sc_cli::ExportStateCmd),

    /// Revert the chain by some blocks.
    Revert(sc_cli::RevertCmd),
}

/// `gridtrust-node network-spec`: a network's genesis from its parties' keys.
#[derive(Debug, clap::Args)]
pub struct NetworkSpecCmd {
    /// A validator: `NAME=ACCOUNT,AURA,GRANDPA` with its account (sr25519), Aura (sr25519) and
    /// GRANDPA (ed25519) public keys in SS58; once per party.
    #[arg(long = "validator", value_name = "NAME=ACCOUNT,AURA,GRANDPA", required = true, value_parser = Party::parse)]
    pub validators: Vec<Party>,

    /// An account funded at genesis: `ACCOUNT=TOKENS` (whole tokens); once per account.
    #[arg(long = "endow", value_name = "ACCOUNT=TOKENS")]
    pub endowed: Vec<String>,

    /// The chain's name.
    #[arg(long, default_value = "GridTrust network")]
    pub name: String,

    /// The chain's id (its database folder is named after it).
    #[arg(long, default_value = "gridtrust")]
    pub id: String,

    /// Slot length in milliseconds (a block per slot).
    #[arg(long, default_value_t = NETWORK_SLOT_MS)]
    pub slot_ms: u64,

    /// Blocks per session: a validator change takes effect within two sessions.
    #[arg(long, default_value_t = NETWORK_SESSION_BLOCKS)]
    pub session_blocks: u32,

    /// Every node runs on this machine: the nodes may peer over loopback.
    #[arg(long)]
    pub on_one_machine: bool,
}
