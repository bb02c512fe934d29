//! The keeper's part of a round: paying every final outage and settling every demand-response event
//! whose dispute window has passed, until nothing remains. Anyone may make these calls; the keeper is
//! the operator configured to.

use demand_response::{DemandResponse, MAX_PARTICIPANT_QUERY};
use gridtrust_chain::{encode::call_builder, Answer, Chain, Contracts};
use outage_insurance::OutageInsurance;

use crate::{
    cursor::LowWater,
    error::OracleError,
    measure::events_from,
    settings::WorkerConfig,
    store::Store,
    trigger::{pay_outage, payout_batch, settle_batch, settle_event},
};

/// Pays every final outage until nothing remains; returns the policies paid.
pub(crate) fn pay_final_outages(
    chain: &mut impl Chain,
    store: &mut Store,
    contracts: &Contracts,
    config: &WorkerConfig,
) -> Result<u32, OracleError> {
    let insurance = contracts.insurance;
    let api = call_builder::<OutageInsurance>(insurance);
    let count = chain.query(&insurance, api.outage_count(), &config.operator)?;
    let mut paid = 0;
    // Outages before the cursor are fully paid: `pay_outage` returns only when none remains.
    let first = store.progress("keeper.outage_cursor")?;
    for outage in first..count {
        let remaining = chain.query(&insurance, api.payouts_remaining(outage), &config.operator)?;
        if remaining.unwrap_or(0) > 0 {
            let batch = payout_batch(chain, insurance, config.operator, outage)?;
            paid += pay_outage(
                chain,
                insurance,
                config.operator,
                outage,
                batch,
                |_, _, _| {},
            )?;
        }
        store.set_progress("keeper.outage_cursor", outage + 1)?;
    }
    Ok(paid)
}

/// Settles every closed event whose dispute window has passed, paying each pending entry of a meter
/// the store knows (the contract skips the rest); returns the entries paid.
pub(crate) fn settle_due_events(
    chain: &mut impl Chain,
    store: &mut Store,
    contracts: &Contracts,
    config: &WorkerConfig,
    now: u64,
) -> Result<u32, OracleError> {
    let demand = contracts.demand;
    let mut api = call_builder::<DemandResponse>(demand);
    let me = config.operator;
    let mut paid = 0;
    // Events below the cursor are settled for good.
    let mut cursor = LowWater::load(store, "keeper.settled_below")?;
    for (id, event) in events_from(chain, contracts, me, cursor.first)? {
        if event.settled {
            cursor.done(id);
            continue;
        }
        let Some(closed_at) = event.closed_at else {
            continue;
        };
        let program = chain
            .query(&demand, api.program(event.program), &me)?
            .ok_or_else(|| OracleError::Missing(format!("event {id} names no program")))?;
        // Disputed entries are held by the contract; the rest are paid once the window has passed.
        if now < closed_at.saturating_add(program.terms.dispute_window_ms) {
            continue;
        }
        let mut pending = Vec::new();
        // One read per thousand stored meters, not one per meter.
        for meters in store.meters()?.chunks(MAX_PARTICIPANT_QUERY as usize) {
            pending.extend(
                chain
                    .query(&demand, api.pending_entries(id, meters.to_vec()), &me)
                    .or_refused("pending_entries")?,
            );
        }
        if !pending.is_empty() {
            let batch = settle_batch(chain, demand, me, id, &pending)?;
            paid += settle_event(chain, demand, me, id, &pending, batch as usize)?;
        } else if event.paid_entries == event.entries {
            // Nothing left to pay (or nothing was ever recorded): one empty call marks the event
            // settled, which hands its remainder back and frees the program's budget.
            chain
                .call(&demand, api.settle(id, Vec::new()), &me, 0)
                .or_refused("settle")?;
        }
        let settled = chain
            .query(&demand, api.event(id), &me)?
            .is_some_and(|e| e.settled);
        if settled {
            cursor.done(id);
        }
    }
    cursor.save(store)?;
    Ok(paid)
}
