//! One interface to "a chain", whichever it is: the embedded sandbox (`SandboxChain`) or a
//! pallet-contracts node over RPC ([`crate::NodeChain`]).
//!
//! Code written against [`Chain`] runs on both, so a test can run one scenario on each and a program
//! tested on the sandbox deploys to a node unchanged. Calls are the contract crates' own builders ([`crate::Message`]); answers
//! decode into the contracts' own types, errors included.

use ink::primitives::AccountId;
use scale::Decode;

use crate::{
    bundle::{Bundle, BundleError},
    encode::{Constructor, Message},
    events::ContractEvent,
};

/// Computation and proof size a call used or needs, as pallet-contracts counts them: `sp_weights`'
/// `Weight`, declared here so a node client links no runtime crate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Weight {
    ref_time: u64,
    proof_size: u64,
}

impl Weight {
    /// Nothing used.
    pub const fn zero() -> Self {
        Self::from_parts(0, 0)
    }

    /// `ref_time` picoseconds of computation and `proof_size` bytes of proof.
    pub const fn from_parts(ref_time: u64, proof_size: u64) -> Self {
        Self {
            ref_time,
            proof_size,
        }
    }

    /// Computation time, in picoseconds of reference hardware.
    pub const fn ref_time(&self) -> u64 {
        self.ref_time
    }

    /// Bytes of state proof (what a parachain's block must carry).
    pub const fn proof_size(&self) -> u64 {
        self.proof_size
    }
}

/// A code hash: blake2-256 of the Wasm, as pallet-contracts keys uploaded code.
pub type CodeHash = [u8; 32];

/// Why a chain did not give a contract's answer.
///
/// A contract's own refusal is not an error here: it is the message's `Err(..)` value, decoded as the
/// contract's `Error` type, inside [`CallOutcome::value`].
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// A bundle could not be loaded.
    #[error(transparent)]
    Bundle(#[from] BundleError),
    /// Uploading the code was refused by the chain.
    #[error("uploading `{name}` failed: {reason}")]
    Upload {
        /// The contract's name.
        name: String,
        /// The chain's error.
        reason: String,
    },
    /// The runtime refused the call (trapped, out of gas, no such contract, too little balance, ...).
    #[error("the chain refused the call: {reason}{}", debug_suffix(debug))]
    Dispatch {
        /// The runtime's error, by pallet and name where the chain's metadata knows it.
        reason: String,
        /// The contract's debug output, if any.
        debug: String,
    },
    /// The contract answered with an ink! language error (unknown selector, undecodable input).
    #[error("the contract could not dispatch the call: {0:?}")]
    Lang(ink::LangError),
    /// The constructor reverted; `data` is what it returned, which decodes as
    /// `Result<Result<(), Error>, ink::LangError>` with the contract's own `Error`.
    #[error(
        "the constructor of `{name}` reverted (returned 0x{})",
        hex::encode(data)
    )]
    ConstructorReverted {
        /// The contract's name.
        name: String,
        /// The constructor's encoded return value.
        data: Vec<u8>,
    },
    /// The answer did not decode as the message's declared return type.
    #[error("the contract's answer did not decode: {0}")]
    Decode(#[from] scale::Error),
    /// The node could not be reached or the connection broke; worth retrying.
    #[error("node connection: {0}")]
    Connection(String),
    /// A transaction was sent but the connection broke before its inclusion was seen: it may or may
    /// not have been included. Resend only what is safe to repeat (committee votes are).
    #[error("the outcome of the transaction is unknown: {0}")]
    OutcomeUnknown(String),
    /// The node refused the transaction itself (bad nonce, cannot pay fees, invalid).
    #[error("the node refused the transaction: {0}")]
    Rejected(String),
    /// The transaction was not sent: its confirmation ([`NodeOptions::confirm`]) said no, and why.
    ///
    /// [`NodeOptions::confirm`]: crate::NodeOptions::confirm
    #[error("not sent: {0}")]
    Declined(String),
    /// The chain client holds no key for an account asked to sign.
    #[error("no signing key for account {0}: add it with a secret URI first")]
    NoKey(String),
    /// The operation makes no sense on this chain (e.g. minting on a real chain with no faucet).
    #[error("{0}")]
    Unsupported(String),
}

impl ChainError {
    /// Whether trying the same thing again later may succeed (the node was unreachable or busy).
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Connection(_) | Self::OutcomeUnknown(_))
    }
}

fn debug_suffix(debug: &str) -> String {
    if debug.is_empty() {
        String::new()
    } else {
        format!(" (contract debug output: {debug})")
    }
}

/// A contract instantiated on a chain.
#[derive(Debug, Clone)]
pub struct Deployed {
    /// The contract's name (its bundle's).
    pub name: String,
    /// Its address.
    pub address: AccountId,
    /// Hash of its code on chain.
    pub code_hash: CodeHash,
    /// Size of its optimized Wasm code in bytes.
    pub code_bytes: usize,
    /// Weight the instantiation used.
    pub weight: Weight,
}

/// What a message call returned, with its cost and effects.
#[derive(Debug, Clone)]
pub struct CallOutcome<R> {
    /// The message's answer, decoded as its declared return type.
    pub value: R,
    /// Weight the call consumed.
    pub weight_consumed: Weight,
    /// Weight a caller must offer for the call to succeed (at least `weight_consumed`).
    pub weight_required: Weight,
    /// Events the contracts emitted (empty when the call reverted).
    pub events: Vec<ContractEvent>,
}

/// One message for a contract: what to send, to whom, from whom, with what attached.
#[derive(Debug)]
pub struct Request<'a, R> {
    /// The contract's address.
    pub contract: &'a AccountId,
    /// The encoded message and the type its answer decodes as.
    pub message: Message<R>,
    /// Who sends it (and, on a node, signs it).
    pub actor: &'a AccountId,
    /// Balance transferred to the contract with the message.
    pub value: u128,
}

impl<'a, R> Request<'a, R> {
    /// `message` for `contract`, from `actor`, with `value` attached.
    pub fn new(
        contract: &'a AccountId,
        message: impl Into<Message<R>>,
        actor: &'a AccountId,
        value: u128,
    ) -> Self {
        Self {
            contract,
            message: message.into(),
            actor,
            value,
        }
    }
}

/// What running a message keeps of what it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effects {
    /// Everything: storage, events, transfers. On a node the message is signed, sent and included.
    Commit,
    /// Nothing: the message runs on a copy of the state, to learn its answer and weight (and, on
    /// the sandbox, its events).
    Discard,
    /// Nothing, and there is nothing to keep: a read-only (`&self`) message, asked for its answer
    /// only. The sandbox runs it in place rather than on a copy of its whole state, so only `&self`
    /// messages may be run this way.
    Read,
}

/// Which code to instantiate, how, and by whom.
#[derive(Debug)]
pub struct Instantiation<'a> {
    /// The contract's name, for errors.
    pub name: &'a str,
    /// The uploaded code.
    pub code_hash: CodeHash,
    /// The constructor call.
    pub constructor: Constructor,
    /// Who instantiates (and pays the deposit).
    pub actor: &'a AccountId,
    /// Balance transferred to the new contract.
    pub value: u128,
    /// Tells instances of the same code apart.
    pub salt: &'a [u8],
}

/// A chain with pallet-contracts that ink! contracts run on.
///
/// Accounts act by their [`AccountId`]; a real chain signs with the key it holds for that account
/// ([`Chain::actor`] makes and registers one), the sandbox needs no keys.
pub trait Chain {
    /// Where the chain is, for messages: `embedded sandbox` or the node's URL.
    fn describe(&self) -> String;

    /// The account named `name`, able to sign on this chain: on a node the sr25519 key derived as
    /// `//name` from the well-known development phrase (so `Alice` is the dev chain's `//Alice`).
    /// Only for development and test chains: such keys are public knowledge.
    fn actor(&mut self, name: &str) -> AccountId;

    /// Gives `account` `amount` (the sandbox mints it; a node transfers it from its faucet account).
    fn fund(&mut self, account: &AccountId, amount: u128) -> Result<(), ChainError>;

    /// `account`'s free balance.
    fn balance(&mut self, account: &AccountId) -> Result<u128, ChainError>;

    /// The chain's clock: the latest block's timestamp in milliseconds.
    fn now_ms(&mut self) -> Result<u64, ChainError>;

    /// The number of the block the chain's state is read at (the latest).
    fn block_number(&mut self) -> Result<u64, ChainError>;

    /// Uploads `bundle`'s code as `actor` unless the chain has it already; returns its hash.
    fn upload(&mut self, bundle: &Bundle, actor: &AccountId) -> Result<CodeHash, ChainError>;

    /// Instantiates uploaded code as the instantiation says; returns the new contract's address and
    /// the weight the constructor used.
    fn instantiate(&mut self, new: Instantiation<'_>) -> Result<(AccountId, Weight), ChainError>;

    /// The code hash of the contract at `address`, or `None` when no contract lives there.
    fn code_hash_at(&mut self, address: &AccountId) -> Result<Option<CodeHash>, ChainError>;

    /// Runs `request` on this chain, keeping what `effects` says of what it does. The one message
    /// path a chain implements; [`Chain::call`] and [`Chain::query`] go through it. A dry run (what a
    /// call would answer and need, `weight_required`, with nothing sent) is `execute(request,
    /// Effects::Discard)`.
    fn execute<R: Decode>(
        &mut self,
        request: Request<'_, R>,
        effects: Effects,
    ) -> Result<CallOutcome<R>, ChainError>;

    /// Calls `message` on `contract` as `actor` with `value` attached, committing its effects (on a
    /// node: signed, sent and included in a block).
    fn call<R: Decode>(
        &mut self,
        contract: &AccountId,
        message: impl Into<Message<R>>,
        actor: &AccountId,
        value: u128,
    ) -> Result<CallOutcome<R>, ChainError> {
        self.execute(
            Request::new(contract, message, actor, value),
            Effects::Commit,
        )
    }

    /// The most weight one transaction may use here: the chain's largest normal-class extrinsic,
    /// bounded by what all normal transactions of a block may use. Batches are sized to fit it.
    fn max_call_weight(&mut self) -> Result<Weight, ChainError>;

    /// Asks `contract` the read-only `message` as `actor`; nothing is committed and nothing is paid.
    fn query<R: Decode>(
        &mut self,
        contract: &AccountId,
        message: impl Into<Message<R>>,
        actor: &AccountId,
    ) -> Result<R, ChainError> {
        Ok(self
            .execute(Request::new(contract, message, actor, 0), Effects::Read)?
            .value)
    }

    /// Lets the chain move on to a new block where that means something (the sandbox seals one; a
    /// node seals blocks by itself).
    fn next_block(&mut self) -> Result<(), ChainError> {
        Ok(())
    }

    /// A salt no instantiation through this client used before.
    fn next_salt(&mut self) -> Vec<u8> {
        fresh_salt()
    }

    /// Uploads (if needed) and instantiates `bundle` as `actor` with a fresh salt.
    fn deploy(
        &mut self,
        bundle: &Bundle,
        constructor: impl Into<Constructor>,
        actor: &AccountId,
        value: u128,
    ) -> Result<Deployed, ChainError> {
        let code_hash = self.upload(bundle, actor)?;
        let salt = self.next_salt();
        let (address, weight) = self.instantiate(Instantiation {
            name: &bundle.name,
            code_hash,
            constructor: constructor.into(),
            actor,
            value,
            salt: &salt,
        })?;
        Ok(Deployed {
            name: bundle.name.clone(),
            address,
            code_hash,
            code_bytes: bundle.wasm.len(),
            weight,
        })
    }
}

/// A salt no earlier deployment used: the process, the time and a counter.
pub fn fresh_salt() -> Vec<u8> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut salt = Vec::with_capacity(28);
    salt.extend_from_slice(&std::process::id().to_le_bytes());
    salt.extend_from_slice(&nanos.to_le_bytes());
    salt.extend_from_slice(&n.to_le_bytes());
    salt
}

/// The code hash pallet-contracts gives `wasm`.
pub fn code_hash(wasm: &[u8]) -> CodeHash {
    crate::blake2_256(wasm)
}
