//! `gridtrust deploy --config FILE`: every contract uploaded, instantiated and wired on a real chain,
//! with the result written to a manifest beside the configuration (`local.toml` →
//! `local.deployment.json`). Running it again reuses what the manifest records and the chain still has.
//!
//! The configuration (see `deploy/local.toml`):
//! ```toml
//! [chain]
//! url = "ws://127.0.0.1:9944"
//! faucet = "//Alice"            # optional: funds accounts on a dev chain
//! finality = "auto"             # optional: done once finalized on chains with several block
//!                               # authors (auto), always (finalized) or once in a block (best)
//! [accounts]
//! utility = "//Alice"           # secret URIs, or env:NAME / file:PATH holding one
//! tourism_authority = "//Eve"
//! kyc = "//Ferdie"
//! [committee]
//! operators = ["//Bob", "//Charlie", "//Dave"]   # SS58 addresses or secret URIs
//! threshold = 2
//! [reservations]
//! min_bond = 100_000_000_000_000
//! ```

use std::{
    path::{Path, PathBuf},
    time::Instant,
};

use anyhow::{bail, Context, Result};
use gridtrust_chain::{
    deployment::{self, Manifest, Plan},
    ss58, units, Confirm, Finality, Key, NodeChain, NodeOptions,
};
use serde::Deserialize;

use crate::session::account_or_key;

/// The deployment configuration file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeployConfig {
    /// The chain to deploy to.
    pub chain: ChainSection,
    /// Who deploys and runs the contracts.
    pub accounts: AccountsSection,
    /// The oracle committee.
    pub committee: CommitteeSection,
    /// Reservations settings.
    #[serde(default)]
    pub reservations: ReservationsSection,
}

/// `[chain]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainSection {
    /// Websocket endpoint.
    pub url: String,
    /// Secret URI of the account that funds others (dev chains only).
    pub faucet: Option<String>,
    /// When a transaction is done and which block reads see: `auto` (default), `best`, `finalized`.
    #[serde(default, deserialize_with = "finality")]
    pub finality: Finality,
}

fn finality<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Finality, D::Error> {
    let name = String::deserialize(d)?;
    name.parse().map_err(serde::de::Error::custom)
}

/// `[accounts]`: secret URIs of the accounts that sign during deployment.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountsSection {
    /// Deploys and owns the contracts; runs the meter-holder schema.
    pub utility: String,
    /// Runs the verified-merchant schema.
    pub tourism_authority: String,
    /// Runs the real-name schema.
    pub kyc: String,
}

/// `[committee]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitteeSection {
    /// Members, by SS58 address or secret URI.
    pub operators: Vec<String>,
    /// Identical reports that make one final.
    pub threshold: u32,
}

/// `[reservations]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReservationsSection {
    /// Least bond a property must hold, in the chain's smallest unit (TOML integers stop at 2⁶³).
    pub min_bond: u64,
}

impl Default for ReservationsSection {
    fn default() -> Self {
        Self {
            min_bond: 100_000_000_000_000,
        }
    }
}

/// The signing keys a configuration names, and the plan they make.
pub struct Loaded {
    /// The configuration.
    pub config: DeployConfig,
    /// Keys of the accounts that sign.
    pub keys: Vec<Key>,
    /// The deployment plan.
    pub plan: Plan,
    /// Where the manifest lives.
    pub manifest_path: PathBuf,
}

impl Loaded {
    /// The manifest `gridtrust deploy` wrote for this configuration, or why there is none.
    pub fn manifest(&self) -> Result<Manifest> {
        Manifest::read(&self.manifest_path)?.with_context(|| {
            format!(
                "no deployment manifest at {} (run `gridtrust deploy` first)",
                self.manifest_path.display()
            )
        })
    }
}

fn key(field: &str, text: &str) -> Result<Key> {
    Key::from_uri(text).with_context(|| format!("accounts.{field}"))
}

/// The manifest path for configuration `config`: same folder, `<stem>.deployment.json`.
pub fn manifest_path(config: &Path) -> PathBuf {
    let stem = config
        .file_stem()
        .map_or("deployment".into(), |s| s.to_string_lossy().into_owned());
    config.with_file_name(format!("{stem}.deployment.json"))
}

/// Reads and checks configuration `path`.
pub fn load(path: &Path) -> Result<Loaded> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the deployment configuration {}", path.display()))?;
    let config: DeployConfig =
        toml::from_str(&text).with_context(|| format!("in {}", path.display()))?;
    let utility = key("utility", &config.accounts.utility)?;
    let authority = key("tourism_authority", &config.accounts.tourism_authority)?;
    let kyc = key("kyc", &config.accounts.kyc)?;
    let operators = config
        .committee
        .operators
        .iter()
        .map(|m| account_or_key(m).context("committee.operators"))
        .collect::<Result<Vec<_>>>()?;
    let threshold = config.committee.threshold;
    if threshold == 0 || threshold as usize > operators.len() {
        bail!(
            "committee.threshold must be between 1 and the number of operators ({}), not {threshold}",
            operators.len()
        );
    }
    let plan = Plan {
        utility: utility.account(),
        operators,
        threshold,
        tourism_authority: authority.account(),
        kyc: kyc.account(),
        min_bond: u128::from(config.reservations.min_bond),
    };
    Ok(Loaded {
        config,
        keys: vec![utility, authority, kyc],
        plan,
        manifest_path: manifest_path(path),
    })
}

/// Connects to the configured chain with the configured keys.
pub fn connect(loaded: &Loaded, url: Option<&str>) -> Result<NodeChain> {
    connect_confirming(loaded, url, None)
}

/// [`connect`], asking `confirm` before each contract call is signed. Amounts read and shown from
/// here on are in the chain's own token ([`units::set_denomination`]).
pub fn connect_confirming(
    loaded: &Loaded,
    url: Option<&str>,
    confirm: Option<Confirm>,
) -> Result<NodeChain> {
    let url = url.unwrap_or(&loaded.config.chain.url);
    let mut options = NodeOptions::new(url);
    options.confirm = confirm;
    options.finality = loaded.config.chain.finality;
    if let Some(faucet) = &loaded.config.chain.faucet {
        options = options.with_faucet(key("faucet", faucet)?);
    }
    let chain = NodeChain::connect(options).with_context(|| format!("connecting to {url}"))?;
    let (decimals, symbol) = chain
        .token()
        .with_context(|| format!("reading the token {url} declares"))?;
    units::Denomination::new(decimals, symbol)
        .and_then(units::set_denomination)
        .map_err(anyhow::Error::msg)?;
    for k in &loaded.keys {
        chain.add_key(k.clone());
    }
    Ok(chain)
}

/// Deploy and wire every contract on a real chain per a configuration file.
#[derive(Debug, clap::Args)]
pub struct DeployCommand {
    /// The deployment configuration (see deploy/local.toml).
    #[arg(long, value_name = "FILE", default_value = "deploy/local.toml")]
    config: PathBuf,
    /// Deploy to this endpoint instead of the configured one.
    #[arg(long, value_name = "WS_URL")]
    url: Option<String>,
}

impl DeployCommand {
    /// Deploys, printing each step and the manifest's contracts.
    pub fn run(&self) -> Result<()> {
        run(&self.config, self.url.as_deref()).map(drop)
    }
}

/// `gridtrust deploy`: deploys per `config_path` (to `url` instead of the configured one, if given).
pub fn run(config_path: &Path, url: Option<&str>) -> Result<Manifest> {
    let loaded = load(config_path)?;
    let mut chain = connect(&loaded, url)?;
    let previous = Manifest::read(&loaded.manifest_path)?;
    println!(
        "deploying to {} ({}), manifest {}{}",
        chain.url(),
        chain.chain_name()?,
        loaded.manifest_path.display(),
        if previous.is_some() {
            " (resuming from it)"
        } else {
            ""
        }
    );
    let started = Instant::now();
    let path = loaded.manifest_path.clone();
    let block_source = chain.clone();
    let mut manifest = deployment::deploy(
        &mut chain,
        &loaded.plan,
        previous,
        |step| println!("  [{:>5.1} s] {step}", started.elapsed().as_secs_f64()),
        |m| {
            let mut m = m.clone();
            m.block = block_source.best_block().unwrap_or(m.block);
            m.write(&path).map_err(|e| e.to_string())
        },
    )?;
    manifest.block = chain.best_block()?;
    manifest
        .write(&loaded.manifest_path)
        .with_context(|| format!("writing {}", loaded.manifest_path.display()))?;
    println!(
        "done in {:.1} s at block {}; utility {}",
        started.elapsed().as_secs_f64(),
        manifest.block,
        ss58(&loaded.plan.utility)
    );
    for (name, record) in &manifest.contracts {
        println!("  {name:<18} {}", record.address);
    }
    Ok(manifest)
}
