//! The embedded chain: drink's in-process runtime (pallet-contracts 31) executing the real contract Wasm.
//!
//! No node, no network: a [`SandboxChain`] is a whole chain state in memory. It keeps its own clock,
//! because building a block makes the sandbox forget the timestamp; [`SandboxChain::next_block`] puts it
//! back.

use drink::pallet_contracts::Pallet as Contracts;
use drink::{
    frame_support::storage::{with_transaction, TransactionOutcome},
    minimal::{MinimalSandbox, RuntimeEvent},
    pallet_contracts::{self, CollectEvents, DebugInfo, Determinism},
    sandbox_api::prelude::*,
    AccountId32, DispatchError, Sandbox, Weight as SandboxWeight,
};
use ink::primitives::AccountId;
use scale::Decode;

use crate::{
    bundle::Bundle,
    client::{
        code_hash, CallOutcome, Chain, ChainError, CodeHash, Effects, Instantiation, Request,
        Weight,
    },
    events::ContractEvent,
    named_account,
};

/// Most weight one call may use: contracts-node 0.42's largest normal-class extrinsic (75 % of a
/// 2·10¹² ref_time block, less the 10 % reserved for block initialization; no proof-size limit on
/// that solo chain). Calls heavier than this could not be included there, so they fail here too.
pub const MAX_CALL_WEIGHT: SandboxWeight = SandboxWeight::from_parts(1_300_000_000_000, u64::MAX);

/// Events a block may collect before the harness clears them.
const EVENTS_BEFORE_RESET: usize = 512;

/// Calls after which the sandbox's pending changes are written into its state (see
/// [`SandboxChain::flush`]).
const CALLS_BEFORE_FLUSH: u32 = 5_000;

/// Start of the sandbox clock: 2026-01-01T00:00:00Z in milliseconds.
pub const GENESIS_TIME_MS: u64 = 1_767_225_600_000;

/// An in-process chain running the contracts' real Wasm.
pub struct SandboxChain {
    sandbox: MinimalSandbox,
    /// Most weight one call may use ([`MAX_CALL_WEIGHT`] unless a test narrows it).
    max_call: SandboxWeight,
    now_ms: u64,
    salt: u64,
    calls_since_flush: u32,
    instantiation_events: Vec<ContractEvent>,
}

impl Default for SandboxChain {
    fn default() -> Self {
        Self::new()
    }
}

fn to_sandbox(account: &AccountId) -> AccountId32 {
    AccountId32::new(*AsRef::<[u8; 32]>::as_ref(account))
}

fn from_sandbox(account: &AccountId32) -> AccountId {
    AccountId::from(*AsRef::<[u8; 32]>::as_ref(account))
}

fn weight(w: SandboxWeight) -> Weight {
    Weight::from_parts(w.ref_time(), w.proof_size())
}

impl SandboxChain {
    /// A fresh chain whose clock reads [`GENESIS_TIME_MS`].
    pub fn new() -> Self {
        let mut chain = Self {
            sandbox: MinimalSandbox::default(),
            max_call: MAX_CALL_WEIGHT,
            now_ms: GENESIS_TIME_MS,
            salt: 0,
            calls_since_flush: 0,
            instantiation_events: Vec::new(),
        };
        chain.sandbox.set_timestamp(GENESIS_TIME_MS);
        chain
    }

    /// The sandbox's pre-funded account.
    pub fn default_actor() -> AccountId {
        from_sandbox(&MinimalSandbox::default_actor())
    }

    /// Adds `amount` to `account`'s free balance.
    pub fn fund(&mut self, account: &AccountId, amount: u128) {
        self.sandbox
            .mint_into(&to_sandbox(account), amount)
            .expect("minting into an account cannot fail in the sandbox");
    }

    /// `account`'s free balance.
    pub fn balance(&mut self, account: &AccountId) -> u128 {
        self.sandbox.free_balance(&to_sandbox(account))
    }

    /// The chain clock in milliseconds.
    pub fn now_ms(&self) -> u64 {
        self.now_ms
    }

    /// Sets the chain clock to `ms`.
    pub fn set_time(&mut self, ms: u64) {
        self.now_ms = ms;
        self.sandbox.set_timestamp(ms);
    }

    /// Moves the chain clock forward by `ms`.
    pub fn advance_time(&mut self, ms: u64) {
        self.set_time(self.now_ms.saturating_add(ms));
    }

    /// Seals the current block and opens the next, keeping the clock.
    pub fn next_block(&mut self) -> u32 {
        let height = self.sandbox.build_block();
        self.sandbox.set_timestamp(self.now_ms);
        height
    }

    /// Current block height.
    pub fn block_number(&mut self) -> u32 {
        self.sandbox.block_number()
    }

    /// The contract events the last successful instantiation emitted (its constructor's).
    pub fn instantiation_events(&self) -> &[ContractEvent] {
        &self.instantiation_events
    }

    /// Narrows the most weight one call may use, as a chain with smaller blocks (a parachain's
    /// proof budget, say) would: heavier calls fail, and batch sizing sees the narrower limit.
    pub fn set_max_call_weight(&mut self, limit: Weight) {
        self.max_call = SandboxWeight::from_parts(limit.ref_time(), limit.proof_size());
    }

    /// Writes the changes made so far into the sandbox's state, which changes nothing a contract sees.
    ///
    /// The sandbox keeps every change since genesis in an overlay over its state, and both sealing a
    /// block (the state root) and clearing a block's events scan the whole overlay: without this,
    /// building 100,000 policies slows down with every policy. ink_sandbox exposes no commit, but its
    /// `dry_run` commits the overlay into the state it then throws away, after saving a copy of that
    /// state with the overlay applied: a dry run of nothing is a commit.
    fn flush(&mut self) {
        self.sandbox.dry_run(|_| ());
        self.calls_since_flush = 0;
    }

    /// Commits a call, then drops the block's events now and then: pallet-contracts hands back
    /// every event of the block so far, and a call's own are those after the ones already there.
    /// Clearing them costs a scan of all state changed in the sandbox, so it happens only now and
    /// then, not per call (per call it made building 100,000 policies quadratic).
    fn commit<R: Decode>(&mut self, request: Request<'_, R>) -> Result<CallOutcome<R>, ChainError> {
        self.calls_since_flush = self.calls_since_flush.saturating_add(1);
        if self.calls_since_flush >= CALLS_BEFORE_FLUSH {
            self.flush();
        }
        let mut earlier = self.sandbox.events().len();
        if earlier > EVENTS_BEFORE_RESET {
            self.sandbox.reset_events();
            earlier = 0;
        }
        call_in(&mut self.sandbox, request, self.max_call, earlier)
    }
}

/// Runs one call with at most `limit` of gas; its events are those after the first `earlier` of the
/// block.
fn call_in<R: Decode>(
    sandbox: &mut MinimalSandbox,
    request: Request<'_, R>,
    limit: SandboxWeight,
    earlier: usize,
) -> Result<CallOutcome<R>, ChainError> {
    let result = sandbox.call_contract(
        to_sandbox(request.contract),
        request.value,
        request.message.data,
        to_sandbox(request.actor),
        limit,
        None,
        Determinism::Enforced,
    );
    outcome(result, earlier)
}

/// Runs a read and then undoes everything it did. pallet-contracts records a `Called` event for
/// every call, a `&self` message's too: reads left in place piled those up in the block, and every
/// later call decoded them all, so each page of the portal cost more than the one before.
fn read_in<R: Decode>(
    sandbox: &mut MinimalSandbox,
    request: Request<'_, R>,
    limit: SandboxWeight,
) -> Result<CallOutcome<R>, ChainError> {
    let (contract, origin) = (to_sandbox(request.contract), to_sandbox(request.actor));
    let (value, data) = (request.value, request.message.data);
    let result = sandbox.execute_with(|| {
        with_transaction(|| {
            let result = Contracts::<Runtime>::bare_call(
                origin,
                contract,
                value,
                limit,
                None,
                data,
                DebugInfo::UnsafeDebug,
                CollectEvents::Skip,
                Determinism::Enforced,
            );
            TransactionOutcome::Rollback(Ok::<_, DispatchError>(result))
        })
    });
    let result = result.map_err(|e| ChainError::Dispatch {
        reason: format!("{e:?}"),
        debug: String::new(),
    })?;
    outcome(result, usize::MAX)
}

/// The answer, weights and (after the block's first `earlier`) contract events of a call's `result`.
fn outcome<R: Decode>(
    result: pallet_contracts::ContractExecResult<u128, EventRecord>,
    earlier: usize,
) -> Result<CallOutcome<R>, ChainError> {
    let debug = String::from_utf8_lossy(&result.debug_message).into_owned();
    let ret = result.result.map_err(|e| ChainError::Dispatch {
        reason: format!("{e:?}"),
        debug,
    })?;
    let answer: Result<R, ink::LangError> = Decode::decode(&mut &ret.data[..])?;
    let value = answer.map_err(ChainError::Lang)?;
    let events = contract_events(result.events, earlier);
    Ok(CallOutcome {
        value,
        weight_consumed: weight(result.gas_consumed),
        weight_required: weight(result.gas_required),
        events,
    })
}

type Runtime = <MinimalSandbox as Sandbox>::Runtime;

/// One event of the sandbox's block, as a call or instantiation result lists them.
type EventRecord = frame_system::EventRecord<RuntimeEvent, <Runtime as frame_system::Config>::Hash>;

/// The contract events among a result's event `records` (every event of the block so far), after the
/// first `earlier` of them.
fn contract_events(records: Option<Vec<EventRecord>>, earlier: usize) -> Vec<ContractEvent> {
    records
        .unwrap_or_default()
        .into_iter()
        .skip(earlier)
        .filter_map(|record| match record.event {
            RuntimeEvent::Contracts(pallet_contracts::Event::ContractEmitted {
                contract,
                data,
            }) => Some(ContractEvent {
                contract: from_sandbox(&contract),
                topics: record.topics.iter().map(|t| t.0).collect(),
                data,
            }),
            _ => None,
        })
        .collect()
}

/// The sandbox as a [`Chain`]: nothing to sign with, money minted on demand, and its own clock (set
/// it with [`SandboxChain::set_time`]).
impl Chain for SandboxChain {
    fn describe(&self) -> String {
        "embedded sandbox (drink, pallet-contracts 31)".to_owned()
    }

    /// A counter: the same code can be instantiated any number of times, at addresses that are the
    /// same from run to run.
    fn next_salt(&mut self) -> Vec<u8> {
        self.salt = self.salt.wrapping_add(1);
        self.salt.to_le_bytes().to_vec()
    }

    fn actor(&mut self, name: &str) -> AccountId {
        named_account(name)
    }

    fn fund(&mut self, account: &AccountId, amount: u128) -> Result<(), ChainError> {
        SandboxChain::fund(self, account, amount);
        Ok(())
    }

    fn balance(&mut self, account: &AccountId) -> Result<u128, ChainError> {
        Ok(SandboxChain::balance(self, account))
    }

    fn now_ms(&mut self) -> Result<u64, ChainError> {
        Ok(self.now_ms)
    }

    fn block_number(&mut self) -> Result<u64, ChainError> {
        Ok(u64::from(SandboxChain::block_number(self)))
    }

    fn upload(&mut self, bundle: &Bundle, actor: &AccountId) -> Result<CodeHash, ChainError> {
        // pallet-contracts answers an upload of code it has with success and no new deposit.
        let hash = code_hash(&bundle.wasm);
        self.sandbox
            .upload_contract(
                bundle.wasm.clone(),
                to_sandbox(actor),
                None,
                Determinism::Enforced,
            )
            .map_err(|e| ChainError::Upload {
                name: bundle.name.clone(),
                reason: format!("{e:?}"),
            })?;
        Ok(hash)
    }

    fn instantiate(&mut self, new: Instantiation<'_>) -> Result<(AccountId, Weight), ChainError> {
        let earlier = self.sandbox.events().len();
        let result = self.sandbox.instantiate_contract(
            new.code_hash.to_vec(),
            new.value,
            new.constructor.data,
            new.salt.to_vec(),
            to_sandbox(new.actor),
            MAX_CALL_WEIGHT,
            None,
        );
        let debug = String::from_utf8_lossy(&result.debug_message).into_owned();
        let ok = result.result.map_err(|e| ChainError::Dispatch {
            reason: format!("{e:?}"),
            debug,
        })?;
        if ok.result.did_revert() {
            return Err(ChainError::ConstructorReverted {
                name: new.name.to_owned(),
                data: ok.result.data,
            });
        }
        self.instantiation_events = contract_events(result.events, earlier);
        Ok((from_sandbox(&ok.account_id), weight(result.gas_consumed)))
    }

    fn code_hash_at(&mut self, address: &AccountId) -> Result<Option<CodeHash>, ChainError> {
        let account = to_sandbox(address);
        Ok(self
            .sandbox
            .execute_with(|| Contracts::<Runtime>::code_hash(&account))
            .map(Into::into))
    }

    /// A read runs in place and is rolled back (a storage transaction: nothing is copied), because
    /// copying the whole state for it would make every query cost as much as the chain is large,
    /// and leaving it in place would leave its `Called` event behind.
    fn execute<R: Decode>(
        &mut self,
        request: Request<'_, R>,
        effects: Effects,
    ) -> Result<CallOutcome<R>, ChainError> {
        let limit = self.max_call;
        match effects {
            Effects::Commit => self.commit(request),
            Effects::Read => read_in(&mut self.sandbox, request, limit),
            Effects::Discard => self.sandbox.dry_run(|sandbox| {
                let earlier = sandbox.events().len();
                call_in(sandbox, request, limit, earlier)
            }),
        }
    }

    fn max_call_weight(&mut self) -> Result<Weight, ChainError> {
        Ok(weight(self.max_call))
    }

    fn next_block(&mut self) -> Result<(), ChainError> {
        SandboxChain::next_block(self);
        Ok(())
    }
}
