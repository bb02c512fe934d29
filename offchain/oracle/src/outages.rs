//! The reports a feeder outage makes. The rule that decides outages, their evidence and its Merkle
//! leaves live in `gridtrust_common::outage`, the same code any verifier recomputes with; this module
//! only turns its outages into what the insurance contract takes.

pub use gridtrust_common::outage::{decide, outage_events, recompute, Outage, OutageRule};
use outage_insurance::{Affected, OutageReport, MAX_METERS_PER_REPORT};

/// Who a report says was hit when `meters` went dark: those meters, or the whole feeder when more
/// went dark than one report may list.
pub fn affected(meters: &[u64]) -> Affected {
    if meters.len() > MAX_METERS_PER_REPORT as usize {
        Affected::WholeFeeder
    } else {
        Affected::Meters(meters.to_vec())
    }
}

/// The final report of `outage`, decided under `rule`, with the root of its evidence; `None` while it
/// is open.
pub fn final_report(outage: &Outage, rule: &OutageRule) -> Option<OutageReport> {
    Some(OutageReport {
        feeder: outage.feeder,
        start_ms: outage.start_ms,
        end_ms: outage.end_ms?,
        planned: false,
        affected: affected(&outage.meters),
        min_dark_meters: rule.min_dark_meters,
        evidence_root: outage.evidence_root(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_outage_of_more_meters_than_a_report_may_list_names_the_whole_feeder() {
        let few: Vec<u64> = (0..3).collect();
        let many: Vec<u64> = (0..=u64::from(MAX_METERS_PER_REPORT)).collect();
        assert_eq!(affected(&few), Affected::Meters(few.clone()));
        assert_eq!(affected(&many), Affected::WholeFeeder);
    }
}
