//! A pallet-contracts node over JSON-RPC, through subxt: a local contracts-node, a public testnet, or a
//! production chain.
//!
//! Every call is first run as a dry run (`ContractsApi_call` at the best block). That gives the weight
//! to offer (what it needed plus [`NodeOptions::gas_margin_pct`]), the contract's answer, and its typed
//! refusal: a message that answers `Err(..)` reverts, so it is returned as that error and never sent
//! (sending it would only cost fees). Otherwise the call is signed, sent, and followed until a block
//! includes it; its events are those of its own extrinsic.
//!
//! Nonces are handed out per account under a lock, so several threads may send as the same account at
//! once (clones of a [`NodeChain`] share the keys, the nonces and the connection). A reserved nonce whose
//! transaction never reached the pool is released by asking the node again next time.
//!
//! Everything is read at the best block (what the node has built on), not the last finalized one.
//! The websocket reconnects by itself when it drops. Reads and dry runs are retried across a reconnect;
//! a transaction already sent when the connection broke is reported as [`ChainError::OutcomeUnknown`],
//! never silently resent.

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
    config::DefaultExtrinsicParamsBuilder,
    dynamic::{At, Value},
    error::DispatchError,
    tx::TxStatus,
    OnlineClient, SubstrateConfig,
};

use crate::{
    bundle::Bundle,
    client::{code_hash, CallOutcome, Chain, ChainError, CodeHash, Weight},
    encode::{Constructor, Message},
    events::ContractEvent,
    keys::Key,
};

type Config = SubstrateConfig;
type Client = OnlineClient<Config>;

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
    /// How long to wait for a transaction to be included before its outcome is reported unknown.
    pub inclusion_timeout: Duration,
    /// How long reads and dry runs keep retrying while the node is unreachable.
    pub reconnect_for: Duration,
}

impl NodeOptions {
    /// Defaults for `url`: 25 % weight margin, 60 s to inclusion, 30 s of reconnect attempts, no faucet.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            faucet: None,
            gas_margin_pct: 25,
            inclusion_timeout: Duration::from_secs(60),
            reconnect_for: Duration::from_secs(30),
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
    keys: Mutex<HashMap<AccountId, Key>>,
    nonces: Mutex<HashMap<AccountId, u64>>,
}

fn connection(e: impl std::fmt::Display) -> ChainError {
    ChainError::Connection(e.to_string())
}

/// Whether a subxt error means the node could not be talked to, as opposed to it answering "no".
///
/// The reconnecting client reports every failed request as a lost connection, including the node's
/// own JSON-RPC error answers (a transaction the pool refuses, a runtime call that fails); those carry
/// jsonrpsee's `ErrorObject`, which is how they are told apart.
fn is_connection_error(e: &subxt::Error) -> bool {
    match e {
        subxt::Error::Io(_) => true,
        subxt::Error::Rpc(rpc) => !rpc.to_string().contains("ErrorObject"),
        other => other.is_disconnected_will_reconnect(),
    }
}

impl NodeChain {
    /// Connects to `options.url` (waiting up to `options.reconnect_for` for the node to answer).
    pub fn connect(options: NodeOptions) -> Result<Self, ChainError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .thread_name("gridtrust-node-client")
            .build()
            .map_err(connection)?;
        let (client, rpc) = runtime.block_on(async {
            let deadline = tokio::time::Instant::now() + options.reconnect_for;
            let reconnecting = loop {
                let attempt = ReconnectingClient::builder()
                    .retry_policy(
                        ExponentialBackoff::from_millis(100).max_delay(Duration::from_secs(2)),
                    )
                    .build(options.url.clone())
                    .await;
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
        let chain = Self {
            inner: Arc::new(Inner {
                runtime,
                client,
                rpc,
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

    /// Runs a read against the node, retrying for `reconnect_for` while the connection is down.
    fn block_on_read<T, F, Fut>(&self, read: F) -> Result<T, ChainError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<T, subxt::Error>>,
    {
        self.inner.runtime.block_on(async {
            let deadline = tokio::time::Instant::now() + self.inner.options.reconnect_for;
            loop {
                match read().await {
                    Ok(v) => return Ok(v),
                    Err(e) if is_connection_error(&e) && tokio::time::Instant::now() < deadline => {
                        tokio::time::sleep(Duration::from_millis(250)).await;
                    }
                    Err(e) if is_connection_error(&e) => return Err(connection(e)),
                    Err(e) => {
                        return Err(ChainError::Dispatch {
                            reason: e.to_string(),
                            debug: String::new(),
                        })
                    }
                }
            }
        })
    }

    /// Calls runtime API `function` with SCALE-encoded `args` at the best block.
    fn state_call(&self, function: &str, args: &[u8]) -> Result<Vec<u8>, ChainError> {
        self.block_on_read(|| async { self.inner.rpc.state_call(function, Some(args), None).await })
    }

    /// A runtime `DispatchError` (SCALE bytes at the front of `bytes`) by pallet and name.
    fn dispatch_error(&self, bytes: &[u8]) -> String {
        match DispatchError::decode_from(bytes, self.inner.client.metadata()) {
            Ok(e) => e.to_string(),
            Err(_) => format!("undecodable dispatch error 0x{}", hex::encode(bytes)),
        }
    }

    /// Dry-runs a contract call as `origin`.
    fn dry_run_call(
        &self,
        origin: &AccountId,
        contract: &AccountId,
        value: u128,
        data: &[u8],
    ) -> Result<DryRun<ExecReturn>, ChainError> {
        let args = (
            origin,
            contract,
            value,
            Option::<RpcWeight>::None,
            Option::<u128>::None,
            data,
        )
            .encode();
        let bytes = self.state_call("ContractsApi_call", &args)?;
        DryRun::decode(&bytes, ExecReturn::decode).map_err(|e| self.dry_run_error(e))
    }

    fn dry_run_error(&self, e: DryRunError) -> ChainError {
        match e {
            DryRunError::Codec(e) => ChainError::Decode(e),
            DryRunError::Dispatch { error, debug } => ChainError::Dispatch {
                reason: self.dispatch_error(&error),
                debug,
            },
        }
    }

    /// Reserves the next nonce of `account`: the larger of what the node expects and what this client
    /// handed out last.
    async fn next_nonce(&self, account: &AccountId) -> Result<u64, ChainError> {
        let on_chain = self
            .inner
            .rpc
            .system_account_next_index(&subxt::utils::AccountId32(*account_bytes(account)))
            .await
            .map_err(connection)?;
        let mut nonces = self.inner.nonces.lock().expect("nonce lock");
        let next = nonces.get(account).copied().unwrap_or(0).max(on_chain);
        nonces.insert(*account, next.saturating_add(1));
        Ok(next)
    }

    fn forget_nonce(&self, account: &AccountId) {
        self.inner
            .nonces
            .lock()
            .expect("nonce lock")
            .remove(account);
    }

    /// Signs `call` as `signer`, sends it and waits until a block includes it; returns its events.
    fn submit(&self, call: &Payload, signer: &AccountId) -> Result<Included, ChainError> {
        let key = self.key(signer)?;
        self.inner.runtime.block_on(async {
            let nonce = self.next_nonce(signer).await?;
            let params = DefaultExtrinsicParamsBuilder::<Config>::new()
                .nonce(nonce)
                .build();
            let signed = self
                .inner
                .client
                .tx()
                .create_signed_offline(call, key.pair(), params)
                .map_err(|e| ChainError::Rejected(e.to_string()))?;
            let mut progress = match signed.submit_and_watch().await {
                Ok(p) => p,
                Err(e) => {
                    // It never reached the pool: the nonce is free again.
                    self.forget_nonce(signer);
                    return Err(if is_connection_error(&e) {
                        connection(e)
                    } else {
                        ChainError::Rejected(e.to_string())
                    });
                }
            };
            let wait = async {
                while let Some(status) = progress.next().await {
                    match status {
                        Err(e) if is_connection_error(&e) => {
                            return Err(ChainError::OutcomeUnknown(e.to_string()))
                        }
                        Err(e) => return Err(ChainError::Rejected(e.to_string())),
                        Ok(TxStatus::InBestBlock(block) | TxStatus::InFinalizedBlock(block)) => {
                            return match block.wait_for_success().await {
                                Ok(events) => Ok(Included::from_events(&events)),
                                Err(subxt::Error::Runtime(e)) => Ok(Included::failed(e)),
                                Err(e) if is_connection_error(&e) => {
                                    Err(ChainError::OutcomeUnknown(e.to_string()))
                                }
                                Err(e) => Err(ChainError::Dispatch {
                                    reason: format!("reading the transaction's events: {e}"),
                                    debug: String::new(),
                                }),
                            };
                        }
                        Ok(TxStatus::Error { message } | TxStatus::Invalid { message }) => {
                            self.forget_nonce(signer);
                            return Err(ChainError::Rejected(message));
                        }
                        Ok(TxStatus::Dropped { message }) => {
                            self.forget_nonce(signer);
                            return Err(ChainError::Rejected(format!("dropped: {message}")));
                        }
                        Ok(_) => continue,
                    }
                }
                Err(ChainError::OutcomeUnknown(
                    "the node stopped reporting the transaction's progress".into(),
                ))
            };
            match tokio::time::timeout(self.inner.options.inclusion_timeout, wait).await {
                Ok(result) => result,
                Err(_) => Err(ChainError::OutcomeUnknown(format!(
                    "not included within {:?}",
                    self.inner.options.inclusion_timeout
                ))),
            }
        })
    }

    /// Weight to offer for a call that needed `required` in the dry run.
    fn with_margin(&self, required: Weight) -> Weight {
        let grow =
            |v: u64| v.saturating_add(v.saturating_mul(self.inner.options.gas_margin_pct) / 100);
        Weight::from_parts(grow(required.ref_time()), grow(required.proof_size()))
    }

    /// Storage as of the best block. subxt's `at_latest` is the latest *finalized* block, which on a
    /// dev node trails the chain by seconds: what was just written would not be seen.
    async fn storage_at_best(
        &self,
    ) -> Result<subxt::storage::Storage<Config, Client>, subxt::Error> {
        let best = self
            .inner
            .rpc
            .chain_get_block_hash(None)
            .await?
            .ok_or_else(|| subxt::Error::Other("the node has no best block".into()))?;
        Ok(self.inner.client.storage().at(best))
    }

    fn storage_value(
        &self,
        pallet: &str,
        entry: &str,
        keys: Vec<Value>,
    ) -> Result<Option<Value<u32>>, ChainError> {
        self.block_on_read(|| {
            let address = subxt::dynamic::storage(pallet, entry, keys.clone());
            async move {
                let storage = self.storage_at_best().await?;
                match storage.fetch(&address).await? {
                    Some(thunk) => Ok(Some(thunk.to_value()?)),
                    None => Ok(None),
                }
            }
        })
    }

    fn storage_exists(&self, pallet: &str, entry: &str, key: Value) -> Result<bool, ChainError> {
        let keys = vec![key];
        self.block_on_read(|| {
            let address = subxt::dynamic::storage(pallet, entry, keys.clone());
            async move {
                let storage = self.storage_at_best().await?;
                let bytes = self.inner.client.storage().address_bytes(&address)?;
                Ok(storage.fetch_raw(bytes).await?.is_some())
            }
        })
    }
}

fn account_bytes(account: &AccountId) -> &[u8; 32] {
    account.as_ref()
}

fn account_value(account: &AccountId) -> Value {
    Value::from_bytes(account_bytes(account))
}

fn multi_address(account: &AccountId) -> Value {
    Value::unnamed_variant("Id", [account_value(account)])
}

fn weight_value(weight: Weight) -> Value {
    Value::named_composite([
        ("ref_time", Value::u128(u128::from(weight.ref_time()))),
        ("proof_size", Value::u128(u128::from(weight.proof_size()))),
    ])
}

fn none() -> Value {
    Value::unnamed_variant("None", [])
}

type Payload = subxt::tx::DefaultPayload<subxt::ext::scale_value::Composite<()>>;

/// What a block recorded for one of our extrinsics.
struct Included {
    /// `Err` with the runtime's error when the extrinsic failed.
    outcome: Result<(), DispatchError>,
    /// Contract events, in order.
    contract_events: Vec<ContractEvent>,
    /// Contracts instantiated, as (deployer, contract).
    instantiated: Vec<(AccountId, AccountId)>,
}

impl Included {
    fn failed(error: DispatchError) -> Self {
        Self {
            outcome: Err(error),
            contract_events: Vec::new(),
            instantiated: Vec::new(),
        }
    }

    fn from_events(events: &subxt::blocks::ExtrinsicEvents<Config>) -> Self {
        let mut included = Self {
            outcome: Ok(()),
            contract_events: Vec::new(),
            instantiated: Vec::new(),
        };
        for event in events.iter().flatten() {
            if event.pallet_name() != "Contracts" {
                continue;
            }
            let mut fields = event.field_bytes();
            match event.variant_name() {
                "ContractEmitted" => {
                    if let Ok((contract, data)) = <([u8; 32], Vec<u8>)>::decode(&mut fields) {
                        included.contract_events.push(ContractEvent {
                            contract: AccountId::from(contract),
                            topics: event.topics().iter().map(|t| t.0).collect(),
                            data,
                        });
                    }
                }
                "Instantiated" => {
                    if let Ok((deployer, contract)) = <([u8; 32], [u8; 32])>::decode(&mut fields) {
                        included
                            .instantiated
                            .push((AccountId::from(deployer), AccountId::from(contract)));
                    }
                }
                _ => {}
            }
        }
        included
    }

    fn is_contract_reverted(&self) -> bool {
        match &self.outcome {
            Err(DispatchError::Module(m)) => m.details().is_ok_and(|d| {
                d.pallet.name() == "Contracts" && d.variant.name == "ContractReverted"
            }),
            _ => false,
        }
    }
}

impl Chain for NodeChain {
    fn describe(&self) -> String {
        format!("node at {}", self.inner.options.url)
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

    fn instantiate(
        &mut self,
        name: &str,
        code_hash: CodeHash,
        constructor: Constructor,
        actor: &AccountId,
        value: u128,
        salt: &[u8],
    ) -> Result<(AccountId, Weight), ChainError> {
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
                let storage = this.storage_at_best().await?;
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

    fn call<R: Decode>(
        &mut self,
        contract: &AccountId,
        message: impl Into<Message<R>>,
        actor: &AccountId,
        value: u128,
    ) -> Result<CallOutcome<R>, ChainError> {
        let message = message.into();
        let dry = self.dry_run_call(actor, contract, value, &message.data)?;
        let answer = decode_answer::<R>(&dry.result.data)?;
        if dry.result.reverted() {
            // The contract refused: its typed error is the answer, and nothing would change on chain.
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

    fn query<R: Decode>(
        &mut self,
        contract: &AccountId,
        message: impl Into<Message<R>>,
        actor: &AccountId,
    ) -> Result<R, ChainError> {
        let message = message.into();
        let dry = self.dry_run_call(actor, contract, 0, &message.data)?;
        decode_answer::<R>(&dry.result.data)
    }
}

/// A message's answer: `Result<R, LangError>` as ink! encodes it.
fn decode_answer<R: Decode>(data: &[u8]) -> Result<R, ChainError> {
    let answer: Result<R, ink::LangError> = Decode::decode(&mut &data[..])?;
    answer.map_err(ChainError::Lang)
}

/// `sp_weights::Weight` as the runtime API encodes it.
#[derive(Encode, Decode, Clone, Copy)]
struct RpcWeight {
    #[codec(compact)]
    ref_time: u64,
    #[codec(compact)]
    proof_size: u64,
}

/// pallet-contracts' `Code`: upload with the call, or use code already on chain.
#[derive(Encode)]
#[allow(dead_code)] // only `Existing` is sent; `Upload` keeps the variant index right
enum RpcCode {
    Upload(Vec<u8>),
    Existing([u8; 32]),
}

/// pallet-contracts' `StorageDeposit`.
#[derive(Decode)]
#[allow(dead_code)] // read to skip past it; the deposit itself is not reported
enum StorageDeposit {
    Refund(u128),
    Charge(u128),
}

/// pallet-contracts' `ExecReturnValue`.
struct ExecReturn {
    flags: u32,
    data: Vec<u8>,
}

impl ExecReturn {
    fn decode(input: &mut &[u8]) -> Result<Self, scale::Error> {
        Ok(Self {
            flags: u32::decode(input)?,
            data: Vec::<u8>::decode(input)?,
        })
    }

    fn reverted(&self) -> bool {
        // `ReturnFlags::REVERT`, the only flag.
        self.flags & 1 == 1
    }
}

/// A decoded `ContractResult` whose execution succeeded.
struct DryRun<T> {
    gas_consumed: Weight,
    gas_required: Weight,
    result: T,
}

enum DryRunError {
    Codec(scale::Error),
    /// The runtime's `DispatchError`, still encoded (it is decoded with the chain's metadata), and the
    /// contract's debug output.
    Dispatch {
        error: Vec<u8>,
        debug: String,
    },
}

impl From<scale::Error> for DryRunError {
    fn from(e: scale::Error) -> Self {
        Self::Codec(e)
    }
}

impl<T> DryRun<T> {
    /// Decodes `ContractResult { gas_consumed, gas_required, storage_deposit, debug_message, result,
    /// .. }`, reading an `Ok` result with `ok`.
    fn decode(
        bytes: &[u8],
        ok: impl FnOnce(&mut &[u8]) -> Result<T, scale::Error>,
    ) -> Result<Self, DryRunError> {
        let input = &mut &bytes[..];
        let consumed = RpcWeight::decode(input)?;
        let required = RpcWeight::decode(input)?;
        StorageDeposit::decode(input)?;
        let debug = String::from_utf8_lossy(&Vec::<u8>::decode(input)?).into_owned();
        match u8::decode(input)? {
            0 => Ok(Self {
                gas_consumed: Weight::from_parts(consumed.ref_time, consumed.proof_size),
                gas_required: Weight::from_parts(required.ref_time, required.proof_size),
                result: ok(input)?,
            }),
            1 => Err(DryRunError::Dispatch {
                error: input.to_vec(),
                debug,
            }),
            _ => Err(DryRunError::Codec("a Result is 0 or 1".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use drink::{frame_support::sp_runtime::DispatchError as RuntimeError, pallet_contracts};

    /// What the runtime API answers, built with pallet-contracts' own types.
    fn encoded(result: Result<pallet_contracts::ExecReturnValue, RuntimeError>) -> Vec<u8> {
        pallet_contracts::ContractExecResult::<u128, ()> {
            gas_consumed: Weight::from_parts(7, 8),
            gas_required: Weight::from_parts(9, 10),
            storage_deposit: pallet_contracts::StorageDeposit::Charge(5),
            debug_message: b"dbg".to_vec(),
            result,
            events: None,
        }
        .encode()
    }

    #[test]
    fn dry_run_answers_decode_as_pallet_contracts_encodes_them() {
        let reverted = pallet_contracts::ExecReturnValue {
            flags: Decode::decode(&mut &1u32.to_le_bytes()[..]).unwrap(),
            data: vec![1, 2, 3],
        };
        let dry = DryRun::decode(&encoded(Ok(reverted)), ExecReturn::decode)
            .ok()
            .expect("an Ok result decodes");
        assert_eq!(dry.gas_consumed, Weight::from_parts(7, 8));
        assert_eq!(dry.gas_required, Weight::from_parts(9, 10));
        assert!(dry.result.reverted());
        assert_eq!(dry.result.data, vec![1, 2, 3]);

        let failed = encoded(Err(RuntimeError::BadOrigin));
        match DryRun::decode(&failed, ExecReturn::decode) {
            Err(DryRunError::Dispatch { error, debug }) => {
                // The error comes first; what follows it (the events) is ignored when decoding.
                assert!(error.starts_with(&RuntimeError::BadOrigin.encode()));
                assert_eq!(debug, "dbg");
            }
            _ => panic!("a dispatch error is reported as one"),
        }
    }
}
