//! What every role's command needs to talk to a deployment: the deployment configuration (its chain
//! and manifest), an endpoint to use instead, the account that signs, and whether to send.
//!
//! Every contract call is dry-run first (the chain client does that to learn its weight and the
//! contract's answer); a call the contract would refuse is never sent. Before a call is signed its
//! preview — contract and message, value, weight and the node's fee estimate — is printed to standard
//! error; `--dry-run` stops there, and at a terminal the command asks before sending (`--yes` does not
//! ask; a script, with no terminal on standard input, is not asked).

use std::{
    collections::HashMap,
    io::{BufRead, IsTerminal, Write},
    path::PathBuf,
    sync::{
        atomic::{AtomicBool, Ordering},
        OnceLock,
    },
};

use anyhow::{Context, Result};
use gridtrust_chain::{
    bundles, ss58, units::tokens, AccountId, CallError, ChainError, Confirm, Contracts, Key,
    NodeChain, Preview,
};
use serde_json::json;

use crate::{actor::Actor, deploy};

/// Why a `--dry-run` sent nothing: the one refusal that is the command doing what it was asked.
const DRY_RUN: &str = "--dry-run: nothing sent";

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
    /// Show what the command would send (contract, message, value, weight, fee) and send nothing.
    #[arg(long, conflicts_with = "yes")]
    pub dry_run: bool,
    /// Send without asking (the command asks only when standard input is a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
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

    /// `who` acting on the deployment over this connection.
    pub fn actor(&mut self, who: AccountId) -> Actor<'_, NodeChain> {
        Actor::new(&mut self.chain, &self.contracts, who)
    }

    /// Who asks read-only questions: the signer, or any account (a query signs nothing).
    pub fn asker(&self) -> AccountId {
        self.signer
            .unwrap_or_else(|| gridtrust_chain::named_account("gridtrust-reader"))
    }

    /// The [`Connected::asker`] acting: for commands that only read.
    pub fn reader(&mut self) -> Actor<'_, NodeChain> {
        let asker = self.asker();
        self.actor(asker)
    }
}

/// The account an SS58 address given on the command line names.
pub fn account(text: &str) -> Result<AccountId> {
    gridtrust_chain::parse_ss58(text).with_context(|| format!("`{text}` is not an SS58 address"))
}

/// The account an SS58 address or a secret URI (`//Alice`, a mnemonic) names.
pub fn account_or_key(text: &str) -> Result<AccountId> {
    match gridtrust_chain::parse_ss58(text) {
        Some(account) => Ok(account),
        None => Ok(Key::from_uri(text)
            .with_context(|| format!("`{text}` is neither an address nor a key"))?
            .account()),
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
        let contracts = manifest.contracts()?;
        let confirm = self.confirmation(&contracts);
        let chain = deploy::connect_confirming(&loaded, self.url.as_deref(), Some(confirm))?;
        let signer = key.as_ref().map(Key::account);
        if let Some(key) = key {
            chain.add_key(key);
        }
        Ok(Connected {
            chain,
            contracts,
            signer,
        })
    }

    /// [`connect`](Self::connect) for a command that sends: the connection and who signs.
    pub fn signing(&self) -> Result<(Connected, AccountId)> {
        let connected = self.connect()?;
        let signer = connected.signer()?;
        Ok((connected, signer))
    }

    /// The question asked before each transaction: print its preview, then stop (`--dry-run`), send
    /// (`--yes`, or no terminal to ask at) or ask (`y` sends it, `a` sends it and the rest).
    fn confirmation(&self, contracts: &Contracts) -> Confirm {
        // The bundles' metadata is read at the first transaction, not by commands that only read.
        let contracts = *contracts;
        let describer = OnceLock::new();
        let (dry_run, json) = (self.dry_run, self.json);
        let ask = !self.yes && std::io::stdin().is_terminal();
        let all = AtomicBool::new(false);
        Confirm::new(move |preview| {
            let names = describer.get_or_init(|| Describer::new(&contracts));
            if dry_run && json {
                println!("{}", names.json(preview));
            } else {
                eprintln!("{}", names.text(preview));
            }
            if dry_run {
                return Err(DRY_RUN.into());
            }
            if !ask || all.load(Ordering::Relaxed) {
                return Ok(());
            }
            eprint!("send it? [y = yes, a = yes to all, N = no] ");
            std::io::stderr().flush().ok();
            let mut answer = String::new();
            std::io::stdin().lock().read_line(&mut answer).ok();
            match answer.trim() {
                "y" | "Y" | "yes" => Ok(()),
                "a" | "A" | "all" => {
                    all.store(true, Ordering::Relaxed);
                    Ok(())
                }
                _ => Err("declined at the prompt".into()),
            }
        })
    }
}

/// Whether `error` is a `--dry-run` having stopped before the first transaction, as asked.
pub fn is_dry_run(error: &anyhow::Error) -> bool {
    error.chain().any(|e| {
        let declined = |c: &ChainError| matches!(c, ChainError::Declined(why) if why == DRY_RUN);
        e.downcast_ref::<ChainError>().is_some_and(declined)
            || e.downcast_ref::<CallError>()
                .is_some_and(|c| matches!(c, CallError::Chain(c) if declined(c)))
    })
}

/// Names a preview's contract and message as the deployment and the bundles' metadata do.
struct Describer {
    contracts: HashMap<AccountId, &'static str>,
    /// Message labels by contract and selector, from the bundles when they are at hand.
    messages: HashMap<(&'static str, [u8; 4]), String>,
}

impl Describer {
    fn new(contracts: &Contracts) -> Self {
        let mut named = vec![
            (contracts.attestations, "attestations"),
            (contracts.insurance, "outage_insurance"),
            (contracts.demand, "demand_response"),
        ];
        named.extend(contracts.reservations.map(|r| (r, "reservations")));
        let mut messages = HashMap::new();
        for &(_, name) in &named {
            for (selector, label) in bundles::message_labels(name).unwrap_or_default() {
                messages.insert((name, selector), label);
            }
        }
        Self {
            contracts: named.into_iter().collect(),
            messages,
        }
    }

    fn names(&self, preview: &Preview) -> (String, String) {
        let contract = self.contracts.get(&preview.contract).copied();
        let message = contract
            .and_then(|c| self.messages.get(&(c, preview.selector)).cloned())
            .unwrap_or_else(|| format!("0x{}", hex::encode(preview.selector)));
        let contract = contract.map_or_else(|| ss58(&preview.contract), str::to_owned);
        (contract, message)
    }

    fn text(&self, preview: &Preview) -> String {
        let (contract, message) = self.names(preview);
        format!(
            "to send: {contract}.{message} signed by {}, value {} tokens, fee ≈ {} tokens, weight ≤ {} ref_time / {} bytes of proof",
            ss58(&preview.signer),
            tokens(preview.value),
            fee(preview.fee),
            preview.weight.ref_time(),
            preview.weight.proof_size(),
        )
    }

    fn json(&self, preview: &Preview) -> serde_json::Value {
        let (contract, message) = self.names(preview);
        json!({ "preview": {
            "contract": contract,
            "address": ss58(&preview.contract),
            "message": message,
            "signer": ss58(&preview.signer),
            "value": preview.value.to_string(),
            "fee": preview.fee.to_string(),
            "ref_time": preview.weight.ref_time(),
            "proof_size": preview.weight.proof_size(),
        }})
    }
}

/// A fee in tokens: to two decimals like every amount, but a fee below a hundredth of a token (most
/// are) to its first significant digits rather than a misleading `0.00`.
fn fee(amount: u128) -> String {
    let shown = tokens(amount);
    if amount == 0 || shown != "0.00" {
        return shown;
    }
    let decimals = gridtrust_chain::units::denomination().decimals as usize;
    // Below a hundredth, so fewer digits than the token has decimals: pad, keep three significant.
    let digits = format!("{amount:0>decimals$}");
    let zeros = digits.len() - digits.trim_start_matches('0').len();
    let kept = digits[..(zeros + 3).min(digits.len())].trim_end_matches('0');
    format!("0.{kept}")
}

#[cfg(test)]
mod tests {
    use gridtrust_chain::{named_account, units::UNIT, Contracts, Preview, Weight};

    use super::Describer;

    #[test]
    fn a_preview_names_contract_and_message_from_the_bundles() {
        let contracts = Contracts {
            attestations: named_account("a"),
            insurance: named_account("i"),
            demand: named_account("d"),
            reservations: None,
        };
        let describe = Describer::new(&contracts);
        let mut preview = Preview {
            contract: contracts.insurance,
            selector: ink::selector_bytes!("create_pool"),
            value: 0,
            signer: named_account("insurer"),
            weight: Weight::from_parts(5_000_000_000, 99_000),
            fee: 1_234_567_890,
        };
        let text = describe.text(&preview);
        assert!(
            text.starts_with("to send: outage_insurance.create_pool signed by 5")
                && text.contains("fee ≈ 0.00123 tokens")
                && text.contains("weight ≤ 5000000000 ref_time / 99000 bytes of proof"),
            "{text}"
        );
        // An unknown message by its selector, an unknown contract by its address.
        preview.selector = [1, 2, 3, 4];
        preview.contract = named_account("elsewhere");
        let json = describe.json(&preview);
        assert_eq!(json["preview"]["message"], "0x01020304");
        assert_eq!(json["preview"]["contract"], json["preview"]["address"]);
        assert_eq!(json["preview"]["fee"], "1234567890");
    }

    #[test]
    fn small_fees_show_their_first_digits_not_zero() {
        assert_eq!(super::fee(0), "0.00");
        assert_eq!(super::fee(3 * UNIT / 2), "1.50");
        assert_eq!(super::fee(UNIT / 100), "0.01");
        assert_eq!(super::fee(1_234_567_890), "0.00123");
        assert_eq!(super::fee(5_000_000), "0.000005");
        assert_eq!(super::fee(1), "0.000000000001");
    }
}
