//! What every role's command needs to talk to a deployment: the deployment configuration (its chain
//! and manifest), an endpoint to use instead, and the account that signs.

use std::path::PathBuf;

use anyhow::{Context, Result};
use gridtrust_chain::{AccountId, Contracts, Key, Manifest, NodeChain};

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
    #[arg(long, value_name = "SURI")]
    pub suri: String,
}

/// A connected session: the chain (able to sign as the signer), the contracts and the signer.
pub struct Connected {
    /// The chain.
    pub chain: NodeChain,
    /// The deployment's contracts.
    pub contracts: Contracts,
    /// The signing account.
    pub signer: AccountId,
}

impl Session {
    /// Reads the manifest, connects and registers the signer's key.
    pub fn connect(&self) -> Result<Connected> {
        let key = Key::from_uri(&self.suri).context("--suri")?;
        let loaded = deploy::load(&self.config)?;
        let manifest = Manifest::read(&loaded.manifest_path)?.with_context(|| {
            format!(
                "no deployment manifest at {} (run `gridtrust deploy` first)",
                loaded.manifest_path.display()
            )
        })?;
        let chain = deploy::connect(&loaded, self.url.as_deref())?;
        let signer = key.account();
        chain.add_key(key);
        Ok(Connected {
            chain,
            contracts: manifest.contracts()?,
            signer,
        })
    }
}
