//! Deployed contracts the tests of several crates start from.

use demand_response::{MinReduction, ProgramTerms};
use gridtrust_chain::{encode::call_builder, named_account, AccountId, Chain, Grid, SandboxChain};
use gridtrust_common::tiers::Tier;
use gridtrust_common::{baseline::BaselineParams, committee::Oracle};
use outage_insurance::{Affected, OutageInsurance, OutageReport, PoolTerms};

use crate::{DAY_MS, HOUR_MS, MINUTE_MS, UNIT};

/// A fresh sandbox chain with the grid's contracts deployed by a funded `utility`, and a 2-of-3
/// committee of funded `operator-1..3`.
pub fn committee_grid() -> (SandboxChain, Grid) {
    let mut chain = SandboxChain::new();
    let utility = named_account("utility");
    let operators: Vec<AccountId> = (1..=3)
        .map(|i| named_account(&format!("operator-{i}")))
        .collect();
    for who in operators.iter().chain([&utility]) {
        chain.fund(who, 1 << 100);
    }
    let grid = Grid::deploy(&mut chain, utility, operators, 2)
        .expect("contracts deploy (run `make contracts` first)");
    (chain, grid)
}

/// The accounts `names` (as [`named_account`] makes them), each funded with `tokens` whole tokens.
pub fn funded<const N: usize>(
    chain: &mut SandboxChain,
    names: [&str; N],
    tokens: u128,
) -> [AccountId; N] {
    names.map(|name| {
        let account = named_account(name);
        chain.fund(&account, tokens * UNIT);
        account
    })
}

/// Operators 1 and 2 (a quorum) send a heartbeat to the insurance contract: it sells cover only
/// while the committee has been heard from recently.
pub fn committee_heard(chain: &mut SandboxChain, grid: &Grid) {
    let insurance = grid.insurance.address;
    let mut api = call_builder::<OutageInsurance>(insurance);
    for operator in &grid.operators[..2] {
        chain
            .call(&insurance, api.heartbeat(), operator, 0)
            .unwrap()
            .value
            .expect("an operator's heartbeat is taken");
    }
}

/// The committee `grid`'s insurance contract runs (members, threshold), as `asker` reads it.
pub fn insurance_committee(
    chain: &mut impl Chain,
    grid: &Grid,
    asker: &AccountId,
) -> (Vec<AccountId>, u32) {
    let insurance = grid.insurance.address;
    let committee = call_builder::<OutageInsurance>(insurance).committee();
    chain
        .query(&insurance, committee, asker)
        .expect("the insurance contract answers")
}

/// A day's cover paying `tiers` (least minutes dark, payout), sold for `premium` and paying a policy
/// at most `aggregate_limit`: fully collateralized, planned outages excluded, at most 1,000 tokens a
/// feeder, and on sale while the committee was heard within the hour.
pub fn day_cover(tiers: &[(u32, u128)], premium: u128, aggregate_limit: u128) -> PoolTerms {
    PoolTerms {
        tiers: tiers
            .iter()
            .map(|&(min_minutes, payout)| Tier {
                min_minutes,
                payout,
            })
            .collect(),
        premium,
        coverage_ms: DAY_MS,
        waiting_ms: 0,
        exclude_planned: true,
        aggregate_limit,
        feeder_cap: 1_000 * UNIT,
        collateral_bps: 10_000,
        max_oracle_silence_ms: HOUR_MS,
    }
}

/// A demand-response programme quick enough for a test's clock: one millionth of a unit per kWh cut
/// (at most a thousandth per event), the baseline the highest day of the last two, entries
/// disputable for a minute, no least reduction, days in UTC.
pub fn minute_program_terms() -> ProgramTerms {
    ProgramTerms {
        rate_per_kwh: 1_000_000,
        cap_per_event: 1_000_000_000,
        baseline: BaselineParams {
            highest: 1,
            lookback: 2,
            adjustment_cap_bps: 0,
        },
        dispute_window_ms: MINUTE_MS,
        min_reduction: MinReduction::NONE,
        utc_offset: 0,
    }
}

/// An unplanned outage of all of `feeder` from `start_ms` to `end_ms`, as a committee reports it: the
/// contract's least bar of three dark meters, and `evidence_root` standing for the evidence (tests that
/// need one real use `gridtrust_oracle::outages::final_report`).
pub fn whole_feeder_outage(
    feeder: u32,
    start_ms: u64,
    end_ms: u64,
    evidence_root: [u8; 32],
) -> OutageReport {
    OutageReport {
        feeder,
        start_ms,
        end_ms,
        planned: false,
        affected: Affected::WholeFeeder,
        min_dark_meters: 3,
        evidence_root,
    }
}
