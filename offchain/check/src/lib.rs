//! The portal's in-browser check: the very rules of `contracts/common` — Merkle proofs, the reading and
//! meter-event leaves, the subsidy formula, the payout tiers — compiled to WebAssembly, so what a
//! customer's browser recomputes is what the contracts and the oracle compute.
//!
//! The interface is C-like, for `portal/check.js` to call without generated glue. Numbers travel as
//! WebAssembly `i64`/`i32` (JavaScript `BigInt`/`Number`); byte strings (a root, proof siblings, tier
//! tables) are written by the caller into the exchange buffer that [`buffer`] returns, and a `u128`
//! result is written back to its first 16 bytes (little-endian).
//!
//! Built with `cargo build --release --target wasm32-unknown-unknown -p gridtrust-check`
//! (`scripts/build-check.sh`).
#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

use alloc::vec::Vec;
use core::cell::RefCell;

use gridtrust_common::{
    demand::{reading_leaf, subsidy as subsidy_rule, MinReduction},
    merkle::{self, MerkleProof},
    outage::{
        evidence_root, recompute, EventKind, EvidenceError, MeterEvent, OutageRule, LEAF_DATA_BYTES,
    },
    tiers::{self, Tier},
    Digest,
};

/// The exchange buffer of a single-threaded Wasm instance (no atomics, so no second thread can exist
/// to share it).
#[cfg(target_arch = "wasm32")]
struct Exchange(RefCell<Vec<u8>>);

#[cfg(target_arch = "wasm32")]
// SAFETY: wasm32-unknown-unknown without the atomics feature runs one thread per instance.
unsafe impl Sync for Exchange {}

#[cfg(target_arch = "wasm32")]
static EXCHANGE: Exchange = Exchange(RefCell::new(Vec::new()));

#[cfg(target_arch = "wasm32")]
fn with_exchange<R>(f: impl FnOnce(&mut Vec<u8>) -> R) -> R {
    f(&mut EXCHANGE.0.borrow_mut())
}

// Natively (the tests), each thread has its own buffer.
#[cfg(not(target_arch = "wasm32"))]
std::thread_local! {
    static EXCHANGE: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

#[cfg(not(target_arch = "wasm32"))]
fn with_exchange<R>(f: impl FnOnce(&mut Vec<u8>) -> R) -> R {
    EXCHANGE.with(|b| f(&mut b.borrow_mut()))
}

/// A pointer to an exchange buffer of at least `len` bytes, for the caller to write inputs into.
#[no_mangle]
pub extern "C" fn buffer(len: u32) -> *mut u8 {
    with_exchange(|b| {
        if b.len() < len as usize {
            b.resize(len as usize, 0);
        }
        b.as_mut_ptr()
    })
}

fn input() -> Vec<u8> {
    with_exchange(|b| b.clone())
}

fn digest(bytes: &[u8], at: usize) -> Option<Digest> {
    bytes.get(at..at.checked_add(32)?)?.try_into().ok()
}

/// The root at the buffer's start, then `siblings` hashes, as a proof of leaf `index` of `leaf_count`.
fn root_and_proof(index: u32, leaf_count: u32, siblings: u32) -> Option<(Digest, MerkleProof)> {
    let bytes = input();
    let root = digest(&bytes, 0)?;
    let siblings = (0..siblings as usize)
        .map(|i| digest(&bytes, 32 + 32 * i))
        .collect::<Option<Vec<_>>>()?;
    Some((
        root,
        MerkleProof {
            index,
            leaf_count,
            siblings,
        },
    ))
}

/// 1 when the reading (meter, interval start, Wh) is leaf `index` of `leaf_count` under the root in
/// the buffer (followed by `siblings` proof hashes); 0 otherwise.
#[no_mangle]
pub extern "C" fn verify_reading(
    meter: u64,
    interval_start_ms: u64,
    wh: u64,
    index: u32,
    leaf_count: u32,
    siblings: u32,
) -> u32 {
    root_and_proof(index, leaf_count, siblings).is_some_and(|(root, proof)| {
        merkle::verify(&root, &reading_leaf(meter, interval_start_ms, wh), &proof)
    }) as u32
}

/// 1 when the meter event (kind 0 = last gasp, 1 = restore) is leaf `index` of `leaf_count` under the
/// root in the buffer (followed by `siblings` proof hashes); 0 otherwise (also for an unknown kind).
#[no_mangle]
pub extern "C" fn verify_event(
    kind: u32,
    meter: u64,
    feeder: u32,
    at_ms: u64,
    index: u32,
    leaf_count: u32,
    siblings: u32,
) -> u32 {
    let Some(kind) = u8::try_from(kind).ok().and_then(EventKind::from_code) else {
        return 0;
    };
    let event = MeterEvent {
        kind,
        meter,
        feeder,
        at_ms,
    };
    root_and_proof(index, leaf_count, siblings)
        .is_some_and(|(root, proof)| merkle::verify(&root, &event.leaf(), &proof)) as u32
}

/// Writes `bytes` to the buffer's start (growing it when needed) and returns where it is.
fn write(bytes: &[u8]) -> *mut u8 {
    let ptr = buffer(bytes.len() as u32);
    with_exchange(|b| b[..bytes.len()].copy_from_slice(bytes));
    ptr
}

fn write_u128(value: u128) -> *mut u8 {
    write(&value.to_le_bytes())
}

/// The subsidy an entry earns (the contract's formula); the rate per kWh and the cap are `u128`s
/// given as low and high 64-bit halves, the program's minimum reduction as a share (bps) and Wh. The
/// result is written to the buffer's first 16 bytes.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn subsidy(
    baseline_wh: u64,
    actual_wh: u64,
    rate_lo: u64,
    rate_hi: u64,
    cap_lo: u64,
    cap_hi: u64,
    min_share_bps: u32,
    min_wh: u64,
) -> *mut u8 {
    let join = |lo: u64, hi: u64| u128::from(hi) << 64 | u128::from(lo);
    write_u128(subsidy_rule(
        baseline_wh,
        actual_wh,
        join(rate_lo, rate_hi),
        join(cap_lo, cap_hi),
        MinReduction {
            share_bps: min_share_bps,
            wh: min_wh,
        },
    ))
}

/// Whole minutes of an outage from `start_ms` to `end_ms` (the contract's rounding).
#[no_mangle]
pub extern "C" fn outage_minutes(start_ms: u64, end_ms: u64) -> u32 {
    tiers::outage_minutes(start_ms, end_ms)
}

/// What `minutes` of outage pay under the pool's tiers, which the buffer holds as `count` records of
/// (minimum minutes u32, payout u128), little-endian. The result is written to the buffer's first 16
/// bytes (0 for a malformed table).
#[no_mangle]
pub extern "C" fn payout(minutes: u32, count: u32) -> *mut u8 {
    let bytes = input();
    let table: Option<Vec<Tier>> = (0..count as usize)
        .map(|i| {
            let at = i * 20;
            Some(Tier {
                min_minutes: u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?),
                payout: u128::from_le_bytes(bytes.get(at + 4..at + 20)?.try_into().ok()?),
            })
        })
        .collect();
    write_u128(table.map_or(0, |t| tiers::payout_for(&t, minutes)))
}

/// Re-decides an outage from its whole evidence, as any verifier does off-chain
/// (`gridtrust_common::outage::recompute`): the buffer holds `count` meter events, one after the
/// other, each as its `MeterEvent::leaf_data`, and an outage takes `min_dark_meters` dark meters (what
/// the outage's report states). Returns 0 and writes the evidence's Merkle root (32 bytes), the outage's
/// start and end (ms, `u64` each) to the buffer's first 48 bytes when the events are exactly one ended
/// outage's evidence; otherwise why not: 1 malformed input, 2 no events, 3 events of several feeders,
/// 4 not in canonical order, 5 no ended outage, 6 events outside the outage.
#[no_mangle]
pub extern "C" fn recompute_outage(count: u32, min_dark_meters: u32) -> u32 {
    let bytes = input();
    let events: Option<Vec<MeterEvent>> = (0..count as usize)
        .map(|i| MeterEvent::from_leaf_data(bytes.get(i * LEAF_DATA_BYTES..)?))
        .collect();
    let Some(events) = events else {
        return 1;
    };
    let rule = OutageRule {
        min_dark_meters,
        ..OutageRule::default()
    };
    match recompute(&events, &rule) {
        Ok(outage) => {
            let mut out = [0u8; 48];
            out[..32].copy_from_slice(&evidence_root(&events));
            out[32..40].copy_from_slice(&outage.start_ms.to_le_bytes());
            // An outage `recompute` returns has ended.
            out[40..].copy_from_slice(&outage.end_ms.unwrap_or_default().to_le_bytes());
            write(&out);
            0
        }
        Err(EvidenceError::Empty) => 2,
        Err(EvidenceError::MixedFeeders) => 3,
        Err(EvidenceError::NotCanonical) => 4,
        Err(EvidenceError::NoOutage) => 5,
        Err(EvidenceError::Extra) => 6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(bytes: &[u8]) {
        let ptr = buffer(bytes.len() as u32);
        // The buffer is ours for this call, as it is for check.js.
        unsafe { core::ptr::copy_nonoverlapping(bytes.as_ptr(), ptr, bytes.len()) };
    }

    fn read_u128(ptr: *mut u8) -> u128 {
        let mut out = [0u8; 16];
        unsafe { core::ptr::copy_nonoverlapping(ptr, out.as_mut_ptr(), 16) };
        u128::from_le_bytes(out)
    }

    #[test]
    fn a_reading_proves_against_its_root_and_a_changed_one_does_not() {
        let readings = [
            (7u64, 900_000u64, 250u64),
            (7, 1_800_000, 240),
            (8, 900_000, 90),
        ];
        let leaves: Vec<Digest> = readings
            .iter()
            .map(|&(m, t, wh)| reading_leaf(m, t, wh))
            .collect();
        let root = merkle::root(&leaves).unwrap();
        let proof = merkle::proof(&leaves, 1).unwrap();
        let mut bytes = root.to_vec();
        for s in &proof.siblings {
            bytes.extend_from_slice(s);
        }
        let n = proof.siblings.len() as u32;
        put(&bytes);
        assert_eq!(verify_reading(7, 1_800_000, 240, 1, 3, n), 1);
        put(&bytes);
        assert_eq!(verify_reading(7, 1_800_000, 241, 1, 3, n), 0);
        put(&bytes[..40]);
        assert_eq!(
            verify_reading(7, 1_800_000, 240, 1, 3, n + 5),
            0,
            "short input"
        );
    }

    fn event_bytes(events: &[MeterEvent]) -> Vec<u8> {
        events.iter().flat_map(MeterEvent::leaf_data).collect()
    }

    /// What `recompute_outage` answers for `events`: its code, and root, start and end when 0.
    fn recomputed(events: &[MeterEvent], min_dark_meters: u32) -> (u32, Digest, u64, u64) {
        put(&event_bytes(events));
        let code = recompute_outage(events.len() as u32, min_dark_meters);
        let out = with_exchange(|b| b[..48].to_vec());
        let start = u64::from_le_bytes(out[32..40].try_into().unwrap());
        let end = u64::from_le_bytes(out[40..48].try_into().unwrap());
        (code, out[..32].try_into().unwrap(), start, end)
    }

    #[test]
    fn an_outage_is_re_decided_from_its_whole_evidence_and_doctored_evidence_is_refused() {
        use gridtrust_common::outage::{decide, outage_events};

        let events = outage_events(4, 1..=5, 60_000, 3 * 3_600_000, 1_000);
        let outage = decide(&events, &OutageRule::default(), 0).remove(0);
        // The buffer's layout is the leaf's: hashing one event's 21 bytes gives its leaf.
        let one = event_bytes(&outage.evidence[..1]);
        assert_eq!(merkle::leaf_hash(&one), outage.evidence[0].leaf());

        let (code, root, start, end) = recomputed(&outage.evidence, 3);
        assert_eq!(code, 0);
        assert_eq!(root, outage.evidence_root());
        assert_eq!((start, Some(end)), (outage.start_ms, outage.end_ms));

        // Doctored evidence never passes: two events swapped, an event of another feeder, too high a
        // bar, a kind that does not exist and a short buffer are refused with their reason; a restore
        // moved later may still decide an outage, but no longer under the chain's root.
        let mut swapped = outage.evidence.clone();
        swapped.swap(0, 1);
        assert_eq!(recomputed(&swapped, 3).0, 4);
        let mut later = outage.evidence.clone();
        let last = later.len() - 1;
        later[last].at_ms += 1;
        let (code, root, ..) = recomputed(&later, 3);
        assert!(
            code != 0 || root != outage.evidence_root(),
            "a moved restore changes the root"
        );
        let mut mixed = outage.evidence.clone();
        mixed[0].feeder = 5;
        assert_eq!(recomputed(&mixed, 3).0, 3);
        assert_eq!(
            recomputed(&outage.evidence, 6).0,
            5,
            "5 dark meters do not make 6"
        );
        assert_eq!(recomputed(&[], 3).0, 2);
        let mut bytes = event_bytes(&outage.evidence);
        bytes[0] = 7;
        put(&bytes);
        assert_eq!(recompute_outage(outage.evidence.len() as u32, 3), 1);
        put(&bytes[..20]);
        assert_eq!(recompute_outage(1, 3), 1);
    }

    #[test]
    fn subsidy_and_payout_are_the_contracts_rules() {
        let rate = 3u128 << 64 | 5;
        let none = MinReduction::NONE;
        let got = read_u128(subsidy(2_000, 500, 5, 3, u64::MAX, 0, 0, 0));
        assert_eq!(
            got,
            subsidy_rule(2_000, 500, rate, u128::from(u64::MAX), none)
        );
        assert!(got > 0);
        // A cut of 1 500 Wh is short of a 2 000 Wh minimum: nothing, here as on chain.
        let short = read_u128(subsidy(2_000, 500, 5, 3, u64::MAX, 0, 0, 2_000));
        let floor = MinReduction {
            share_bps: 0,
            wh: 2_000,
        };
        assert_eq!(short, 0);
        assert_eq!(
            short,
            subsidy_rule(2_000, 500, rate, u128::from(u64::MAX), floor)
        );
        let table = [
            Tier {
                min_minutes: 60,
                payout: 5,
            },
            Tier {
                min_minutes: 360,
                payout: 20,
            },
        ];
        let mut bytes = Vec::new();
        for t in &table {
            bytes.extend_from_slice(&t.min_minutes.to_le_bytes());
            bytes.extend_from_slice(&t.payout.to_le_bytes());
        }
        for minutes in [0, 59, 60, 180, 400] {
            put(&bytes);
            assert_eq!(
                read_u128(payout(minutes, 2)),
                tiers::payout_for(&table, minutes)
            );
        }
        assert_eq!(outage_minutes(0, 180 * 60_000 + 59_999), 180);
    }
}
