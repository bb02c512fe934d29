//! The test kit: shared set-up for the scenarios in `tests/tests/` and for the oracle's and the
//! command's tests — named actors and deployed contracts on the embedded sandbox chain (which runs the
//! real contract Wasm built by `make contracts`), the HTTP helper, token units and lengths of time.
//!
//! The harness itself (bundles, deploying, funding, time, typed calls and events) is
//! `gridtrust_chain::SandboxChain`, shared with the `gridtrust demo`.
//!
//! - [`fixtures`]: deployed contracts several crates' tests start from.
//! - [`http`]: hand-written HTTP requests to a daemon on localhost.
//! - [`browser`]: a real headless Chromium driven over WebDriver.
pub mod browser;
pub mod fixtures;
pub mod http;

pub use gridtrust_chain::{
    encode::call_builder,
    events::decode_all,
    named_account,
    units::{MILLI_UNIT, UNIT},
    AccountId, Chain, DeployNamed, Grid, Lodging, Message, SandboxChain,
};
pub use gridtrust_common::time::{DAY_MS, HOUR_MS, MINUTE_MS};
/// The contract's error code a refused call carries (`NotMeterHolder`, `SoldOut { night: 3, .. }`);
/// panics on anything but a refusal, which a test expecting one must not get.
pub fn refusal(e: gridtrust_chain::CallError) -> String {
    match e {
        gridtrust_chain::CallError::Refused { error, .. } => error.code(),
        other => panic!("expected a refusal, got {other}"),
    }
}

/// What each named actor is given to pay fees, deposits and premiums with.
pub const STARTING_BALANCE: u128 = 1_000_000_000_000_000_000_000;

/// A sandbox chain with funded named actors.
pub struct World {
    /// The chain.
    pub chain: SandboxChain,
}

impl World {
    /// A fresh chain.
    pub fn new() -> Self {
        Self {
            chain: SandboxChain::new(),
        }
    }

    /// The account called `name`, funded on first use.
    pub fn actor(&mut self, name: &str) -> AccountId {
        let account = named_account(name);
        if self.chain.balance(&account) == 0 {
            self.chain.fund(&account, STARTING_BALANCE);
        }
        account
    }

    /// Calls `msg` on `contract` as `who` with `value`, and returns the contract's answer; panics when
    /// the chain itself refuses the call (a test bug, not a contract refusal).
    pub fn send<R: scale::Decode>(
        &mut self,
        contract: &AccountId,
        who: &AccountId,
        msg: impl Into<Message<R>>,
        value: u128,
    ) -> R {
        self.chain
            .call(contract, msg, who, value)
            .expect("the chain accepts the call")
            .value
    }

    /// Asks `contract` the read-only `msg`.
    pub fn read<R: scale::Decode>(
        &mut self,
        contract: &AccountId,
        msg: impl Into<Message<R>>,
    ) -> R {
        let anyone = named_account("reader");
        self.chain
            .query(contract, msg, &anyone)
            .expect("the query answers")
    }

    /// Deploys the attestations contract as `deployer` and returns its address.
    pub fn deploy_attestations(&mut self, deployer: &AccountId) -> AccountId {
        self.chain
            .deploy_named(
                "attestations",
                attestations::AttestationsRef::new(),
                deployer,
            )
            .expect("the attestations bundle deploys (run `make contracts` first)")
            .address
    }
}

impl World {
    /// Every contract deployed as "utility", with a 2-of-3 committee of "operator-1..3".
    pub fn deploy_grid(&mut self) -> Grid {
        let utility = self.actor("utility");
        let operators = (1..=3)
            .map(|i| self.actor(&format!("operator-{i}")))
            .collect();
        Grid::deploy(&mut self.chain, utility, operators, 2)
            .expect("the contracts deploy and wire up (run `make contracts` first)")
    }

    /// The utility attests that `holder` holds `meter` on `feeder`.
    pub fn attest_meter(&mut self, grid: &Grid, holder: AccountId, meter: u64, feeder: u32) -> u64 {
        grid.attest_meter(&mut self.chain, holder, meter, feeder)
            .expect("meter attested")
    }
}

impl World {
    /// The reservations contract owned by "utility", asking the grid's attestations contract; merchants
    /// are attested by "tourism-board" and real names by "kyc-provider".
    pub fn deploy_lodging(&mut self, grid: &Grid, min_bond: u128) -> Lodging {
        let owner = self.actor("utility");
        let authority = self.actor("tourism-board");
        let kyc = self.actor("kyc-provider");
        Lodging::deploy(
            &mut self.chain,
            grid.attestations.address,
            owner,
            authority,
            kyc,
            min_bond,
        )
        .expect("the reservations contract deploys (run `make contracts` first)")
    }
}

/// A scenario around one deployed contract: say which contract and where it lives, and get its typed
/// call builder, `send` and `read` for free.
pub trait Scenario {
    /// The contract's storage type, e.g. `reservations::Reservations`.
    type Contract: ink::codegen::ContractCallBuilder<
        Type: ink::env::call::FromAccountId<ink::env::DefaultEnvironment>,
    >;

    /// The world the contract lives in.
    fn world(&mut self) -> &mut World;

    /// The contract's address.
    fn contract(&self) -> AccountId;

    /// The contract's call builder: each method gives a message for `send` or `read`.
    fn api(&self) -> <Self::Contract as ink::codegen::ContractCallBuilder>::Type {
        call_builder::<Self::Contract>(self.contract())
    }

    /// Calls `msg` as `who` with `value` and returns the contract's answer (see [`World::send`]).
    fn send<R: scale::Decode>(
        &mut self,
        who: AccountId,
        msg: impl Into<Message<R>>,
        value: u128,
    ) -> R {
        let contract = self.contract();
        self.world().send(&contract, &who, msg, value)
    }

    /// Asks the read-only `msg`.
    fn read<R: scale::Decode>(&mut self, msg: impl Into<Message<R>>) -> R {
        let contract = self.contract();
        self.world().read(&contract, msg)
    }
}

/// Implements [`Scenario`] for a struct with a `world: World` field: `scenario!(Setup, DemandResponse,
/// |s| s.grid.demand.address)` names the contract's storage type and where its address is kept. Every
/// scenario of the test suites states only these two facts, so the impl is written once here.
#[macro_export]
macro_rules! scenario {
    ($scenario:ty, $contract:ty, |$s:ident| $address:expr) => {
        impl $crate::Scenario for $scenario {
            type Contract = $contract;

            fn world(&mut self) -> &mut $crate::World {
                &mut self.world
            }

            fn contract(&self) -> $crate::AccountId {
                let $s = self;
                $address
            }
        }
    };
}

/// xorshift64*: small, deterministic, good enough to pick operations in the random walks.
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed` (any value; zero is made odd).
    pub fn new(seed: u64) -> Self {
        Self(seed | 1)
    }
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
    /// One of `items`.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

/// A random walk over one contract, checked against a model of what the contract should hold.
pub trait RandomWalk {
    /// One random operation, made on the chain and in the model.
    fn step(&mut self);
    /// What must hold after every step (cheap: balances and open records).
    fn check_money(&mut self);
    /// What must hold across every record (dear: made every so many steps and at the end).
    fn sweep(&mut self);
}

/// Walks `steps` random steps from the walk `new(seed)` makes, checking money after each and sweeping
/// every `sweep_every` steps and at the end. The seed is `GRIDTRUST_SEED` when set, else `default_seed`;
/// a failure names its step and seed so it can be replayed.
pub fn walk<W: RandomWalk>(
    default_seed: u64,
    steps: usize,
    sweep_every: usize,
    new: impl FnOnce(u64) -> W,
) -> W {
    let seed = std::env::var("GRIDTRUST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default_seed);
    let mut walk = new(seed);
    for i in 0..steps {
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            walk.step();
            walk.check_money();
            if i % sweep_every == sweep_every - 1 || i == steps - 1 {
                walk.sweep();
            }
        }));
        if let Err(e) = result {
            eprintln!("failed at step {i} with GRIDTRUST_SEED={seed}");
            std::panic::resume_unwind(e);
        }
    }
    walk
}

impl Default for World {
    fn default() -> Self {
        Self::new()
    }
}
