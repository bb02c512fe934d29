//! Deploying all four contracts to a chain, wired together, as a resumable journal.
//!
//! Each step (upload, instantiate, register a schema, authorize an attester, point a contract at the
//! attestations, grant a role) is recorded in the [`Manifest`] as soon as it is done, and the caller saves the manifest after
//! every step. Running the deployment again with that manifest checks each recorded fact against the
//! chain and redoes only what is missing: code already uploaded is reused, an instance whose address
//! still holds the same code is reused, a schema is registered once. A manifest from another chain, or
//! one whose contracts are gone (a fresh dev chain), simply leads to new instances.
//!
//! The sandbox deploys through the same journal, kept in memory ([`Grid::deploy`], [`Lodging::deploy`]),
//! so what the tests and the demo run is wired exactly as a node deployment.

use std::{collections::BTreeMap, path::Path};

use attestations::{Attestations, AttestationsRef, AttesterStatus};
use demand_response::{DemandResponse, DemandResponseRef};
use gridtrust_common::{committee::Oracle, meter_holders::MeterHolderSettings};
use ink::primitives::AccountId;
use outage_insurance::{OutageInsurance, OutageInsuranceRef};

use reservations::{Reservations, ReservationsRef, Settings};
use serde::{Deserialize, Serialize};

use crate::{
    addresses::Contracts,
    bundles::{self, CONTRACTS},
    client::{code_hash, Chain, ChainError, CodeHash, Deployed, Instantiation, Weight},
    encode::{call_builder, Constructor},
    grid::{Grid, GridError, METER_SCHEMA_DEFINITION},
    lodging::{Lodging, MERCHANT_SCHEMA_DEFINITION, REAL_NAME_SCHEMA_DEFINITION},
    refusal::{Answer, CallError},
    ss58,
};

/// Who runs what: the accounts and settings a deployment is made for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Deploys and owns every contract, owns the meter-holder schema and attests meter holders.
    pub utility: AccountId,
    /// The oracle committee's members.
    pub operators: Vec<AccountId>,
    /// Votes that make a report final.
    pub threshold: u32,
    /// Owns the verified-merchant schema and attests hotels.
    pub tourism_authority: AccountId,
    /// Owns the real-name schema and attests guests.
    pub kyc: AccountId,
    /// Least bond a property must hold (reservations).
    pub min_bond: u128,
}

/// One deployed contract, as the manifest records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractRecord {
    /// SS58 address.
    pub address: String,
    /// `0x`-prefixed hex of the code hash.
    pub code_hash: String,
    /// Size of the code.
    pub wasm_bytes: usize,
}

/// What a deployment made, written beside its configuration (`<config>.deployment.json`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The chain, as its client describes it.
    pub chain: String,
    /// Best block when the manifest was last written (0 on the sandbox).
    pub block: u64,
    /// Contracts by name.
    pub contracts: BTreeMap<String, ContractRecord>,
    /// Schema ids by schema name (`meter-holder`, `verified-merchant`, `real-name`).
    pub schemas: BTreeMap<String, u32>,
    /// Attesters authorized, as `schema-name:ss58`.
    pub attesters: Vec<String>,
    /// The oracle committee (SS58 addresses) both committee contracts run.
    pub committee: Vec<String>,
    /// Its threshold.
    pub threshold: u32,
    /// Roles granted, as `contract-address:role:account`.
    pub roles: Vec<String>,
    /// What each dependent contract was pointed at: its attestations contract and schemas.
    #[serde(default)]
    pub wiring: BTreeMap<String, String>,
}

/// Why a deployment stopped.
#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    /// A step failed on the chain or was refused by a contract.
    #[error(transparent)]
    Grid(#[from] GridError),
    /// The manifest holds something that does not parse.
    #[error("the deployment manifest is unreadable: {0}")]
    Manifest(String),
    /// Saving the manifest failed; the step before it was done on chain.
    #[error("saving the deployment manifest: {0}")]
    Save(String),
}

impl From<ChainError> for DeployError {
    fn from(e: ChainError) -> Self {
        Self::Grid(e.into())
    }
}

impl From<CallError> for DeployError {
    fn from(e: CallError) -> Self {
        Self::Grid(e.into())
    }
}

fn hex32(bytes: &[u8; 32]) -> String {
    format!("0x{}", hex::encode(bytes))
}

fn parse_account(text: &str) -> Result<AccountId, DeployError> {
    crate::parse_ss58(text).ok_or_else(|| DeployError::Manifest(format!("bad address {text}")))
}

impl Manifest {
    /// The address of contract `name`, if deployed.
    pub fn address(&self, name: &str) -> Result<Option<AccountId>, DeployError> {
        self.contracts
            .get(name)
            .map(|c| parse_account(&c.address))
            .transpose()
    }

    pub(crate) fn deployed(&self, name: &str) -> Result<Deployed, DeployError> {
        let record = self
            .contracts
            .get(name)
            .ok_or_else(|| DeployError::Manifest(format!("{name} is not deployed")))?;
        let hash = hex::decode(record.code_hash.trim_start_matches("0x"))
            .ok()
            .and_then(|v| <[u8; 32]>::try_from(v).ok())
            .ok_or_else(|| DeployError::Manifest(format!("bad code hash of {name}")))?;
        Ok(Deployed {
            name: name.to_owned(),
            address: parse_account(&record.address)?,
            code_hash: hash,
            code_bytes: record.wasm_bytes,
            weight: Weight::zero(),
        })
    }

    pub(crate) fn schema(&self, name: &str) -> Result<u32, DeployError> {
        self.schemas
            .get(name)
            .copied()
            .ok_or_else(|| DeployError::Manifest(format!("schema {name} is not registered")))
    }

    /// Where the contracts this manifest names are; the reservations contract is optional.
    pub fn contracts(&self) -> Result<Contracts, DeployError> {
        let required = |name: &str| {
            self.address(name)?
                .ok_or_else(|| DeployError::Manifest(format!("it names no {name} contract")))
        };
        Ok(Contracts {
            attestations: required("attestations")?,
            insurance: required("outage_insurance")?,
            demand: required("demand_response")?,
            reservations: self.address("reservations")?,
        })
    }

    /// Reads the manifest at `path`; `None` when there is none yet.
    pub fn read(path: &Path) -> Result<Option<Self>, DeployError> {
        match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text).map(Some).map_err(|e| {
                DeployError::Manifest(format!(
                    "{} is not a deployment manifest: {e}",
                    path.display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(DeployError::Manifest(format!(
                "reading {}: {e}",
                path.display()
            ))),
        }
    }

    /// Writes the manifest to `path` atomically (a temporary file renamed over it), so an interrupted
    /// deployment never leaves half a manifest.
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        let tmp = path.with_extension("json.tmp");
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(&tmp, text + "\n")?;
        std::fs::rename(&tmp, path)
    }

    /// The grid this manifest describes.
    pub fn grid(&self, plan: &Plan) -> Result<Grid, DeployError> {
        Ok(Grid {
            attestations: self.deployed("attestations")?,
            insurance: self.deployed("outage_insurance")?,
            demand: self.deployed("demand_response")?,
            meter_schema: self.schema("meter-holder")?,
            utility: plan.utility,
            operators: plan.operators.clone(),
        })
    }

    /// The reservations contract and its schemas this manifest describes.
    pub fn lodging(&self, plan: &Plan) -> Result<Lodging, DeployError> {
        Ok(Lodging {
            reservations: self.deployed("reservations")?,
            attestations: self.deployed("attestations")?.address,
            merchant_schema: self.schema("verified-merchant")?,
            guest_schema: self.schema("real-name")?,
            authority: plan.tourism_authority,
            kyc: plan.kyc,
        })
    }
}

/// A deployment under way: the chain, the plan, the journal and where to report.
struct Run<'a, C, P, S> {
    chain: &'a mut C,
    plan: &'a Plan,
    manifest: Manifest,
    progress: P,
    save: S,
    /// Codes on chain in this run, by contract: the hash and the Wasm's size.
    codes: BTreeMap<&'static str, (CodeHash, usize)>,
}

impl<'a, C, P, S> Run<'a, C, P, S>
where
    C: Chain,
    P: FnMut(&str),
    S: FnMut(&Manifest) -> Result<(), String>,
{
    fn new(
        chain: &'a mut C,
        plan: &'a Plan,
        previous: Option<Manifest>,
        progress: P,
        save: S,
    ) -> Self {
        let mut manifest = previous.unwrap_or_default();
        manifest.chain = chain.describe();
        Self {
            chain,
            plan,
            manifest,
            progress,
            save,
            codes: BTreeMap::new(),
        }
    }

    fn record(&mut self) -> Result<(), DeployError> {
        (self.save)(&self.manifest).map_err(DeployError::Save)
    }

    /// Contract `name`'s code on chain, uploaded once per run (a chain that has the code already
    /// keeps it): its hash and size.
    fn code(&mut self, name: &'static str) -> Result<(CodeHash, usize), DeployError> {
        if let Some(&known) = self.codes.get(name) {
            return Ok(known);
        }
        let bundle = bundles::load(name).map_err(ChainError::from)?;
        let hash = self.chain.upload(&bundle, &self.plan.utility)?;
        debug_assert_eq!(hash, code_hash(&bundle.wasm));
        (self.progress)(&format!(
            "code of {name} on chain ({} bytes, hash {})",
            bundle.wasm.len(),
            hex32(&hash)
        ));
        let known = (hash, bundle.wasm.len());
        self.codes.insert(name, known);
        Ok(known)
    }

    /// The instance of `name` recorded in the manifest when it still holds `code` on chain, else a
    /// new one made by `constructor`; and whether it is new.
    fn instance(
        &mut self,
        name: &'static str,
        constructor: Constructor,
    ) -> Result<(AccountId, bool), DeployError> {
        let (code, wasm_bytes) = self.code(name)?;
        if let Some(address) = self.manifest.address(name)? {
            if self.chain.code_hash_at(&address)? == Some(code) {
                (self.progress)(&format!("{name} reused at {}", ss58(&address)));
                return Ok((address, false));
            }
        }
        // A salt never used before: an earlier instance of the same code may still exist.
        let salt = self.chain.next_salt();
        let (address, _) = self.chain.instantiate(Instantiation {
            name,
            code_hash: code,
            constructor,
            actor: &self.plan.utility,
            value: 0,
            salt: &salt,
        })?;
        self.manifest.contracts.insert(
            name.to_owned(),
            ContractRecord {
                address: ss58(&address),
                code_hash: hex32(&code),
                wasm_bytes,
            },
        );
        self.record()?;
        (self.progress)(&format!("{name} instantiated at {}", ss58(&address)));
        Ok((address, true))
    }

    /// The schema `name` recorded and still on chain with `owner`, else a new registration by `owner`.
    fn schema(
        &mut self,
        attestations: AccountId,
        owner: AccountId,
        name: &str,
        definition: &str,
    ) -> Result<u32, DeployError> {
        let mut api = call_builder::<Attestations>(attestations);
        if let Some(&id) = self.manifest.schemas.get(name) {
            let on_chain = self.chain.query(&attestations, api.schema(id), &owner)?;
            if on_chain.is_some_and(|s| s.owner == owner && s.name == name.as_bytes()) {
                return Ok(id);
            }
        }
        let definition = gridtrust_common::blake2_256(definition.as_bytes());
        let id = self
            .chain
            .call(
                &attestations,
                api.register_schema(definition, name.as_bytes().to_vec(), true, None, false),
                &owner,
                0,
            )
            .or_refused("register_schema")?;
        self.manifest.schemas.insert(name.to_owned(), id);
        self.record()?;
        (self.progress)(&format!("schema {name} registered as #{id}"));
        Ok(id)
    }

    /// Makes sure contract `name` (at `address`, `fresh` if instantiated in this run) is wired as
    /// `wanted` says: a new instance was built that way; a reused one that the manifest records as
    /// wired otherwise (an attestations contract or schema made anew) is re-pointed by `rewire`.
    fn wire(
        &mut self,
        name: &str,
        fresh: bool,
        wanted: String,
        rewire: impl FnOnce(&mut C) -> Result<(), DeployError>,
    ) -> Result<(), DeployError> {
        if self.manifest.wiring.get(name) == Some(&wanted) {
            return Ok(());
        }
        if !fresh {
            rewire(self.chain)?;
            (self.progress)(&format!("{name} re-pointed at {wanted}"));
        }
        self.manifest.wiring.insert(name.to_owned(), wanted);
        self.record()
    }

    /// `attester` authorized on `schema` (by its owner, who is also the attester here).
    fn attester(
        &mut self,
        attestations: AccountId,
        schema: u32,
        name: &str,
        attester: AccountId,
    ) -> Result<(), DeployError> {
        let mut api = call_builder::<Attestations>(attestations);
        let status = self.chain.query(
            &attestations,
            api.attester_status(schema, attester),
            &attester,
        )?;
        if status != Some(AttesterStatus::Active) {
            self.chain
                .call(
                    &attestations,
                    api.add_attester(schema, attester),
                    &attester,
                    0,
                )
                .or_refused("add_attester")?;
            (self.progress)(&format!("{} attests {name}", ss58(&attester)));
        }
        let entry = format!("{name}:{}", ss58(&attester));
        if !self.manifest.attesters.contains(&entry) {
            self.manifest.attesters.push(entry);
            self.record()?;
        }
        Ok(())
    }
}

/// Deploys (or completes, or confirms) the whole system per `plan` on `chain`, continuing from
/// `previous`. `progress` hears each step; `save` is handed the manifest after every change.
pub fn deploy<C: Chain>(
    chain: &mut C,
    plan: &Plan,
    previous: Option<Manifest>,
    progress: impl FnMut(&str),
    save: impl FnMut(&Manifest) -> Result<(), String>,
) -> Result<Manifest, DeployError> {
    let mut run = Run::new(chain, plan, previous, progress, save);
    for name in CONTRACTS {
        run.code(name)?;
    }
    let attestations = run.grid()?;
    run.lodging(attestations)?;
    run.record()?;
    Ok(run.manifest)
}

/// The grid part of [`deploy`] on a fresh chain, journaled in memory: what [`Grid::deploy`] does.
pub(crate) fn deploy_grid<C: Chain>(chain: &mut C, plan: &Plan) -> Result<Manifest, DeployError> {
    let mut run = Run::new(chain, plan, None, |_: &str| {}, |_: &Manifest| Ok(()));
    run.grid()?;
    Ok(run.manifest)
}

/// The lodging part of [`deploy`] next to `attestations`, journaled in memory: what
/// [`Lodging::deploy`] does.
pub(crate) fn deploy_lodging<C: Chain>(
    chain: &mut C,
    plan: &Plan,
    attestations: AccountId,
) -> Result<Manifest, DeployError> {
    let mut run = Run::new(chain, plan, None, |_: &str| {}, |_: &Manifest| Ok(()));
    run.lodging(attestations)?;
    Ok(run.manifest)
}

impl<C, P, S> Run<'_, C, P, S>
where
    C: Chain,
    P: FnMut(&str),
    S: FnMut(&Manifest) -> Result<(), String>,
{
    /// The attestations contract with the utility's meter-holder schema, and the insurance and
    /// demand-response contracts pointed at both, run by the planned committee; returns the
    /// attestations contract.
    fn grid(&mut self) -> Result<AccountId, DeployError> {
        let plan = self.plan;
        let (attestations, _) = self.instance("attestations", AttestationsRef::new().into())?;
        let meter_schema = self.schema(
            attestations,
            plan.utility,
            "meter-holder",
            METER_SCHEMA_DEFINITION,
        )?;
        self.attester(attestations, meter_schema, "meter-holder", plan.utility)?;

        let (members, threshold) = (&plan.operators, plan.threshold);
        let insurance =
            OutageInsuranceRef::new(attestations, meter_schema, members.clone(), threshold);
        let insurance = self.instance("outage_insurance", insurance.into())?;
        let demand = DemandResponseRef::new(attestations, meter_schema, members.clone(), threshold);
        let demand = self.instance("demand_response", demand.into())?;
        let wanted = format!("{}#{meter_schema}", ss58(&attestations));
        let utility = plan.utility;
        for (name, (address, fresh)) in
            [("outage_insurance", insurance), ("demand_response", demand)]
        {
            self.wire(name, fresh, wanted.clone(), |chain| {
                // `set_attestations` is the `MeterHolderSettings` trait's message: one selector in
                // both contracts.
                chain
                    .call(
                        &address,
                        MeterHolderSettings::set_attestations(
                            &mut call_builder::<OutageInsurance>(address),
                            attestations,
                            meter_schema,
                        ),
                        &utility,
                        0,
                    )
                    .or_refused("set_attestations")?;
                Ok(())
            })?;
        }
        // A committee changes only by its own vote (`propose_committee`), never by the deployer: a reused
        // instance must already run the planned committee; new instances were built with it.
        let committee: Vec<String> = plan.operators.iter().map(ss58).collect();
        if self.manifest.committee != committee || self.manifest.threshold != plan.threshold {
            for (contract, address, reused) in [
                ("outage_insurance", insurance.0, !insurance.1),
                ("demand_response", demand.0, !demand.1),
            ] {
                if !reused {
                    continue;
                }
                // `committee` is the `Oracle` trait's message: one selector in both contracts.
                let (members, threshold) = self.chain.query(
                    &address,
                    Oracle::committee(&call_builder::<OutageInsurance>(address)),
                    &plan.utility,
                )?;
                if (&members, threshold) != (&plan.operators, plan.threshold) {
                    let show = |members: &[AccountId], threshold: u32| {
                        let names: Vec<String> = members.iter().map(ss58).collect();
                        format!("{threshold} of [{}]", names.join(", "))
                    };
                    return Err(GridError::CommitteeDiffers {
                        contract,
                        on_chain: show(&members, threshold),
                        planned: show(&plan.operators, plan.threshold),
                    }
                    .into());
                }
            }
            self.manifest.committee = committee;
            self.manifest.threshold = plan.threshold;
            self.record()?;
            (self.progress)(&format!(
                "oracle committee: {} of {} operators",
                plan.threshold,
                plan.operators.len()
            ));
        }
        let demand = demand.0;
        let role = format!("{}:utility:{}", ss58(&demand), ss58(&plan.utility));
        if !self.manifest.roles.contains(&role) {
            self.chain
                .call(
                    &demand,
                    call_builder::<DemandResponse>(demand)
                        .grant_role(demand_response::UTILITY, plan.utility),
                    &plan.utility,
                    0,
                )
                .or_refused("grant_role")?;
            self.manifest.roles.push(role);
            self.record()?;
            (self.progress)("the utility holds the demand-response UTILITY role");
        }
        Ok(attestations)
    }

    /// The verified-merchant and real-name schemas on `attestations`, each attested by its owner, and
    /// the reservations contract asking them.
    fn lodging(&mut self, attestations: AccountId) -> Result<(), DeployError> {
        let plan = self.plan;
        let utility = plan.utility;
        let merchant_schema = self.schema(
            attestations,
            plan.tourism_authority,
            "verified-merchant",
            MERCHANT_SCHEMA_DEFINITION,
        )?;
        self.attester(
            attestations,
            merchant_schema,
            "verified-merchant",
            plan.tourism_authority,
        )?;
        let guest_schema = self.schema(
            attestations,
            plan.kyc,
            "real-name",
            REAL_NAME_SCHEMA_DEFINITION,
        )?;
        self.attester(attestations, guest_schema, "real-name", plan.kyc)?;
        let settings = Settings {
            attestations,
            merchant_schema,
            guest_schema,
            min_bond: plan.min_bond,
        };
        let (reservations, fresh) =
            self.instance("reservations", ReservationsRef::new(settings).into())?;
        let wanted = format!(
            "{}#{merchant_schema}#{guest_schema}#{}",
            ss58(&attestations),
            plan.min_bond
        );
        self.wire("reservations", fresh, wanted, |chain| {
            chain
                .call(
                    &reservations,
                    call_builder::<Reservations>(reservations).set_settings(settings),
                    &utility,
                    0,
                )
                .or_refused("set_settings (reservations)")?;
            Ok(())
        })?;
        Ok(())
    }
}
