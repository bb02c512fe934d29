//! The chains the node knows, and the genesis of a network made from its parties' keys.
//!
//! - `dev` (also `--dev`): //Alice alone authors; a block is sealed for every transaction and is final
//!   at once; the well-known dev accounts are funded. For development and the end-to-end tests.
//! - `local`: four validators from dev seeds (//GridCompany, //InsurerA, //InsurerB, //Regulator), 6-s
//!   slots, for trying a network on one machine without generating keys.
//! - `gridtrust-node network-spec`: the genesis of a real network from each party's public keys,
//!   which every party checks and starts its node with (`--chain network.json`). A node started
//!   with any other genesis is a different chain: the others refuse to peer with it.

use gridtrust_runtime::{AccountId, Balance, Signature, UNIT, WASM_BINARY};
use sc_service::ChainType;
use serde_json::{json, Value};
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_core::{crypto::Ss58Codec, ed25519, sr25519, Pair, Public};
use sp_runtime::traits::{IdentifyAccount, Verify};

/// A chain spec of this node.
pub type ChainSpec = sc_service::GenericChainSpec;

/// The id of the dev chain, which the service runs with instant seal.
pub const DEV_ID: &str = "gridtrust_dev";

/// Slot length of a network (ms): a block every 6 seconds.
pub const NETWORK_SLOT_MS: u64 = 6_000;
/// Blocks per session of a network: a validator change takes effect within two sessions (20 min).
pub const NETWORK_SESSION_BLOCKS: u32 = 100;

/// A validator of a network: its name, its account (it votes and pays with it) and its session keys.
#[derive(Debug, Clone)]
pub struct Party {
    /// What the party is called (`grid-company`, `insurer-a`, …).
    pub name: String,
    /// Its account.
    pub account: AccountId,
    /// Its block-authoring key.
    pub aura: AuraId,
    /// Its finality-voting key.
    pub grandpa: GrandpaId,
}

impl Party {
    /// A party from `name=ACCOUNT,AURA,GRANDPA` (SS58 public keys, as `gridtrust-node key inspect`
    /// prints them).
    pub fn parse(text: &str) -> Result<Self, String> {
        let (name, keys) = text
            .split_once('=')
            .ok_or_else(|| format!("`{text}`: expected NAME=ACCOUNT,AURA,GRANDPA"))?;
        let keys: Vec<&str> = keys.split(',').map(str::trim).collect();
        let [account, aura, grandpa] = keys[..] else {
            return Err(format!("`{text}`: expected three keys: ACCOUNT,AURA,GRANDPA"));
        };
        let key = |what: &str, ss58: &str| format!("`{text}`: the {what} key `{ss58}` is not SS58");
        Ok(Self {
            name: name.trim().to_owned(),
            account: AccountId::from_ss58check(account).map_err(|_| key("account", account))?,
            aura: sr25519::Public::from_ss58check(aura)
                .map_err(|_| key("Aura (sr25519)", aura))?
                .into(),
            grandpa: ed25519::Public::from_ss58check(grandpa)
                .map_err(|_| key("GRANDPA (ed25519)", grandpa))?
                .into(),
        })
    }

    /// A party whose keys derive from the dev seed `//seed` (never for a real network).
    fn from_seed(name: &str, seed: &str) -> Self {
        Self {
            name: name.to_owned(),
            account: account_from_seed(seed),
            aura: public_from_seed::<sr25519::Public>(seed).into(),
            grandpa: public_from_seed::<ed25519::Public>(seed).into(),
        }
    }
}

/// How a chain keeps time.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// Slot length (ms).
    pub slot_ms: u64,
    /// Blocks per session.
    pub session_blocks: u32,
    /// Whether several blocks may share a slot (dev chains only).
    pub instant_blocks: bool,
}

fn public_from_seed<P: Public>(seed: &str) -> <P::Pair as Pair>::Public {
    P::Pair::from_string(&format!("//{seed}"), None)
        .expect("a dev seed is a valid secret URI")
        .public()
}

fn account_from_seed(seed: &str) -> AccountId {
    <Signature as Verify>::Signer::from(public_from_seed::<sr25519::Public>(seed)).into_account()
}

/// The well-known dev accounts (//Alice … //Ferdie), which tests sign with.
fn dev_accounts() -> Vec<AccountId> {
    ["Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie"]
        .iter()
        .map(|seed| account_from_seed(seed))
        .collect()
}

/// The genesis of a chain run by `parties`, with `endowed` balances and `timing`.
pub fn genesis(parties: &[Party], endowed: &[(AccountId, Balance)], timing: Timing) -> Value {
    json!({
        "balances": { "balances": endowed },
        "validatorSet": {
            "validators": parties.iter().map(|p| p.account.clone()).collect::<Vec<_>>(),
            "slotMillis": timing.slot_ms,
            "sessionBlocks": timing.session_blocks,
            "instantBlocks": timing.instant_blocks,
        },
        "session": {
            "keys": parties
                .iter()
                .map(|p| {
                    (
                        p.account.clone(),
                        p.account.clone(),
                        json!({ "aura": p.aura, "grandpa": p.grandpa }),
                    )
                })
                .collect::<Vec<_>>(),
        },
    })
}

/// A chain spec named `name` (id `id`) for `genesis`.
fn spec(name: &str, id: &str, chain_type: ChainType, genesis: Value) -> Result<ChainSpec, String> {
    let wasm = WASM_BINARY.ok_or("the runtime's Wasm was not built")?;
    let mut properties = sc_chain_spec::Properties::new();
    properties.insert("tokenSymbol".into(), "GRID".into());
    properties.insert("tokenDecimals".into(), 12.into());
    properties.insert("ss58Format".into(), 42.into());
    Ok(ChainSpec::builder(wasm, None)
        .with_name(name)
        .with_id(id)
        .with_chain_type(chain_type)
        .with_genesis_config_patch(genesis)
        .with_properties(properties)
        .build())
}

/// The dev chain: //Alice alone, a block per transaction, dev accounts funded.
pub fn dev() -> Result<ChainSpec, String> {
    let timing = Timing {
        slot_ms: NETWORK_SLOT_MS,
        session_blocks: 600,
        instant_blocks: true,
    };
    let endowed: Vec<(AccountId, Balance)> =
        dev_accounts().into_iter().map(|a| (a, 1u128 << 60)).collect();
    let alice = Party::from_seed("alice", "Alice");
    spec(
        "GridTrust dev",
        DEV_ID,
        ChainType::Development,
        genesis(&[alice], &endowed, timing),
    )
}

/// Four parties from dev seeds, as `make network` names them, for a network on one machine.
pub fn local() -> Result<ChainSpec, String> {
    let parties = [
        Party::from_seed("grid-company", "GridCompany"),
        Party::from_seed("insurer-a", "InsurerA"),
        Party::from_seed("insurer-b", "InsurerB"),
        Party::from_seed("regulator", "Regulator"),
    ];
    let mut endowed: Vec<(AccountId, Balance)> =
        dev_accounts().into_iter().map(|a| (a, 1u128 << 60)).collect();
    endowed.extend(parties.iter().map(|p| (p.account.clone(), 1_000 * UNIT)));
    let timing = Timing {
        slot_ms: NETWORK_SLOT_MS,
        session_blocks: NETWORK_SESSION_BLOCKS,
        instant_blocks: false,
    };
    spec(
        "GridTrust local network",
        "gridtrust_local",
        ChainType::Local,
        genesis(&parties, &endowed, timing),
    )
}

/// A network's chain spec from its parties' keys. `on_one_machine`: a `Local` chain, whose nodes
/// may peer over loopback (a live chain's refuse loopback addresses).
pub fn network(
    name: &str,
    id: &str,
    parties: &[Party],
    endowed: &[(AccountId, Balance)],
    timing: Timing,
    on_one_machine: bool,
) -> Result<ChainSpec, String> {
    if parties.is_empty() {
        return Err("a network needs at least one validator (--validator)".into());
    }
    let chain_type = if on_one_machine {
        ChainType::Local
    } else {
        ChainType::Live
    };
    spec(name, id, chain_type, genesis(parties, endowed, timing))
}
