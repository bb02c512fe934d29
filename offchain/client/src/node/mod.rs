//! A pallet-contracts node over JSON-RPC, through subxt: a local dev chain, a GridTrust network, a
//! public testnet.
//!
//! Every call is first run as a dry run (`ContractsApi_call` at the block reads see, see below). That gives the weight
//! to offer (what it needed plus [`NodeOptions::gas_margin_pct`]), the contract's answer, and its typed
//! refusal: a message that answers `Err(..)` reverts, so it is returned as that error and never sent
//! (sending it would only cost fees). Otherwise the call is signed, sent, and followed until it is
//! done; its events are those of its own extrinsic.
//!
//! Nonces are handed out per account under a lock, so several threads may send as the same account at
//! once (clones of a [`NodeChain`] share the keys, the nonces and the connection). A reserved nonce whose
//! transaction never reached the pool is released by asking the node again next time.
//!
//! When a transaction is done and which block reads see is the [`Finality`] setting: on a chain with
//! several block authors, a finalized block includes it and reads see the finalized head; on a dev
//! chain, the best block (see [`finality`]). The websocket reconnects by itself when it drops. Reads and dry runs are retried across a reconnect;
//! a transaction already sent when the connection broke is reported as [`ChainError::OutcomeUnknown`],
//! never silently resent.

pub mod finality;
mod limits;
mod preview;
mod rpc;
pub mod runtime;
mod tx;
mod wire;

pub use self::{
    finality::{BlockRef, BlockState, Finality, Heads},
    limits::BlockLimits,
    preview::{Confirm, Preview},
    runtime::RuntimeEvent,
};

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use ink::primitives::AccountId;
use scale::{Decode, Encode};
use subxt::{
    backend::{
        legacy::LegacyRpcMethods,
        rpc::{
            reconnecting_rpc_client::{ExponentialBackoff, RpcClient as ReconnectingClient},
            RpcClient,
        },
    },
    dynamic::{At, Value},
    OnlineClient, SubstrateConfig,
};

use crate::{
    bundle::Bundle,
    client::{
        code_hash, CallOutcome, Chain, ChainError, CodeHash, Effects, Instantiation, Request,
        Weight,
    },
    keys::Key,
};

use self::{
    rpc::connection,
    wire::{
        account_value, decode_answer, multi_address, none, weight_value, DryRun, ExecReturn,
        RpcCode, RpcWeight,
    },
};

pub(crate) type Config = SubstrateConfig;
pub(crate) type Client = OnlineClient<Config>;

/// How to reach and use a node.
#[derive(Debug, Clone)]
pub struct NodeOptions {
    /// The node's websocket RPC endpoint, e.g. `ws://127.0.0.1:9944`.
    pub url: String,
    /// The account [`Chain::fund`] pays from (on a dev chain `//Alice`); `None`: funding is refused.
    pub faucet: Option<Key>,
    /// Extra weight offered over what the dry run needed, in percent: state can change between the
    /// dry run and the block.
    pub gas_margin_pct: u64,
    /// How long to wait for a transaction to be done (included, or finalized: [`Finality`]) before
    /// its outcome is reported unknown.
    pub inclusion_timeout: Duration,
    /// How long reads and dry runs keep retrying while the node is unreachable.
    pub reconnect_for: Duration,
    /// Asked before each contract call is signed, with its fee; `None`: calls are sent unasked.
    pub confirm: Option<Confirm>,
    /// When a transaction is done and which block reads see.
    pub finality: Finality,
}

impl NodeOptions {
    /// Defaults for `url`: 25 % weight margin, 60 s until done, 30 s of reconnect attempts, no faucet,
    /// finality decided by the chain's authorities ([`Finality::Auto`]).
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            faucet: None,
            gas_margin_pct: 25,
            inclusion_timeout: Duration::from_secs(60),
            reconnect_for: Duration::from_secs(30),
            confirm: None,
            finality: Finality::Auto,
        }
    }

    /// The same, with `faucet` paying for [`Chain::fund`].
    pub fn with_faucet(mut self, faucet: Key) -> Self {
        self.faucet = Some(faucet);
        self
    }
}

/// A pallet-contracts node reached over RPC. Cheap to clone; clones share everything.
///
/// Its [`Chain`] methods block the calling thread on the client's own tokio runtime, so call them from
/// plain threads (in async code, from `tokio::task::spawn_blocking`).
#[derive(Clone)]
pub struct NodeChain {
    inner: Arc<Inner>,
}

struct Inner {
    runtime: tokio::runtime::Runtime,
    client: Client,
    rpc: LegacyRpcMethods<Config>,
    options: NodeOptions,
    /// [`NodeOptions::finality`] as decided on connecting: wait for finalized blocks.
    finalized: bool,
    /// The block the last read saw.
    last_read: Mutex<Option<subxt::utils::H256>>,
    /// The block every read sees while a command pins one ([`NodeChain::pin_reads`]).
    pinned: Mutex<Option<subxt::utils::H256>>,
    keys: Mutex<HashMap<AccountId, Key>>,
    nonces: Mutex<HashMap<AccountId, u64>>,
}

impl NodeChain {
    /// Connects to `options.url` (waiting up to `options.reconnect_for` for the node to answer).
    pub fn connect(options: NodeOptions) -> Result<Self, ChainError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .thread_name("node-client")
            .build()
            .map_err(connection)?;
        let (client, rpc) = runtime.block_on(async {
            let deadline = tokio::time::Instant::now() + options.reconnect_for;
            let reconnecting = loop {
                let building = ReconnectingClient::builder()
                    .retry_policy(
                        ExponentialBackoff::from_millis(100).max_delay(Duration::from_secs(2)),
                    )
                    .build(options.url.clone());
                // The reconnecting client's first connection retries by itself, without end when
                // nothing listens: the deadline bounds it.
                let attempt = match tokio::time::timeout_at(deadline, building).await {
                    Ok(built) => built.map_err(|e| e.to_string()),
                    Err(_) => Err("no answer".to_owned()),
                };
                match attempt {
                    Ok(client) => break client,
                    Err(e) if tokio::time::Instant::now() >= deadline => {
                        return Err(ChainError::Connection(format!(
                            "cannot reach {}: {e}",
                            options.url
                        )))
                    }
                    Err(_) => tokio::time::sleep(Duration::from_millis(250)).await,
                }
            };
            let rpc_client = RpcClient::new(reconnecting);
            let client = Client::from_rpc_client(rpc_client.clone())
                .await
                .map_err(connection)?;
            Ok((client, LegacyRpcMethods::new(rpc_client)))
        })?;
        let authors = match options.finality {
            Finality::Auto => runtime.block_on(block_authors(&client))?,
            _ => None,
        };
        let chain = Self {
            inner: Arc::new(Inner {
                runtime,
                client,
                rpc,
                finalized: finality::waits(options.finality, authors),
                last_read: Mutex::new(None),
                pinned: Mutex::new(None),
                keys: Mutex::new(HashMap::new()),
                nonces: Mutex::new(HashMap::new()),
                options,
            }),
        };
        if let Some(faucet) = chain.inner.options.faucet.clone() {
            chain.add_key(faucet);
        }
        Ok(chain)
    }

    /// Lets this client sign as `key`'s account; returns the account.
    pub fn add_key(&self, key: Key) -> AccountId {
        let account = key.account();
        self.inner
            .keys
            .lock()
            .expect("key map lock")
            .insert(account, key);
        account
    }

    /// The node's endpoint.
    pub fn url(&self) -> &str {
        &self.inner.options.url
    }

    /// The chain's token as its properties declare it (`system_properties`): decimal places and
    /// symbol; 12 and `UNIT`, as Substrate assumes, where the chain declares none.
    pub fn token(&self) -> Result<(u32, String), ChainError> {
        let properties =
            self.block_on_read(|| async { self.inner.rpc.system_properties().await })?;
        // A chain with several tokens lists each property as an array; its first is the native one.
        let first = |name: &str| {
            properties.get(name).and_then(|v| match v {
                serde_json::Value::Array(all) => all.first().cloned(),
                one => Some(one.clone()),
            })
        };
        let decimals = first("tokenDecimals")
            .and_then(|v| v.as_u64())
            .map_or(Ok(12), u32::try_from)
            .map_err(|_| {
                ChainError::Unsupported("the chain declares too many token decimals".into())
            })?;
        let symbol = first("tokenSymbol")
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_else(|| "UNIT".to_owned());
        Ok((decimals, symbol))
    }

    /// The chain's name as the node reports it (e.g. `Development`).
    pub fn chain_name(&self) -> Result<String, ChainError> {
        self.block_on_read(|| async { self.inner.rpc.system_chain().await })
    }

    /// The best block's number.
    pub fn best_block(&self) -> Result<u64, ChainError> {
        self.block_on_read(|| async {
            let header = self
                .inner
                .rpc
                .chain_get_header(None)
                .await?
                .ok_or_else(|| subxt::Error::Other("the node has no best block".into()))?;
            Ok(u64::from(header.number))
        })
    }

    fn key(&self, account: &AccountId) -> Result<Key, ChainError> {
        self.inner
            .keys
            .lock()
            .expect("key map lock")
            .get(account)
            .cloned()
            .ok_or_else(|| ChainError::NoKey(crate::ss58(account)))
    }
}

/// How many block authors the chain has now (`Aura.Authorities`); `None` for a chain without Aura.
async fn block_authors(client: &Client) -> Result<Option<u32>, ChainError> {
    let address = subxt::dynamic::storage("Aura", "Authorities", Vec::<Value>::new());
    let Ok(key) = client.storage().address_bytes(&address) else {
        return Ok(None);
    };
    let raw = client
        .storage()
        .at_latest()
        .await
        .map_err(connection)?
        .fetch_raw(key)
        .await
        .map_err(connection)?;
    raw.map(|raw| finality::authority_count(&raw).map_err(ChainError::Decode))
        .transpose()
}

impl Chain for NodeChain {
    fn describe(&self) -> String {
        let counts = if self.inner.finalized {
            "finalized blocks"
        } else {
            "best blocks"
        };
        format!("node at {} ({counts})", self.inner.options.url)
    }

    fn actor(&mut self, name: &str) -> AccountId {
        self.add_key(Key::dev(name))
    }

    fn fund(&mut self, account: &AccountId, amount: u128) -> Result<(), ChainError> {
        let faucet = self.inner.options.faucet.as_ref().ok_or_else(|| {
            ChainError::Unsupported(format!(
                "cannot fund accounts on {}: no faucet account is configured",
                self.inner.options.url
            ))
        })?;
        let call = subxt::dynamic::tx(
            "Balances",
            "transfer_keep_alive",
            vec![multi_address(account), Value::u128(amount)],
        );
        let included = self.submit(&call, &faucet.account())?;
        included.outcome.map_err(|e| ChainError::Dispatch {
            reason: format!("funding failed: {e}"),
            debug: String::new(),
        })
    }

    fn balance(&mut self, account: &AccountId) -> Result<u128, ChainError> {
        let info = self.storage_value("System", "Account", vec![account_value(account)])?;
        // An account the chain never saw has no entry, and so no balance.
        Ok(info
            .as_ref()
            .and_then(|v| v.at("data"))
            .and_then(|d| d.at("free"))
            .and_then(|f| f.as_u128())
            .unwrap_or(0))
    }

    fn now_ms(&mut self) -> Result<u64, ChainError> {
        let now = self.storage_value("Timestamp", "Now", vec![])?;
        now.and_then(|v| v.as_u128())
            .and_then(|v| u64::try_from(v).ok())
            .ok_or_else(|| ChainError::Unsupported("the chain keeps no Timestamp.Now".into()))
    }

    fn block_number(&mut self) -> Result<u64, ChainError> {
        let number = self.storage_value("System", "Number", vec![])?;
        number
            .and_then(|v| v.as_u128())
            .and_then(|v| u64::try_from(v).ok())
            .ok_or_else(|| ChainError::Unsupported("the chain keeps no System.Number".into()))
    }

    fn upload(&mut self, bundle: &Bundle, actor: &AccountId) -> Result<CodeHash, ChainError> {
        let hash = code_hash(&bundle.wasm);
        if self.storage_exists("Contracts", "CodeInfoOf", Value::from_bytes(hash))? {
            return Ok(hash);
        }
        let call = subxt::dynamic::tx(
            "Contracts",
            "upload_code",
            vec![
                Value::from_bytes(&bundle.wasm),
                none(),
                Value::unnamed_variant("Enforced", []),
            ],
        );
        let included = self.submit(&call, actor)?;
        included.outcome.map_err(|e| ChainError::Upload {
            name: bundle.name.clone(),
            reason: e.to_string(),
        })?;
        Ok(hash)
    }

    fn instantiate(&mut self, new: Instantiation<'_>) -> Result<(AccountId, Weight), ChainError> {
        let Instantiation {
            name,
            code_hash,
            constructor,
            actor,
            value,
            salt,
        } = new;
        // Dry run first: the weight to offer, and a constructor that reverts is never sent.
        let args = (
            actor,
            value,
            Option::<RpcWeight>::None,
            Option::<u128>::None,
            RpcCode::Existing(code_hash),
            &constructor.data,
            salt,
        )
            .encode();
        let bytes = self.state_call("ContractsApi_instantiate", &args)?;
        let dry = DryRun::decode(&bytes, |b| {
            let result = ExecReturn::decode(b)?;
            let account = <[u8; 32]>::decode(b)?;
            Ok((result, account))
        })
        .map_err(|e| self.dry_run_error(e))?;
        if dry.result.0.reverted() {
            return Err(ChainError::ConstructorReverted {
                name: name.to_owned(),
                data: dry.result.0.data,
            });
        }
        let call = subxt::dynamic::tx(
            "Contracts",
            "instantiate",
            vec![
                Value::u128(value),
                weight_value(self.with_margin(dry.gas_required)),
                none(),
                Value::from_bytes(code_hash),
                Value::from_bytes(&constructor.data),
                Value::from_bytes(salt),
            ],
        );
        let included = self.submit(&call, actor)?;
        if let Err(e) = &included.outcome {
            return Err(ChainError::Dispatch {
                reason: format!("instantiating `{name}`: {e}"),
                debug: String::new(),
            });
        }
        let address = included
            .instantiated
            .iter()
            .find(|(deployer, _)| deployer == actor)
            .map(|(_, contract)| *contract)
            .unwrap_or_else(|| AccountId::from(dry.result.1));
        Ok((address, dry.gas_consumed))
    }

    fn code_hash_at(&mut self, address: &AccountId) -> Result<Option<CodeHash>, ChainError> {
        let keys = vec![account_value(address)];
        let this: &Self = self;
        let raw = this.block_on_read(|| {
            let address = subxt::dynamic::storage("Contracts", "ContractInfoOf", keys.clone());
            async move {
                let storage = this.storage_at_head().await?;
                let bytes = this.inner.client.storage().address_bytes(&address)?;
                storage.fetch_raw(bytes).await
            }
        })?;
        // ContractInfo starts with the trie id (bytes) and then the code hash.
        raw.map(|bytes| {
            <(Vec<u8>, [u8; 32])>::decode(&mut &bytes[..])
                .map(|(_, hash)| hash)
                .map_err(ChainError::Decode)
        })
        .transpose()
    }

    fn execute<R: Decode>(
        &mut self,
        request: Request<'_, R>,
        effects: Effects,
    ) -> Result<CallOutcome<R>, ChainError> {
        let Request {
            contract,
            message,
            actor,
            value,
        } = request;
        let dry = self.dry_run_call(actor, contract, value, &message.data)?;
        let answer = decode_answer::<R>(&dry.result.data)?;
        if effects != Effects::Commit || dry.result.reverted() {
            // The dry run is all that was asked; or the contract refused, its typed error is the
            // answer, and nothing would change on chain.
            return Ok(CallOutcome {
                value: answer,
                weight_consumed: dry.gas_consumed,
                weight_required: dry.gas_required,
                events: Vec::new(),
            });
        }
        let call = subxt::dynamic::tx(
            "Contracts",
            "call",
            vec![
                multi_address(contract),
                Value::u128(value),
                weight_value(self.with_margin(dry.gas_required)),
                none(),
                Value::from_bytes(&message.data),
            ],
        );
        if let Some(confirm) = &self.inner.options.confirm {
            let preview = Preview {
                contract: *contract,
                selector: message
                    .data
                    .get(..4)
                    .and_then(|s| s.try_into().ok())
                    .unwrap_or_default(),
                value,
                signer: *actor,
                weight: self.with_margin(dry.gas_required),
                fee: self.fee_estimate(&call, actor)?,
            };
            confirm.decide(&preview).map_err(ChainError::Declined)?;
        }
        let included = self.submit(&call, actor)?;
        if included.is_contract_reverted() {
            // The state moved between the dry run and the block (another transaction came first):
            // ask again, now, for the contract's reason.
            let again = self.dry_run_call(actor, contract, value, &message.data)?;
            if again.result.reverted() {
                return Ok(CallOutcome {
                    value: decode_answer::<R>(&again.result.data)?,
                    weight_consumed: again.gas_consumed,
                    weight_required: again.gas_required,
                    events: Vec::new(),
                });
            }
        }
        if let Err(e) = included.outcome {
            return Err(ChainError::Dispatch {
                reason: e.to_string(),
                debug: String::new(),
            });
        }
        Ok(CallOutcome {
            value: answer,
            weight_consumed: dry.gas_consumed,
            weight_required: dry.gas_required,
            events: included.contract_events,
        })
    }

    fn max_call_weight(&mut self) -> Result<Weight, ChainError> {
        let limits = self.block_limits()?;
        Ok(Weight::from_parts(
            limits
                .max_extrinsic
                .ref_time()
                .min(limits.normal_total.ref_time()),
            limits
                .max_extrinsic
                .proof_size()
                .min(limits.normal_total.proof_size()),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connecting_where_nothing_listens_gives_up_at_the_deadline() {
        // A port that was free a moment ago: nothing answers there.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut options = NodeOptions::new(format!("ws://127.0.0.1:{port}"));
        options.reconnect_for = Duration::from_secs(1);
        let started = std::time::Instant::now();
        let refused = NodeChain::connect(options)
            .err()
            .expect("nothing listens there");
        assert!(matches!(refused, ChainError::Connection(_)), "{refused}");
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "gave up only after {:?}",
            started.elapsed()
        );
    }
}
