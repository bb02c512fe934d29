//! What one operator is and decides by: how demand-response results are computed from readings, and
//! what the operator does each round.

use demand_response::Holidays;
use gridtrust_chain::AccountId;
use gridtrust_common::calendar;

use crate::outages::OutageRule;

/// How demand-response results are computed from the stored readings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemandRule {
    /// Length of each reading interval (ms).
    pub interval_ms: u64,
    /// Length of the day-of adjustment window (ms).
    pub adjustment_len_ms: u64,
    /// Gap between the adjustment window's end and the event's start (ms).
    pub adjustment_gap_ms: u64,
    /// How long after an event's end to wait for late readings before computing (ms).
    pub report_delay_ms: u64,
    /// Day type of working days (Monday to Friday, and weekend days a calendar lists as worked), as
    /// the programs number them.
    pub weekday_type: u8,
    /// Day type of rest days: Saturday and Sunday, and a program's public holidays.
    pub weekend_type: u8,
    /// Most days before the event to take history from.
    pub history_days: u32,
}

impl Default for DemandRule {
    /// 15-minute intervals, a 2-hour adjustment window ending 1 hour before the event, no delay,
    /// weekdays 0 and weekends 1, up to 20 days of history.
    fn default() -> Self {
        Self {
            interval_ms: 900_000,
            adjustment_len_ms: 2 * 3_600_000,
            adjustment_gap_ms: 3_600_000,
            report_delay_ms: 0,
            weekday_type: 0,
            weekend_type: 1,
            history_days: 20,
        }
    }
}

impl DemandRule {
    /// The day type of local day `day` under a program's `holidays`: rest days (weekends not worked,
    /// public holidays) are `weekend_type`, the rest `weekday_type`.
    pub fn day_type(&self, day: u64, holidays: &Holidays) -> u8 {
        if calendar::is_rest_day(day, holidays) {
            self.weekend_type
        } else {
            self.weekday_type
        }
    }
}

/// What one operator does each round.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// The operator's account (a committee member; the chain client holds its key).
    pub operator: AccountId,
    /// How outages are decided.
    pub outages: OutageRule,
    /// How demand-response results are computed.
    pub demand: DemandRule,
    /// Whether this operator also triggers payouts and settlement.
    pub keeper: bool,
    /// Send the insurance contract a heartbeat when this operator was last heard longer ago than
    /// this (ms; 0: never), so pools keep selling while the committee runs.
    pub heartbeat_ms: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekends_and_holidays_are_rest_days() {
        let rule = DemandRule::default();
        let none = Holidays::default();
        // 1970-01-01 was a Thursday; 2026-11-27..30 are Friday to Monday.
        assert_eq!(rule.day_type(0, &none), 0);
        assert_eq!(rule.day_type(2, &none), 1);
        assert_eq!(
            [20784, 20785, 20786, 20787].map(|d| rule.day_type(d, &none)),
            [0, 1, 1, 0]
        );
        // That Friday a holiday, that Saturday worked.
        let moved = Holidays {
            rest_days: vec![20784],
            working_days: vec![20785],
        };
        assert_eq!(
            [20784, 20785, 20786, 20787].map(|d| rule.day_type(d, &moved)),
            [1, 0, 1, 0]
        );
    }
}
