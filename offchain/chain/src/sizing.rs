//! How many items one batched call may carry on this chain: measured by the chain itself (two dry
//! runs), fitted into its largest transaction, instead of a fixed count that is too small for one
//! chain and fails on another (a parachain's proof budget is far narrower than a solo chain's).

use contracts_client::{AccountId, Chain, Effects, Message, Request, Weight};
use scale::Decode;

use crate::{CallError, ContractError};

/// Share (percent) of the chain's largest transaction a batched call is sized to use, in ref_time
/// and in proof size alike. The rest is headroom: the node client offers 25 % more weight than the
/// dry run needed (state can change before the block), and 70 % × 1.25 stays below the limit.
pub const BATCH_FILL_PERCENT: u64 = 70;

/// Items the second probe takes: enough to see the per-item cost apart from the call's fixed part,
/// few enough to fit in any usable chain's transaction (halved until it does).
const PROBE: u32 = 10;

/// How many items one call may take within `limit` (the chain's [`max_call_weight`]), at most `cap`
/// (the contract's own bound). `probe(n)` dry-runs a call of up to `n` items and answers how many it
/// took and the weight it required. One item, then up to `PROBE`, give the per-item cost and the
/// call's fixed part, fitted into [`BATCH_FILL_PERCENT`] of `limit` in both dimensions.
///
/// [`max_call_weight`]: contracts_client::Chain::max_call_weight
pub fn items_per_call(
    limit: Weight,
    cap: u32,
    mut probe: impl FnMut(u32) -> Result<(u32, Weight), CallError>,
) -> Result<u32, CallError> {
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
        // At most one item is left: any call takes it.
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
        .clamp(1, cap))
}

/// How many of `items` one call of `message` (a message taking a list, built by `build` from a
/// prefix of it) may take on `chain` as `caller`, at most `cap` (see [`items_per_call`]). The probes
/// are dry runs of the first items; a refusal among them is returned as the contract's error.
#[allow(clippy::too_many_arguments)]
pub fn list_per_call<T, R, E, M>(
    chain: &mut impl Chain,
    contract: &AccountId,
    caller: &AccountId,
    items: &[T],
    cap: u32,
    message: &'static str,
    mut build: impl FnMut(Vec<T>) -> M,
) -> Result<u32, CallError>
where
    T: Clone,
    R: Decode,
    E: Decode + Into<ContractError>,
    M: Into<Message<Result<R, E>>>,
{
    let limit = chain.max_call_weight()?;
    items_per_call(limit, cap, |n| {
        let first = &items[..items.len().min(n as usize)];
        let request = Request::new(contract, build(first.to_vec()), caller, 0);
        let out = chain.execute(request, Effects::Discard)?;
        out.value.map_err(|e| CallError::refused(message, e))?;
        Ok((first.len() as u32, out.weight_required))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chain where a call costs `fixed + n × per` in both dimensions.
    fn linear(fixed: u64, per: u64) -> impl FnMut(u32) -> Result<(u32, Weight), CallError> {
        move |n| {
            let w = fixed + u64::from(n) * per;
            Ok((n, Weight::from_parts(w, w)))
        }
    }

    #[test]
    fn fills_the_stated_share_of_the_narrower_dimension() {
        // 70 % of 1,000,000 is 700,000: (700,000 − 100,000) / 1,000 = 600 by ref_time; the proof
        // limit of 400,000 leaves (280,000 − 100,000) / 1,000 = 180.
        let limit = Weight::from_parts(1_000_000, 400_000);
        assert_eq!(
            items_per_call(limit, 10_000, linear(100_000, 1_000)).unwrap(),
            180
        );
        assert_eq!(
            items_per_call(limit, 50, linear(100_000, 1_000)).unwrap(),
            50
        );
    }

    #[test]
    fn one_item_left_is_one_call_of_one() {
        let limit = Weight::from_parts(1_000_000, 1_000_000);
        let only_one = |_n: u32| Ok((1, Weight::from_parts(5, 5)));
        assert_eq!(items_per_call(limit, 100, only_one).unwrap(), 1);
    }

    #[test]
    fn a_call_too_heavy_for_the_chain_is_still_one_item() {
        let limit = Weight::from_parts(1_000, 1_000);
        assert_eq!(items_per_call(limit, 100, linear(5_000, 10)).unwrap(), 1);
    }
}
