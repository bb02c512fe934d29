//! Who validates, decided by the validators: `network propose-validator` puts a motion to add or
//! remove one before the validators' collective (and votes aye for the proposer), `network vote`
//! votes on it and, once more than half of the validators said aye, closes it so it takes effect.
//! No party alone, and no sudo key, changes the set; a change is in force from the session after
//! next.

use anyhow::{bail, Context, Result};
use gridtrust_chain::{AccountId, Key, NodeChain, NodeOptions, RuntimeEvent};
use serde_json::json;
use subxt::{
    dynamic::Value,
    ext::scale_value::{Composite, ValueDef},
};

use super::{
    layout::{Layout, Made},
    Folder,
};

/// The runtime's validators' collective and the pallet that keeps the set.
const COLLECTIVE: &str = "Validators";
pub(super) const VALIDATOR_SET: &str = "ValidatorSet";
/// Bounds on the motion's call, far above an add or a remove.
const LENGTH_BOUND: u32 = 1_000;
const WEIGHT_BOUND_REF_TIME: u64 = 10_000_000_000;
const WEIGHT_BOUND_PROOF_SIZE: u64 = 1_000_000;

/// Who signs: a party of this folder's network, or a key on a node elsewhere.
#[derive(Debug, clap::Args)]
pub struct Signer {
    /// The party voting (its account key is in its folder).
    #[arg(long = "as", value_name = "PARTY", required_unless_present = "key")]
    party: Option<String>,
    /// The voting validator's account key instead (secret URI, env:NAME or file:PATH), with --url.
    #[arg(long, value_name = "KEY", requires = "url", conflicts_with = "party")]
    key: Option<String>,
    /// The node to send to (default: the party's own).
    #[arg(long, value_name = "WS_URL")]
    url: Option<String>,
}

/// `network propose-validator`.
#[derive(Debug, clap::Args)]
pub struct ProposeCommand {
    #[command(flatten)]
    folder: Folder,
    #[command(flatten)]
    signer: Signer,
    /// Add this account (SS58, or a party's name): it must have set its session keys.
    #[arg(long, value_name = "ACCOUNT", required_unless_present = "remove")]
    add: Option<String>,
    /// Remove this validator (SS58, or a party's name).
    #[arg(long, value_name = "ACCOUNT", conflicts_with = "add")]
    remove: Option<String>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// `network vote`.
#[derive(Debug, clap::Args)]
pub struct VoteCommand {
    #[command(flatten)]
    folder: Folder,
    #[command(flatten)]
    signer: Signer,
    /// The motion's hash, as `propose-validator` printed it.
    #[arg(long, value_name = "HASH")]
    proposal: String,
    /// Vote against (default: for).
    #[arg(long)]
    nay: bool,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// A motion's tally as the collective keeps it.
struct Tally {
    index: u32,
    threshold: u32,
    ayes: u32,
    nays: u32,
}

impl ProposeCommand {
    /// Puts the motion and votes aye as its proposer.
    pub fn run(&self) -> Result<()> {
        let (layout, made) = open(&self.folder)?;
        let (chain, signer) = connect_as(&layout, made.as_ref(), &self.signer)?;
        let (call, who) = match (&self.add, &self.remove) {
            (Some(a), _) => ("add_validator", account(made.as_ref(), a)?),
            (None, Some(r)) => ("remove_validator", account(made.as_ref(), r)?),
            (None, None) => bail!("say --add ACCOUNT or --remove ACCOUNT"),
        };
        let members = members(&chain)?;
        // More than half of the validators, as the runtime's ChangeOrigin requires.
        let threshold = members / 2 + 1;
        let motion = Value::unnamed_variant(
            VALIDATOR_SET,
            [Value::named_variant(
                call,
                [("validator", Value::from_bytes(who))],
            )],
        );
        let events = chain.dispatch(
            COLLECTIVE,
            "propose",
            vec![
                Value::u128(threshold.into()),
                motion,
                Value::u128(LENGTH_BOUND.into()),
            ],
            &signer,
        )?;
        let proposed = find(&events, COLLECTIVE, "Proposed")
            .context("the chain took the motion but reported no `Proposed` event")?;
        let hash = proposed
            .field("proposal_hash")
            .and_then(bytes_of)
            .context("the `Proposed` event has no proposal hash")?;
        let hash_hex = format!("0x{}", hex::encode(&hash));
        let index = proposed
            .field("proposal_index")
            .and_then(|v| v.as_u128())
            .and_then(|n| u32::try_from(n).ok())
            .context("the `Proposed` event has no proposal index")?;
        vote(&chain, &signer, &hash, index, true)?;
        let tally = tally(&chain, &hash)?;
        let what = format!(
            "{} {}",
            if call == "add_validator" {
                "add"
            } else {
                "remove"
            },
            gridtrust_chain::ss58(&who)
        );
        if self.json {
            println!(
                "{}",
                json!({
                    "proposal": hash_hex,
                    "motion": what,
                    "index": tally.as_ref().map(|t| t.index),
                    "ayes": tally.as_ref().map(|t| t.ayes),
                    "threshold": threshold,
                    "validators": members,
                })
            );
        } else {
            println!(
                "motion {hash_hex}: {what}; ayes {} of the {threshold} it needs ({members} validators).\n\
                 Each other validator: gridtrust network vote --proposal {hash_hex} --as PARTY",
                tally.as_ref().map_or(0, |t| t.ayes)
            );
        }
        Ok(())
    }
}

impl VoteCommand {
    /// Votes, and closes the motion once it has its ayes (or can no longer get them).
    pub fn run(&self) -> Result<()> {
        let (layout, made) = open(&self.folder)?;
        let (chain, signer) = connect_as(&layout, made.as_ref(), &self.signer)?;
        let hash = hex::decode(self.proposal.trim_start_matches("0x"))
            .ok()
            .filter(|h| h.len() == 32)
            .context("--proposal: a motion hash is 32 bytes in hex (0x…)")?;
        let Some(open) = tally(&chain, &hash)? else {
            bail!(
                "no open motion {} (closed already, or never made)",
                self.proposal
            );
        };
        vote(&chain, &signer, &hash, open.index, !self.nay)?;
        let tally = tally(&chain, &hash)?.context("the motion closed while voting")?;
        let members = members(&chain)?;
        let decided =
            tally.ayes >= tally.threshold || members.saturating_sub(tally.nays) < tally.threshold;
        let outcome = if decided {
            close(&chain, &signer, &hash, tally.index)?
        } else {
            format!(
                "open: ayes {} of the {} it needs, nays {}",
                tally.ayes, tally.threshold, tally.nays
            )
        };
        if self.json {
            println!(
                "{}",
                json!({
                    "proposal": self.proposal,
                    "ayes": tally.ayes,
                    "nays": tally.nays,
                    "threshold": tally.threshold,
                    "closed": decided,
                    "outcome": outcome,
                })
            );
        } else {
            println!("motion {}: {outcome}", self.proposal);
        }
        Ok(())
    }
}

fn open(folder: &Folder) -> Result<(Layout, Option<Made>)> {
    let layout = Layout::new(&folder.dir)?;
    let made = layout.made()?;
    Ok((layout, made))
}

/// A client of the signer's node, holding the signer's key.
fn connect_as(
    layout: &Layout,
    made: Option<&Made>,
    signer: &Signer,
) -> Result<(NodeChain, AccountId)> {
    let (key, url) = match (&signer.party, &signer.key) {
        (Some(party), _) => {
            let made = made.with_context(|| {
                format!(
                    "no network in {} to find {party} in",
                    layout.root().display()
                )
            })?;
            if !made.parties.iter().any(|p| &p.name == party) {
                bail!("no party `{party}` in {}", layout.root().display());
            }
            let key = Key::from_uri(&format!("file:{}", layout.account_secret(party).display()))?;
            (
                key,
                signer.url.clone().unwrap_or_else(|| made.rpc_url(party)),
            )
        }
        (None, Some(uri)) => (
            Key::from_uri(uri).context("--key")?,
            signer.url.clone().context("--key needs --url")?,
        ),
        (None, None) => bail!("say who votes: --as PARTY, or --key KEY --url WS_URL"),
    };
    let chain = NodeChain::connect(NodeOptions::new(&url))
        .with_context(|| format!("connecting to {url}"))?;
    let account = chain.add_key(key);
    Ok((chain, account))
}

/// An account from SS58 or a party's name.
fn account(made: Option<&Made>, text: &str) -> Result<AccountId> {
    let ss58 = made
        .and_then(|m| m.parties.iter().find(|p| p.name == text))
        .map_or(text, |p| p.account.as_str());
    gridtrust_chain::parse_ss58(ss58)
        .with_context(|| format!("`{text}` is neither an SS58 account nor a party's name"))
}

/// The validators' collective's size.
fn members(chain: &NodeChain) -> Result<u32> {
    let members = chain.storage(COLLECTIVE, "Members", vec![])?;
    let count = members
        .as_ref()
        .map(|v| match &v.value {
            ValueDef::Composite(c) => c.values().count(),
            _ => 0,
        })
        .unwrap_or(0);
    u32::try_from(count).context("too many members")
}

fn vote(chain: &NodeChain, signer: &AccountId, hash: &[u8], index: u32, aye: bool) -> Result<()> {
    chain.dispatch(
        COLLECTIVE,
        "vote",
        vec![
            Value::from_bytes(hash),
            Value::u128(index.into()),
            Value::bool(aye),
        ],
        signer,
    )?;
    Ok(())
}

/// Closes a decided motion; says what came of it.
fn close(chain: &NodeChain, signer: &AccountId, hash: &[u8], index: u32) -> Result<String> {
    let events = chain.dispatch(
        COLLECTIVE,
        "close",
        vec![
            Value::from_bytes(hash),
            Value::u128(index.into()),
            Value::named_composite([
                ("ref_time", Value::u128(WEIGHT_BOUND_REF_TIME.into())),
                ("proof_size", Value::u128(WEIGHT_BOUND_PROOF_SIZE.into())),
            ]),
            Value::u128(LENGTH_BOUND.into()),
        ],
        signer,
    )?;
    if find(&events, COLLECTIVE, "Disapproved").is_some() {
        return Ok("closed: rejected, nothing changes".into());
    }
    let executed = find(&events, COLLECTIVE, "Executed")
        .and_then(|e| e.field("result"))
        .map(|result| match &result.value {
            ValueDef::Variant(v) if v.name == "Ok" => Ok(()),
            other => Err(format!("{other:?}")),
        });
    let change = events.iter().find_map(|e| {
        (e.pallet == VALIDATOR_SET).then(|| {
            let who = e.field("validator").and_then(bytes_of).and_then(|b| {
                <[u8; 32]>::try_from(b)
                    .ok()
                    .map(|a| gridtrust_chain::ss58(&AccountId::from(a)))
            });
            format!("{} {}", e.name, who.unwrap_or_default())
        })
    });
    Ok(match (executed, change) {
        (Some(Ok(())), Some(change)) => {
            format!("closed: approved; {change}, in force from the session after next")
        }
        (Some(Err(why)), _) => format!("closed: approved, but the change failed: {why}"),
        _ => "closed".into(),
    })
}

/// The open motion `hash`'s tally, if it is open.
fn tally(chain: &NodeChain, hash: &[u8]) -> Result<Option<Tally>> {
    let Some(votes) = chain.storage(COLLECTIVE, "Voting", vec![Value::from_bytes(hash)])? else {
        return Ok(None);
    };
    let field = |name: &str| match &votes.value {
        ValueDef::Composite(Composite::Named(fields)) => fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone()),
        _ => None,
    };
    let number = |name: &str| {
        field(name)
            .and_then(|v| v.as_u128())
            .and_then(|n| u32::try_from(n).ok())
    };
    let count = |name: &str| {
        field(name).map_or(0, |v| match v.value {
            ValueDef::Composite(c) => c.values().count() as u32,
            _ => 0,
        })
    };
    Ok(Some(Tally {
        index: number("index").context("a motion's tally without its index")?,
        threshold: number("threshold").context("a motion's tally without its threshold")?,
        ayes: count("ayes"),
        nays: count("nays"),
    }))
}

fn find<'a>(events: &'a [RuntimeEvent], pallet: &str, name: &str) -> Option<&'a RuntimeEvent> {
    events.iter().find(|e| e.pallet == pallet && e.name == name)
}

/// The bytes of a value that is a (nested) sequence of bytes: a hash, an account.
pub(super) fn bytes_of(value: &Value<u32>) -> Option<Vec<u8>> {
    match &value.value {
        ValueDef::Composite(c) => {
            let mut out = Vec::new();
            for v in c.values() {
                match v.as_u128() {
                    Some(b) => out.push(u8::try_from(b).ok()?),
                    None => out.extend(bytes_of(v)?),
                }
            }
            Some(out)
        }
        _ => None,
    }
}
