//! What every role's command needs to talk to a deployment: the deployment configuration (its chain
//! and manifest), an endpoint to use instead, and the account that signs.

use std::path::PathBuf;

use anyhow::{Context, Result};
use gridtrust_chain::{AccountId, Contracts, Key, NodeChain};

use crate::deploy;

/// Where the contracts are and who signs.
#[derive(Debug, Clone, clap::Args)]
pub struct Session {
    /// The deployment configuration whose chain and manifest to use.
    #[arg(long, value_name = "FILE", default_value = "deploy/local.toml")]
    pub config: PathBuf,
    /// The node to talk to, instead of the configuration's.
    #[arg(long, value_name = "WS_URL")]
    pub url: Option<String>,
    /// Who signs: a secret URI (`//Insurer`, a mnemonic), `env:NAME` or `file:PATH` holding one.
    /// Commands that only read need none.
    #[arg(long, value_name = "SURI")]
    pub suri: Option<String>,
    /// Print the result as JSON, for scripts (amounts as strings in the chain's smallest unit).
    #[arg(long)]
    pub json: bool,
}

/// A connected session: the chain (able to sign as the signer), the contracts and the signer.
pub struct Connected {
    /// The chain.
    pub chain: NodeChain,
    /// The deployment's contracts.
    pub contracts: Contracts,
    /// The signing account, when `--suri` named one.
    signer: Option<AccountId>,
}

impl Connected {
    /// The account that signs, or why this command cannot run without one.
    pub fn signer(&self) -> Result<AccountId> {
        self.signer
            .context("this command sends a transaction: say who signs with --suri")
    }

    /// Who asks read-only questions: the signer, or any account (a query signs nothing).
    pub fn asker(&self) -> AccountId {
        self.signer
            .unwrap_or_else(|| gridtrust_chain::named_account("gridtrust-reader"))
    }
}

impl Session {
    /// Prints the result: `value` as JSON with `--json`, else `text` for people.
    pub fn say(&self, value: serde_json::Value, text: impl std::fmt::Display) {
        if self.json {
            println!("{value}");
        } else {
            println!("{text}");
        }
    }

    /// Reads the manifest, connects and registers the signer's key.
    pub fn connect(&self) -> Result<Connected> {
        let key = self
            .suri
            .as_deref()
            .map(|s| Key::from_uri(s).context("--suri"))
            .transpose()?;
        let loaded = deploy::load(&self.config)?;
        let manifest = loaded.manifest()?;
        let chain = deploy::connect(&loaded, self.url.as_deref())?;
        let signer = key.as_ref().map(Key::account);
        if let Some(key) = key {
            chain.add_key(key);
        }
        Ok(Connected {
            chain,
            contracts: manifest.contracts()?,
            signer,
        })
    }
}
