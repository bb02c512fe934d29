//! Shared set-up for the scenarios in `tests/tests/`: named actors and deployed contracts on the embedded
//! sandbox chain, which runs the real contract Wasm built by `make contracts`.
//!
//! The harness itself (bundles, deploying, funding, time, typed calls and events) is
//! `gridtrust_chain::SandboxChain`, shared with the `gridtrust demo`.
pub use gridtrust_chain::{
    encode::call_builder, events::decode_all, named_account, AccountId, CallOutcome, SandboxChain,
};

/// One hour in milliseconds.
pub const HOUR_MS: u64 = 3_600_000;
/// One day in milliseconds.
pub const DAY_MS: u64 = 24 * HOUR_MS;
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

/// The attestations and insurance contracts wired together: a meter-holder schema run by the utility,
/// and a 2-of-3 oracle committee.
pub struct Grid {
    /// The attestations contract.
    pub attestations: AccountId,
    /// The outage insurance contract.
    pub insurance: AccountId,
    /// Schema of meter-holder attestations.
    pub meter_schema: u32,
    /// The utility: owns the schema, attests meter holders, owns the insurance contract.
    pub utility: AccountId,
    /// The three oracle operators.
    pub operators: [AccountId; 3],
}

impl World {
    /// Deploys attestations and insurance as the utility, with a 2-of-3 committee of operators.
    pub fn deploy_grid(&mut self) -> Grid {
        let utility = self.actor("utility");
        let operators = [
            self.actor("operator-1"),
            self.actor("operator-2"),
            self.actor("operator-3"),
        ];
        let attestations = self.deploy_attestations(&utility);
        let api = call_builder::<attestations::Attestations>(attestations);
        let meter_schema = self
            .chain
            .call(
                &attestations,
                api.clone()
                    .register_schema([1; 32], b"meter-holder".to_vec(), true, None, false),
                &utility,
                0,
            )
            .expect("register_schema runs")
            .value
            .expect("schema registers");
        self.chain
            .call(
                &attestations,
                api.clone().add_attester(meter_schema, utility),
                &utility,
                0,
            )
            .expect("add_attester runs")
            .value
            .expect("attester added");
        let insurance = self
            .chain
            .deploy_named(
                "outage_insurance",
                outage_insurance::OutageInsuranceRef::new(
                    attestations,
                    meter_schema,
                    operators.to_vec(),
                    2,
                ),
                &utility,
            )
            .expect("the outage_insurance bundle deploys (run `make contracts` first)")
            .address;
        Grid {
            attestations,
            insurance,
            meter_schema,
            utility,
            operators,
        }
    }

    /// The utility attests that `holder` holds `meter` on `feeder`.
    pub fn attest_meter(&mut self, grid: &Grid, holder: AccountId, meter: u64, feeder: u32) -> u64 {
        let request = attestations::AttestRequest {
            subject: holder,
            claim_hash: gridtrust_common::claims::meter_holder_claim(meter, feeder),
            expires_at: None,
            parent: None,
        };
        let mut api = call_builder::<attestations::Attestations>(grid.attestations);
        self.chain
            .call(
                &grid.attestations,
                api.attest(grid.meter_schema, request),
                &grid.utility,
                0,
            )
            .expect("attest runs")
            .value
            .expect("meter attested")
    }
}

impl Default for World {
    fn default() -> Self {
        Self::new()
    }
}
