//! The utility's demand-response handlers and the regulator's, on the real Wasm in the sandbox: program
//! terms refused before signing and by the contract alike, a program funded, paused by the regulator
//! (and not by a stranger), an event announced once it resumes, closed only after its end, and the
//! program's audit.

use demand_response::{DemandResponse, ProgramTerms};
use gridtrust::utility::program::EventTimes;
use gridtrust_chain::{encode::call_builder, Chain};
use gridtrust_common::baseline::BaselineParams;
use gridtrust_tests::{fixtures::funded, refusal, DAY_MS, HOUR_MS, UNIT};

mod support;

use support::Stage;

#[test]
fn a_regulator_pauses_resumes_and_audits_what_a_utility_runs() {
    let mut stage = Stage::new();
    let utility = stage.grid.utility;
    let [regulator, stranger] = funded(&mut stage.chain, ["regulator", "stranger"], 1_000);
    let mut api = call_builder::<DemandResponse>(stage.contracts.demand);
    stage
        .chain
        .call(
            &stage.contracts.demand,
            api.grant_role(demand_response::REGULATOR, regulator),
            &utility,
            0,
        )
        .unwrap()
        .value
        .unwrap();

    let mut terms = ProgramTerms {
        rate_per_kwh: UNIT / 2,
        cap_per_event: 50 * UNIT,
        baseline: BaselineParams {
            highest: 6,
            lookback: 5,
            adjustment_cap_bps: 2_000,
        },
        dispute_window_ms: 48 * HOUR_MS,
        min_reduction: demand_response::MinReduction::NONE,
        utc_offset: 0,
    };
    // Checked off stage.chain with the contract's own rule, which the contract applies too.
    assert!(terms.problem().unwrap().starts_with("baseline"));
    let err = stage.by(utility).create_program(terms, 0).unwrap_err();
    assert_eq!(refusal(err), "InvalidTerms");
    terms.baseline.highest = 3;
    assert_eq!(terms.problem(), None);
    let program = stage.by(utility).create_program(terms, 100 * UNIT).unwrap();
    assert_eq!(
        stage.by(stranger).fund_program(program, 50 * UNIT).unwrap(),
        150 * UNIT
    );

    let err = stage.by(stranger).set_paused(program, true).unwrap_err();
    assert_eq!(refusal(err), "NotUtilityOrRegulator");
    stage.by(regulator).set_paused(program, true).unwrap();
    let start = stage.chain.now_ms() + DAY_MS;
    let times = EventTimes {
        start_ms: start,
        end_ms: start + 2 * HOUR_MS,
        opt_out_deadline_ms: start - HOUR_MS,
    };
    // The event's default day type follows the program's calendar: tomorrow made a holiday (from a
    // calendar file, as `utility program holidays` reads it) is a rest day.
    let tomorrow = u32::try_from(start / DAY_MS).unwrap();
    let weekday = !gridtrust_common::time::is_weekend(u64::from(tomorrow));
    assert_eq!(
        stage
            .by(utility)
            .starts_on_rest_day(program, start)
            .unwrap(),
        !weekday
    );
    let file = format!("{}\n", gridtrust::lodging::terms::show_day(tomorrow));
    let holidays = gridtrust::utility::calendar_file::parse(&file).unwrap();
    let err = stage
        .by(stranger)
        .set_holidays(program, holidays.clone())
        .unwrap_err();
    assert_eq!(refusal(err), "NotUtility");
    stage.by(utility).set_holidays(program, holidays).unwrap();
    assert!(stage
        .by(utility)
        .starts_on_rest_day(program, start)
        .unwrap());
    let err = stage.by(utility).announce(program, times, 0).unwrap_err();
    assert_eq!(refusal(err), "ProgramPaused");
    stage.by(regulator).set_paused(program, false).unwrap();
    let event = stage.by(utility).announce(program, times, 0).unwrap();
    let err = stage.by(utility).close_event(event).unwrap_err();
    assert_eq!(refusal(err), "EventNotEnded");
    let err = stage.by(regulator).resolve(event, 1001, None).unwrap_err();
    assert_eq!(refusal(err), "EntryNotFound");

    let a = stage.by(regulator).audit(program).unwrap();
    assert!(!a.paused);
    assert_eq!(a.events.len(), 1);
    assert_eq!((a.events[0].event, a.events[0].start_ms), (event, start));
    assert_eq!(a.events[0].entries, 0);
}
