//! Triggering the permissionless payout calls once a report is final: the oracle keeps calling until
//! nothing remains, so customers are paid without anyone filing a claim.

use demand_response::{DemandResponse, MAX_SETTLE_BATCH};
use gridtrust_chain::{
    encode::call_builder,
    sizing::{items_per_call, list_per_call},
    AccountId, Answer, CallError, Chain, Effects, Request,
};
use outage_insurance::{OutageInsurance, MAX_PAYOUT_BATCH};

/// How many targets one `process_payouts` call of `outage` may visit on this chain (see [`items_per_call`]).
pub fn payout_batch(
    chain: &mut impl Chain,
    insurance: AccountId,
    keeper: AccountId,
    outage: u64,
) -> Result<u32, CallError> {
    let limit = chain.max_call_weight()?;
    let mut api = call_builder::<OutageInsurance>(insurance);
    items_per_call(limit, MAX_PAYOUT_BATCH, |n| {
        let request = Request::new(&insurance, api.process_payouts(outage, n), &keeper, 0);
        let out = chain.execute(request, Effects::Discard)?;
        let progress = out
            .value
            .map_err(|e| CallError::refused("process_payouts", e))?;
        Ok((progress.visited, out.weight_required))
    })
}

/// How many of `pending` (meters with an unpaid entry of demand-response `event`) one `settle` call
/// may pay on this chain (see [`items_per_call`]). The event must be settleable now.
pub fn settle_batch(
    chain: &mut impl Chain,
    demand: AccountId,
    keeper: AccountId,
    event: u64,
    pending: &[u64],
) -> Result<u32, CallError> {
    let mut api = call_builder::<DemandResponse>(demand);
    list_per_call(
        chain,
        &demand,
        &keeper,
        pending,
        MAX_SETTLE_BATCH,
        "settle",
        |meters| api.settle(event, meters),
    )
}

/// Calls `process_payouts(outage, batch)` as `keeper` until every target is visited; `progress` is told
/// (visited, paid, remaining) after each call. Returns the policies paid.
pub fn pay_outage(
    chain: &mut impl Chain,
    insurance: AccountId,
    keeper: AccountId,
    outage: u64,
    batch: u32,
    mut progress: impl FnMut(u32, u32, u32),
) -> Result<u32, CallError> {
    let mut api = call_builder::<OutageInsurance>(insurance);
    let batch = batch.clamp(1, MAX_PAYOUT_BATCH);
    let mut paid = 0;
    loop {
        let p = chain
            .call(&insurance, api.process_payouts(outage, batch), &keeper, 0)
            .or_refused("process_payouts")?;
        paid += p.paid;
        progress(p.visited, p.paid, p.remaining);
        if p.remaining == 0 {
            return Ok(paid);
        }
        chain.next_block()?;
    }
}

/// Settles `meters` of demand-response `event` as `keeper`, `batch` meters per call (see
/// [`settle_batch`]); returns the entries paid.
pub fn settle_event(
    chain: &mut impl Chain,
    demand: AccountId,
    keeper: AccountId,
    event: u64,
    meters: &[u64],
    batch: usize,
) -> Result<u32, CallError> {
    let mut api = call_builder::<DemandResponse>(demand);
    let mut paid = 0;
    let batch = batch.clamp(1, MAX_SETTLE_BATCH as usize);
    for chunk in meters.chunks(batch) {
        paid += chain
            .call(&demand, api.settle(event, chunk.to_vec()), &keeper, 0)
            .or_refused("settle")?;
    }
    Ok(paid)
}
