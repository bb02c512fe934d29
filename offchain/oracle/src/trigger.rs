//! Triggering the permissionless payout calls once a report is final: the oracle keeps calling until
//! nothing remains, so customers are paid without anyone filing a claim.

use demand_response::DemandResponse;
use gridtrust_chain::{encode::call_builder, AccountId, Answer, CallError, Chain, Weight};
use outage_insurance::{OutageInsurance, MAX_PAYOUT_BATCH};

/// Share (percent) of the chain's largest transaction a payout call is sized to use, in ref_time and
/// in proof size alike. The rest is headroom: the node client offers 25 % more weight than the dry
/// run needed (state can change before the block), and 70 % × 1.25 stays below the limit.
pub const BATCH_FILL_PERCENT: u64 = 70;

/// Policies the second sizing probe visits: enough to see the per-policy cost apart from the call's
/// fixed part, few enough to fit in any usable chain's transaction (halved until it does).
const PROBE: u32 = 10;

/// How many targets one `process_payouts` call of `outage` may visit on this chain: the cost per
/// target and the call's fixed part measured by two dry runs (one target, then up to [`PROBE`]) as the
/// chain itself meters them, fitted into [`BATCH_FILL_PERCENT`] of [`Chain::max_call_weight`] in
/// both dimensions. A chain with a small proof budget (a parachain) gets smaller batches.
pub fn payout_batch(
    chain: &mut impl Chain,
    insurance: AccountId,
    keeper: AccountId,
    outage: u64,
) -> Result<u32, CallError> {
    let limit = chain.max_call_weight()?;
    let mut api = call_builder::<OutageInsurance>(insurance);
    let mut probe = |n: u32| -> Result<(u32, Weight), CallError> {
        let out = chain.dry_run(&insurance, api.process_payouts(outage, n), &keeper, 0)?;
        let progress = out.value.map_err(|e| CallError::Refused {
            message: "process_payouts",
            error: e.into(),
        })?;
        Ok((progress.visited, out.weight_required))
    };
    let (one, w1) = probe(1)?;
    // A chain too narrow for the probe itself fails it: probe fewer, down to two.
    let mut k = PROBE;
    let (many, wk) = loop {
        match probe(k) {
            Ok(measured) => break measured,
            Err(CallError::Chain(_)) if k > 2 => k /= 2,
            Err(e) => return Err(e),
        }
    };
    if many <= one {
        // At most one target is left: any batch visits it.
        return Ok(1);
    }
    let extra = u64::from(many - one);
    let fit = |limit: u64, single: u64, probe: u64| {
        let per = probe.saturating_sub(single).div_ceil(extra).max(1);
        let fixed = single.saturating_sub(per);
        (limit / 100 * BATCH_FILL_PERCENT).saturating_sub(fixed) / per
    };
    let by_time = fit(limit.ref_time(), w1.ref_time(), wk.ref_time());
    let by_proof = fit(limit.proof_size(), w1.proof_size(), wk.proof_size());
    Ok(u32::try_from(by_time.min(by_proof))
        .unwrap_or(u32::MAX)
        .clamp(1, MAX_PAYOUT_BATCH))
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

/// Settles `meters` of demand-response `event` as `keeper`, `batch` meters per call; returns the
/// entries paid.
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
    let batch = batch.clamp(1, demand_response::MAX_SETTLE_BATCH as usize);
    for chunk in meters.chunks(batch) {
        paid += chain
            .call(&demand, api.settle(event, chunk.to_vec()), &keeper, 0)
            .or_refused("settle")?;
    }
    Ok(paid)
}
