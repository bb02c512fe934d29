//! Checking a customer's demand-response entry against the chain from the oracle's own data: the
//! baseline and actual load recomputed with the shared baseline code, the subsidy recomputed with the
//! shared formula, and every reading behind the entry proven against its batch's readings root by the
//! contract's own `verify_reading` query.

use demand_response::{DemandResponse, Entry, ProgramTerms};
use gridtrust_chain::{encode::call_builder, Chain};
use gridtrust_common::{demand::subsidy, merkle::MerkleProof};

use crate::{
    demand::{results, EventResults, EventSpec, MeterResult},
    error::OracleError,
    measure::{batch_meters, demand_events, event_results, event_spec, Operator},
    store::Store,
};

/// One reading behind an entry and whether the chain accepted its proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvenReading {
    /// Interval start (ms).
    pub at_ms: u64,
    /// Wh as the checked data holds it (the customer's own readings, when given); `None` when it
    /// holds no reading for an interval the batch committed.
    pub wh: Option<u64>,
    /// Whether `verify_reading` accepted `wh` against the batch root.
    pub proven: bool,
    /// When the customer's own reading failed: the different value the chain did commit for the
    /// interval (proven with the operator's data).
    pub committed_wh: Option<u64>,
}

/// What checking one entry found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// The event.
    pub event: u64,
    /// The meter.
    pub meter: u64,
    /// The entry on chain.
    pub entry: Entry,
    /// Baseline and actual recomputed from the checked data.
    pub recomputed: MeterResult,
    /// The subsidy the program's terms give the entry's figures.
    pub expected_subsidy: u128,
    /// The readings behind the entry, each proven (or not) against the chain.
    pub readings: Vec<ProvenReading>,
}

impl Verification {
    /// Whether everything agrees: figures, subsidy and every reading's proof.
    pub fn holds(&self) -> bool {
        self.recomputed.baseline_wh == self.entry.baseline_wh
            && self.recomputed.actual_wh == self.entry.actual_wh
            && self.expected_subsidy == self.entry.subsidy
            && !self.readings.is_empty()
            && self.readings.iter().all(|r| r.proven)
    }
}

/// What proves one demand-response entry: the entry and its program's terms from the chain, and the
/// batch of readings behind it as an operator's store computes it (its leaves and proofs).
#[derive(Debug, Clone)]
pub struct EntryEvidence {
    /// The entry's meter.
    pub meter: u64,
    /// The entry, as the chain holds it.
    pub entry: Entry,
    /// Its program's terms (rate and cap of the subsidy).
    pub terms: ProgramTerms,
    /// The event's window and baseline method.
    pub spec: EventSpec,
    /// The entry's batch, recomputed: its leaves are what the batch's readings root commits to.
    pub batch: EventResults,
}

impl EntryEvidence {
    /// The entry's own readings in the batch: (interval start, Wh, proof against the batch root).
    pub fn readings(&self) -> Vec<(u64, u64, MerkleProof)> {
        self.batch
            .leaves
            .iter()
            .enumerate()
            .filter(|(_, &(m, _, _))| m == self.meter)
            .filter_map(|(index, &(_, at, wh))| Some((at, wh, self.batch.proof(index)?)))
            .collect()
    }
}

/// The evidence behind `meter`'s entry in demand-response `event`, from the chain and the operator's
/// store.
pub fn entry_evidence(
    chain: &mut impl Chain,
    operator: Operator<'_>,
    event: u64,
    meter: u64,
) -> Result<EntryEvidence, OracleError> {
    let Operator {
        store,
        contracts,
        config,
    } = operator;
    let asker = config.operator;
    let demand = contracts.demand;
    let api = call_builder::<DemandResponse>(demand);
    let entry = chain
        .query(&demand, api.entry(event, meter), &asker)?
        .ok_or_else(|| {
            OracleError::Missing(format!("meter {meter} has no entry in event {event}"))
        })?;
    let events = demand_events(chain, contracts, asker)?;
    let spec = event_spec(chain, operator, event, &events)?;
    // `event_spec` found the event, so it is in `events`.
    let dr_event = &events[event as usize];
    let program = chain
        .query(&demand, api.program(dr_event.program), &asker)?
        .ok_or_else(|| OracleError::Missing(format!("event {event} names no program")))?;
    // The proof needs the whole batch's readings: the same meters the oracle put in it. An operator
    // that measured the event recorded them; any other store with the readings computes them again
    // (one that joined late, or whose round came after the event closed).
    let measured = match store.measured(event)? {
        Some(measured) => measured,
        None => event_results(chain, operator, event, &spec)?
            .results
            .iter()
            .map(|r| r.meter)
            .collect(),
    };
    let batch = results(store, &spec, batch_meters(&measured, entry.batch))?;
    Ok(EntryEvidence {
        meter,
        entry,
        terms: program.terms,
        spec,
        batch,
    })
}

/// Checks `meter`'s entry in demand-response `event` against what `operator`'s store holds, computing
/// as that operator would. With `own` — a store of the customer's own meter export — baseline and
/// actual are recomputed from the customer's readings instead, and each of them is proven at its
/// place in the batch: the other leaves a proof needs come from the operator's store, but only the
/// chain's root decides.
pub fn verify_entry(
    chain: &mut impl Chain,
    operator: Operator<'_>,
    event: u64,
    meter: u64,
    own: Option<&Store>,
) -> Result<Verification, OracleError> {
    let store = operator.store;
    let asker = operator.config.operator;
    let demand = operator.contracts.demand;
    let api = call_builder::<DemandResponse>(demand);
    let EntryEvidence {
        entry,
        terms,
        meter: _,
        spec,
        batch,
    } = entry_evidence(chain, operator, event, meter)?;
    let data = own.unwrap_or(store);
    let mine = results(data, &spec, &[meter])?;
    let recomputed = mine.results.first().cloned().ok_or_else(|| {
        OracleError::Missing(format!(
            "the {} cannot recompute meter {meter}: {}",
            if own.is_some() {
                "customer's readings"
            } else {
                "store"
            },
            mine.skipped
                .first()
                .map_or("no readings".to_owned(), |s| s.reason.clone())
        ))
    })?;
    let mut readings = Vec::new();
    for (index, &(m, at_ms, batch_wh)) in batch.leaves.iter().enumerate() {
        if m != meter {
            continue;
        }
        let Some(proof) = batch.proof(index) else {
            continue; // `index` comes from the leaves themselves
        };
        let mut proves = |wh: u64| {
            chain.query(
                &demand,
                api.verify_reading(event, entry.batch, meter, at_ms, wh, proof.clone()),
                &asker,
            )
        };
        let wh = match own {
            Some(own) => own
                .readings(meter, at_ms, at_ms.saturating_add(1))?
                .first()
                .map(|r| r.wh),
            None => Some(batch_wh),
        };
        let proven = match wh {
            Some(wh) => proves(wh)?,
            None => false,
        };
        let committed_wh = if !proven && wh != Some(batch_wh) && proves(batch_wh)? {
            Some(batch_wh)
        } else {
            None
        };
        readings.push(ProvenReading {
            at_ms,
            wh,
            proven,
            committed_wh,
        });
    }
    let expected_subsidy = subsidy(
        entry.baseline_wh,
        entry.actual_wh,
        terms.rate_per_kwh,
        terms.cap_per_event,
        terms.min_reduction,
    );
    Ok(Verification {
        event,
        meter,
        entry,
        recomputed,
        expected_subsidy,
        readings,
    })
}
