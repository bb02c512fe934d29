//! # Demand-response subsidy settlement
//!
//! At peak times the utility pays customers to use less power. Here the load data behind every payment
//! is on chain, so the customer, the utility and the energy regulator see the same numbers, and a
//! customer can check the readings about them.
//!
//! ## Roles
//! The owner grants [`UTILITY`] (may create programs) and [`REGULATOR`] (may pause programs, dispute
//! and resolve entries, close events). Measurements come from the oracle committee (k of n,
//! `gridtrust_common::committee`).
//!
//! ## Flow
//! 1. A utility creates a **program** (rate per kWh reduced, cap per customer per event, baseline method,
//!    dispute window, minimum reduction, time zone) and funds its **budget**; anyone may add to it. It
//!    may give the program a **holiday calendar** (public holidays, weekend days worked), changing only
//!    days still to come: with the time zone it decides each local day's type for baselines.
//! 2. A customer **enrolls** a meter, proven theirs by a meter-holder attestation (cross-contract call,
//!    claim `claims::meter_holder_claim(meter, feeder)`).
//! 3. The utility **announces an event** (start, end, opt-out deadline, day type). Every meter enrolled
//!    before the start takes part unless its customer **opts out** before the deadline.
//! 4. After the end, the committee submits **measurement batches**: (meter, baseline Wh, actual Wh) plus
//!    the Merkle root of the interval readings behind them. A batch counts once `threshold` members sent
//!    identical content; then each entry's subsidy `min(max(0, baseline − actual) × rate / 1 000, cap)`
//!    is recorded, nothing when the reduction falls short of the program's minimum (a share of the
//!    baseline and/or Wh: noise below a high baseline is not performance)
//!    (`gridtrust_common::demand::subsidy`). Anyone can recompute a baseline from raw
//!    readings (`compute_baseline`) and check one reading against a batch root (`verify_reading`).
//! 5. The utility or regulator **closes** the event: no more batches; the dispute window starts.
//! 6. Until the window ends, the entry's customer or the regulator may **dispute** an entry; it is held
//!    until the utility or regulator **resolves** it, with corrected values or as is.
//! 7. After the window, **settlement** is permissionless and batched. Its first call fixes the event's
//!    allocation: `min(budget, total owed)` moves from the budget to the event. Each entry is paid once,
//!    `owed × allocation / total` rounded down (`demand::pro_rata`), so an under-funded event pays every
//!    customer the same fraction and never more than its allocation. An entry resolved after that is
//!    paid at the same fraction as far as the budget can fund the difference: a raise is paid only
//!    from what moves from the budget for it (never from other entries' reserved shares), and a cut
//!    returns the difference to the budget. When every entry is paid, the rounding remainder returns to the budget.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub use self::demand_response::{
    DemandResponse, DemandResponseRef, DrEvent, Enrollment, EnrollmentPeriod, Entry, EntryStatus,
    Error, Measurement, MeasurementBatch, Program, ProgramTerms, MAX_BATCH_ENTRIES, MAX_EVENT_MS,
    MAX_PARTICIPANT_QUERY, MAX_SETTLE_BATCH, REGULATOR, UTILITY,
};
pub use gridtrust_common::{calendar::Holidays, demand::MinReduction};

/// The contract's events, for decoding off-chain with the contract's own types.
pub mod events {
    pub use super::demand_response::{
        BudgetChanged, EntryDisputed, EntryPaid, EntryRecorded, EntryResolved, EventAnnounced,
        EventClosed, HolidaysSet, MeasurementsAccepted, MeterEnrolled, OptedOut, ProgramCreated,
        ProgramPaused, SettlementOpened,
    };
    pub use gridtrust_common::{
        access::{OwnershipProposed, OwnershipTransferred},
        committee::{CommitteeChanged, ReportFinalized, ReportVoted},
        meter_holders::AttestationsChanged,
        owed::{OwedClaimed, PaymentDeferred},
        roles::RoleChanged,
    };
}

/// Report id of measurement batch `index` of `event` in the committee.
pub fn batch_report_id(event: u64, index: u32) -> gridtrust_common::Digest {
    gridtrust_common::blake2_256_of(&(b"gridtrust/dr-batch", event, index))
}

#[gridtrust_messages::shared_messages(Owned, Oracle, MeterHolderSettings, OwedPayments)]
#[ink::contract]
mod demand_response {
    use gridtrust_common::{
        access::{AccessError, Owned, Ownership, RoleId},
        baseline::{self, Baseline, BaselineInput, BaselineParams, DayReadings},
        blake2_256_of,
        calendar::Holidays,
        committee::{Committee, CommitteeError, Oracle, ReportId, VoteOutcome},
        demand::{self, MinReduction},
        merkle::{self, MerkleProof},
        meter_holders::{MeterHolderSettings, MeterHolders, NotAHolder},
        owed::{Owed, OwedError, OwedPayments},
        roles::Roles,
        time::{self, UtcOffset},
        verifier::SchemaId,
        Digest,
    };
    use ink::{prelude::vec::Vec, storage::Mapping};

    /// Sequential id of a program.
    pub type ProgramId = u32;
    /// Sequential id of an event, across programs.
    pub type EventId = u64;
    /// A customer's meter.
    pub type MeterId = u64;
    /// A feeder of the grid.
    pub type FeederId = u32;

    /// Role that may create programs.
    pub const UTILITY: RoleId = 1;
    /// Role that may pause programs, dispute and resolve entries, and close events.
    pub const REGULATOR: RoleId = 2;
    /// Most entries in one measurement batch.
    pub const MAX_BATCH_ENTRIES: u32 = 100;
    /// Most meters one `participants` or `pending_entries` query asks about: the longest answer
    /// (an account for each) fits ink!'s 16 KiB buffer, which every input and output passes through.
    pub const MAX_PARTICIPANT_QUERY: u32 = 400;
    /// Most meters one `settle` call may name: the longest list fits ink!'s 16 KiB input buffer, so a
    /// call within the bound is decoded and answered, never trapped. Callers also size their calls
    /// from the chain's own limits (the oracle's `trigger::settle_batch`), never past this.
    pub const MAX_SETTLE_BATCH: u32 = 2_000;
    /// Longest event (6 hours, in ms): its baseline window of 15-minute readings must fit
    /// `baseline::MAX_INTERVALS`, so anyone can recompute it with `compute_baseline`.
    pub const MAX_EVENT_MS: u64 = 6 * gridtrust_common::time::HOUR_MS;
    /// Longest dispute window (30 days, in ms).
    pub const MAX_DISPUTE_WINDOW_MS: u64 = 30 * gridtrust_common::time::DAY_MS;

    /// A program's terms, fixed at creation.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct ProgramTerms {
        /// Paid per kWh reduced below the baseline.
        pub rate_per_kwh: Balance,
        /// Most one customer is paid for one event.
        pub cap_per_event: Balance,
        /// How baselines are computed.
        pub baseline: BaselineParams,
        /// How long after an event closes its entries may be disputed (ms).
        pub dispute_window_ms: u64,
        /// The least reduction that earns anything (`demand::subsidy`): below it an entry is
        /// recorded and earns nothing.
        pub min_reduction: MinReduction,
        /// The program's time zone, minutes east of UTC (480 for China): its days, and so its
        /// baselines' day types and event days, turn at local midnight (`gridtrust_common::time`).
        pub utc_offset: UtcOffset,
    }

    impl ProgramTerms {
        /// What makes these terms unusable for a program, in words, or `None` when `create_program`
        /// takes them: the contract refuses with `InvalidTerms` exactly when this names a problem, and
        /// off-chain tools check terms with it before anything is signed.
        pub fn problem(&self) -> Option<&'static str> {
            if self.rate_per_kwh == 0 {
                Some("rate per kWh: must be more than 0")
            } else if self.cap_per_event == 0 {
                Some("cap per event: must be more than 0")
            } else if !self.baseline.is_valid() {
                Some("baseline: highest X of Y days needs 1 <= X <= Y <= 30, and an adjustment cap of at most 10 000 bps")
            } else if self.dispute_window_ms == 0 || self.dispute_window_ms > MAX_DISPUTE_WINDOW_MS
            {
                Some("dispute window: longer than 0 and at most 30 days")
            } else if !self.min_reduction.is_valid() {
                Some("minimum reduction: a share of at most 10 000 bps (100 %)")
            } else if !time::is_valid_offset(self.utc_offset) {
                Some("time zone: an offset from UTC of at most 14 hours either way")
            } else {
                None
            }
        }
    }

    /// A program as stored.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct Program {
        /// The utility running it.
        pub utility: AccountId,
        /// Its terms.
        pub terms: ProgramTerms,
        /// Funds not yet allocated to an event.
        pub budget: Balance,
        /// Whether the regulator or utility paused it.
        pub paused: bool,
        /// Events announced and not yet fully paid; while any, the budget cannot be withdrawn.
        pub unsettled_events: u32,
        /// Events announced and not yet closed to measurements.
        pub open_events: u32,
        /// The earliest start (ms) among the open events, or earlier: it only moves later once none
        /// is open. An enrollment that ended after it may still decide who takes part in one.
        pub open_since: Timestamp,
    }

    /// A meter's enrollment in a program.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct Enrollment {
        /// Who is paid.
        pub customer: AccountId,
        /// The meter's feeder.
        pub feeder: FeederId,
        /// When it enrolled (ms); it takes part in events starting later.
        pub enrolled_at: Timestamp,
        /// When it left (ms), if it did; it still takes part in events that started before.
        pub left_at: Option<Timestamp>,
        /// The enrollment this one replaced (a new holder, or the same customer back after leaving),
        /// kept so that events it covered still pay whoever took part then.
        pub previous: Option<EnrollmentPeriod>,
    }

    /// An earlier enrollment of a meter: who, from when, until when (ms).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct EnrollmentPeriod {
        /// Who was paid.
        pub customer: AccountId,
        /// When it enrolled (ms).
        pub enrolled_at: Timestamp,
        /// When it ended (ms).
        pub ended_at: Timestamp,
    }

    impl Enrollment {
        /// Who took part, by this enrollment, in an event starting at `start`: participation is
        /// judged as of the event's start, so leaving or re-enrolling later changes nothing.
        pub fn participant_at(&self, start: Timestamp) -> Option<AccountId> {
            if self.enrolled_at < start && self.left_at.is_none_or(|left| left >= start) {
                return Some(self.customer);
            }
            self.previous
                .filter(|p| p.enrolled_at < start && p.ended_at >= start)
                .map(|p| p.customer)
        }

        /// Whether it is in force now (not left).
        pub fn active(&self) -> bool {
            self.left_at.is_none()
        }
    }

    /// A demand-response event as stored.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct DrEvent {
        /// Its program.
        pub program: ProgramId,
        /// Start (ms).
        pub start_ms: Timestamp,
        /// End (ms).
        pub end_ms: Timestamp,
        /// Opt-outs are accepted until then (ms).
        pub opt_out_deadline_ms: Timestamp,
        /// The day type its baselines compare with.
        pub day_type: u8,
        /// When it was closed to new batches (ms), if it was.
        pub closed_at: Option<Timestamp>,
        /// Batches accepted.
        pub batches: u32,
        /// Entries recorded.
        pub entries: u32,
        /// Entries paid.
        pub paid_entries: u32,
        /// Entries disputed and not yet resolved.
        pub open_disputes: u32,
        /// Sum of the entries' subsidies now.
        pub owed: Balance,
        /// Set when settlement opened: (allocation, total owed then).
        pub allocation: Option<(Balance, Balance)>,
        /// Allocated funds not yet paid out.
        pub reserve: Balance,
        /// Paid so far.
        pub paid: Balance,
        /// Whether every entry is paid and the remainder returned.
        pub settled: bool,
    }

    /// One meter's result in an event.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub enum EntryStatus {
        /// Awaiting settlement.
        Pending,
        /// Held: disputed and not yet resolved.
        Disputed,
        /// Paid.
        Paid,
    }

    /// One meter's measured result in an event.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct Entry {
        /// Who is paid.
        pub customer: AccountId,
        /// The batch it came in (its readings root verifies the readings).
        pub batch: u32,
        /// Baseline over the event (Wh).
        pub baseline_wh: u64,
        /// Actual load over the event (Wh).
        pub actual_wh: u64,
        /// Subsidy owed before any pro-rata scaling.
        pub subsidy: Balance,
        /// Where it is.
        pub status: EntryStatus,
        /// Paid to the customer.
        pub paid: Balance,
        /// What settlement pays, when a correction after settlement opened fixed it: the entry's
        /// earlier share plus only what the budget could add for the correction, so a raise is never
        /// paid out of other customers' reserved shares. `None`: its pro-rata share of the allocation.
        pub payable: Option<Balance>,
    }

    /// One line of a measurement batch.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    pub struct Measurement {
        /// The meter.
        pub meter: MeterId,
        /// Its baseline over the event (Wh).
        pub baseline_wh: u64,
        /// What it actually drew over the event (Wh).
        pub actual_wh: u64,
    }

    /// What committee members submit for an event.
    #[derive(Debug, Clone, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    pub struct MeasurementBatch {
        /// The event.
        pub event: EventId,
        /// The batch's number within the event (any distinct number per batch).
        pub index: u32,
        /// Entries, strictly ascending by meter, 1 to `MAX_BATCH_ENTRIES`.
        pub entries: Vec<Measurement>,
        /// Merkle root of the interval readings behind them (`demand::reading_leaf`).
        pub readings_root: Digest,
    }

    pub use codec::Error;

    // parity-scale-codec's derive casts `usize` variant indices to `u8` on data-carrying enums, which
    // trips cargo-contract's `-D clippy::cast_possible_truncation`; the allow covers only this type.
    #[allow(clippy::cast_possible_truncation)]
    mod codec {
        use super::MeterId;
        use gridtrust_common::{baseline::BaselineError, committee::CommitteeError};

        gridtrust_common::contract_error! {
        /// Every way a message of this contract can refuse.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[ink::scale_derive(Encode, Decode, TypeInfo)]
        pub enum Error {
            /// The committee refused the vote (not a member, double vote, already final, ...).
            Committee(CommitteeError),
            /// The baseline cannot be computed from the readings given.
            Baseline(BaselineError),
            /// No program with that id.
            ProgramNotFound,
            /// No event with that id.
            EventNotFound,
            /// No entry for that meter in the event.
            EntryNotFound,
            /// Only the program's utility may do this.
            NotUtility,
            /// Only the program's utility or a regulator may do this.
            NotUtilityOrRegulator,
            /// Only the entry's customer or a regulator may do this.
            NotCustomerOrRegulator,
            /// Terms out of range: zero rate or cap, bad baseline method, dispute window 0 or over
            /// 30 days.
            InvalidTerms,
            /// The event times are inconsistent: start in the past, end not after start, longer than
            /// `MAX_EVENT_MS`, or the opt-out deadline after the start.
            InvalidEvent,
            /// The program is paused.
            ProgramPaused,
            /// The budget holds less than that.
            InsufficientBudget,
            /// Events of the program are not yet fully paid; the budget stays.
            BudgetCommitted,
            /// The caller holds no valid meter-holder attestation for this meter and feeder.
            NotMeterHolder,
            /// The meter is not enrolled by the caller.
            NotEnrolled,
            /// The opt-out deadline has passed.
            OptOutClosed,
            /// The meter has already opted out of the event.
            AlreadyOptedOut,
            /// The batch is malformed: no entries, more than `MAX_BATCH_ENTRIES`, or meters not
            /// strictly ascending.
            InvalidBatch,
            /// `meter` does not take part in the event (not enrolled before its start, or opted out).
            NotParticipating {
                /// The meter.
                meter: MeterId,
            },
            /// `meter` already has an entry in the event.
            AlreadyMeasured {
                /// The meter.
                meter: MeterId,
            },
            /// The event has not ended yet.
            EventNotEnded,
            /// The event is closed to new batches.
            EventClosed,
            /// The event is not closed yet.
            EventNotClosed,
            /// The dispute window has closed.
            DisputeWindowClosed,
            /// The dispute window is still open: settlement waits for it.
            DisputeWindowOpen,
            /// The entry is not in a state that allows this.
            WrongStatus,
            /// At most `MAX_SETTLE_BATCH` meters per `settle` call.
            InvalidSettleBatch,
            /// Changing this meter's enrollment again would forget who took part in an event still
            /// open to measurements: it can change once that event is closed.
            EnrollmentInUse,
            /// A holiday calendar out of order, listing a day twice, or longer than
            /// `calendar::MAX_CALENDAR_DAYS`.
            InvalidCalendar,
            /// A new holiday calendar may change only days after today (the program's local day):
            /// baselines already computed must not change under them.
            CalendarPastChanged,
        }
        }
    }

    /// Result of this contract's messages.
    pub type Result<T> = core::result::Result<T, Error>;

    /// A program was created.
    #[ink(event)]
    pub struct ProgramCreated {
        /// Its id.
        #[ink(topic)]
        pub program: ProgramId,
        /// Its utility.
        #[ink(topic)]
        pub utility: AccountId,
        /// Its terms.
        pub terms: ProgramTerms,
    }

    /// A program's holiday calendar was set.
    #[ink(event)]
    pub struct HolidaysSet {
        /// The program.
        #[ink(topic)]
        pub program: ProgramId,
        /// The calendar now in force.
        pub holidays: Holidays,
    }

    /// A program's unallocated budget changed (funded, withdrawn, allocated or returned).
    #[ink(event)]
    pub struct BudgetChanged {
        /// The program.
        #[ink(topic)]
        pub program: ProgramId,
        /// The budget now.
        pub budget: Balance,
    }

    /// A program was paused or resumed.
    #[ink(event)]
    pub struct ProgramPaused {
        /// The program.
        #[ink(topic)]
        pub program: ProgramId,
        /// Whether it is paused now.
        pub paused: bool,
        /// Who did it.
        pub by: AccountId,
    }

    /// A meter was enrolled (or re-enrolled by its new holder), or unenrolled.
    #[ink(event)]
    pub struct MeterEnrolled {
        /// The program.
        #[ink(topic)]
        pub program: ProgramId,
        /// The meter.
        #[ink(topic)]
        pub meter: MeterId,
        /// The customer, or `None` when unenrolled.
        pub customer: Option<AccountId>,
    }

    /// An event was announced.
    #[ink(event)]
    pub struct EventAnnounced {
        /// Its id.
        #[ink(topic)]
        pub event: EventId,
        /// Its program.
        #[ink(topic)]
        pub program: ProgramId,
        /// Start (ms).
        pub start_ms: Timestamp,
        /// End (ms).
        pub end_ms: Timestamp,
        /// Opt-out deadline (ms).
        pub opt_out_deadline_ms: Timestamp,
        /// Day type for baselines.
        pub day_type: u8,
    }

    /// A meter opted out of an event.
    #[ink(event)]
    pub struct OptedOut {
        /// The event.
        #[ink(topic)]
        pub event: EventId,
        /// The meter.
        #[ink(topic)]
        pub meter: MeterId,
    }

    /// The committee's batch was accepted.
    #[ink(event)]
    pub struct MeasurementsAccepted {
        /// The event.
        #[ink(topic)]
        pub event: EventId,
        /// The batch number.
        pub index: u32,
        /// Root of the readings behind it.
        pub readings_root: Digest,
        /// Entries recorded.
        pub entries: u32,
    }

    /// One meter's entry was recorded, so its customer can watch by topic.
    #[ink(event)]
    pub struct EntryRecorded {
        /// The event.
        #[ink(topic)]
        pub event: EventId,
        /// The meter.
        #[ink(topic)]
        pub meter: MeterId,
        /// The customer.
        #[ink(topic)]
        pub customer: AccountId,
        /// Baseline (Wh).
        pub baseline_wh: u64,
        /// Actual (Wh).
        pub actual_wh: u64,
        /// Subsidy owed.
        pub subsidy: Balance,
    }

    /// An event was closed to new batches; disputes are open until `disputes_until`.
    #[ink(event)]
    pub struct EventClosed {
        /// The event.
        #[ink(topic)]
        pub event: EventId,
        /// Total owed now.
        pub owed: Balance,
        /// End of the dispute window (ms).
        pub disputes_until: Timestamp,
    }

    /// Settlement of an event opened: its allocation was fixed.
    #[ink(event)]
    pub struct SettlementOpened {
        /// The event.
        #[ink(topic)]
        pub event: EventId,
        /// Total owed.
        pub owed: Balance,
        /// Allocated from the budget (less than owed: every payment scaled by allocation / owed).
        pub allocation: Balance,
    }

    /// An entry was disputed and is held.
    #[ink(event)]
    pub struct EntryDisputed {
        /// The event.
        #[ink(topic)]
        pub event: EventId,
        /// The meter.
        #[ink(topic)]
        pub meter: MeterId,
        /// Who disputed it.
        pub by: AccountId,
    }

    /// A disputed entry was resolved.
    #[ink(event)]
    pub struct EntryResolved {
        /// The event.
        #[ink(topic)]
        pub event: EventId,
        /// The meter.
        #[ink(topic)]
        pub meter: MeterId,
        /// Baseline now (Wh).
        pub baseline_wh: u64,
        /// Actual now (Wh).
        pub actual_wh: u64,
        /// Subsidy owed now.
        pub subsidy: Balance,
        /// Whether the values were corrected (else resolved as is).
        pub corrected: bool,
    }

    /// An entry was paid.
    #[ink(event)]
    pub struct EntryPaid {
        /// The event.
        #[ink(topic)]
        pub event: EventId,
        /// The meter.
        #[ink(topic)]
        pub meter: MeterId,
        /// The customer.
        #[ink(topic)]
        pub customer: AccountId,
        /// Amount paid.
        pub amount: Balance,
    }

    /// The settlement registry: programs, enrollments, events, entries and the oracle committee.
    #[ink(storage)]
    pub struct DemandResponse {
        /// Who grants roles and points enrollment checks elsewhere.
        owner: Ownership,
        /// Who may create programs ([`UTILITY`]) and oversee them ([`REGULATOR`]).
        roles: Roles,
        /// The operators whose k-of-n measurement batches decide entries, and so subsidies.
        committee: Committee,
        /// Where customers are checked to hold the meter they enroll.
        meter_holders: MeterHolders,
        /// Every program by id.
        programs: Mapping<ProgramId, Program>,
        /// A program's public holidays and worked weekend days; none stored: Monday to Friday work.
        holidays: Mapping<ProgramId, Holidays>,
        /// The id the next program gets.
        next_program: ProgramId,
        /// (program, meter) → who enrolled it and since when: decides who takes part in an event.
        enrollments: Mapping<(ProgramId, MeterId), Enrollment>,
        /// Every event by id, across programs.
        events: Mapping<EventId, DrEvent>,
        /// The id the next event gets.
        next_event: EventId,
        /// (event, meter) present when the meter opted out of the event.
        opt_outs: Mapping<(EventId, MeterId), ()>,
        /// (event, meter) → its measured entry, the basis of its subsidy.
        entries: Mapping<(EventId, MeterId), Entry>,
        /// (event, batch) → Merkle root of the readings behind the batch, for customers to check.
        batch_roots: Mapping<(EventId, u32), Digest>,
        /// Subsidies whose transfer the chain refused, kept for the customer to claim.
        owed: Owed,
    }

    impl DemandResponse {
        /// Deploys with the attestations contract and meter-holder schema customers are checked
        /// against, and the oracle committee. The caller becomes the owner.
        #[ink(constructor)]
        pub fn new(
            attestations: AccountId,
            meter_schema: SchemaId,
            members: Vec<AccountId>,
            threshold: u32,
        ) -> Result<Self> {
            Ok(Self {
                owner: Ownership::new(Self::env().caller()),
                roles: Roles::default(),
                committee: Committee::new(members, threshold).map_err(Error::Committee)?,
                meter_holders: MeterHolders::new(attestations, meter_schema),
                programs: Mapping::new(),
                holidays: Mapping::new(),
                next_program: 0,
                enrollments: Mapping::new(),
                events: Mapping::new(),
                next_event: 0,
                opt_outs: Mapping::new(),
                entries: Mapping::new(),
                batch_roots: Mapping::new(),
                owed: Owed::default(),
            })
        }

        // ---- administration --------------------------------------------------------------------

        /// Grants `role` ([`UTILITY`] or [`REGULATOR`]) to `account` (owner only). Emits
        /// `RoleChanged` when newly granted.
        ///
        /// # Errors
        /// `Access(NotOwner)`.
        #[ink(message)]
        pub fn grant_role(&mut self, role: RoleId, account: AccountId) -> Result<()> {
            self.owner
                .ensure_owner(self.env().caller())
                .map_err(Error::Access)?;
            self.roles.grant(role, account);
            Ok(())
        }

        /// Takes `role` from `account` (owner only). Emits `RoleChanged` when it was held.
        ///
        /// # Errors
        /// `Access(NotOwner)`.
        #[ink(message)]
        pub fn revoke_role(&mut self, role: RoleId, account: AccountId) -> Result<()> {
            self.owner
                .ensure_owner(self.env().caller())
                .map_err(Error::Access)?;
            self.roles.revoke(role, account);
            Ok(())
        }

        // ---- programs and budget ---------------------------------------------------------------

        /// Creates a program run by the caller, who must hold [`UTILITY`]; the value sent is its
        /// first budget. Emits `ProgramCreated`.
        ///
        /// # Errors
        /// `Access(MissingRole)`; `InvalidTerms`; `Overflow`.
        #[ink(message, payable)]
        pub fn create_program(&mut self, terms: ProgramTerms) -> Result<ProgramId> {
            let utility = self.env().caller();
            self.roles.ensure(UTILITY, utility).map_err(Error::Access)?;
            if terms.problem().is_some() {
                return Err(Error::InvalidTerms);
            }
            let id = self.next_program;
            self.next_program = id.checked_add(1).ok_or(Error::Overflow)?;
            let budget = self.env().transferred_value();
            self.programs.insert(
                id,
                &Program {
                    utility,
                    terms,
                    budget,
                    paused: false,
                    unsettled_events: 0,
                    open_events: 0,
                    open_since: 0,
                },
            );
            self.env().emit_event(ProgramCreated {
                program: id,
                utility,
                terms,
            });
            self.env().emit_event(BudgetChanged {
                program: id,
                budget,
            });
            Ok(id)
        }

        /// Adds the value sent to `program`'s budget (anyone may). Emits `BudgetChanged`.
        ///
        /// # Errors
        /// `ZeroAmount`; `ProgramNotFound`; `Overflow`.
        #[ink(message, payable)]
        pub fn fund_program(&mut self, program: ProgramId) -> Result<Balance> {
            let amount = self.env().transferred_value();
            if amount == 0 {
                return Err(Error::ZeroAmount);
            }
            let mut p = self.program_or_err(program)?;
            p.budget = p.budget.checked_add(amount).ok_or(Error::Overflow)?;
            self.save_budget(program, &p);
            Ok(p.budget)
        }

        /// Pays `amount` of the budget back to the program's utility, only while none of its events
        /// awaits payment. Emits `BudgetChanged`.
        ///
        /// # Errors
        /// `ProgramNotFound`; `NotUtility`; `ZeroAmount`; `BudgetCommitted`; `InsufficientBudget`;
        /// `TransferFailed`.
        #[ink(message)]
        pub fn withdraw_budget(&mut self, program: ProgramId, amount: Balance) -> Result<Balance> {
            let mut p = self.program_or_err(program)?;
            if p.utility != self.env().caller() {
                return Err(Error::NotUtility);
            }
            if amount == 0 {
                return Err(Error::ZeroAmount);
            }
            if p.unsettled_events > 0 {
                return Err(Error::BudgetCommitted);
            }
            p.budget = p
                .budget
                .checked_sub(amount)
                .ok_or(Error::InsufficientBudget)?;
            self.save_budget(program, &p);
            self.pay(p.utility, amount)?;
            Ok(p.budget)
        }

        /// Sets `program`'s holiday calendar (its utility only): the local days that are public
        /// holidays and the weekend days worked instead, which decide its baselines' day types
        /// (`gridtrust_common::calendar::is_rest_day`). Days up to today, by the program's local
        /// date, must stay as they were; days more than `calendar::KEPT_PAST_DAYS` ago are dropped,
        /// whether listed or not. Emits `HolidaysSet` with the calendar kept.
        ///
        /// # Errors
        /// `ProgramNotFound`; `NotUtility`; `InvalidCalendar`; `CalendarPastChanged`.
        #[ink(message)]
        pub fn set_holidays(&mut self, program: ProgramId, holidays: Holidays) -> Result<()> {
            let p = self.program_or_err(program)?;
            if p.utility != self.env().caller() {
                return Err(Error::NotUtility);
            }
            let today = time::local_day(self.env().block_timestamp(), p.terms.utc_offset);
            let today = u32::try_from(today).unwrap_or(u32::MAX);
            // Days long past are dropped from both, so a calendar full of them never freezes.
            let holidays = holidays.kept(today);
            if holidays.problem().is_some() {
                return Err(Error::InvalidCalendar);
            }
            let old = self.holidays.get(program).unwrap_or_default().kept(today);
            if old.until(today) != holidays.until(today) {
                return Err(Error::CalendarPastChanged);
            }
            self.holidays.insert(program, &holidays);
            self.env().emit_event(HolidaysSet { program, holidays });
            Ok(())
        }

        /// Pauses or resumes `program` (its utility or a regulator). A paused program takes no
        /// enrollments, events or batches and pays nothing; disputes and resolutions go on. Emits
        /// `ProgramPaused`.
        ///
        /// # Errors
        /// `ProgramNotFound`; `NotUtilityOrRegulator`.
        #[ink(message)]
        pub fn set_paused(&mut self, program: ProgramId, paused: bool) -> Result<()> {
            let mut p = self.program_or_err(program)?;
            let by = self.env().caller();
            self.ensure_utility_or_regulator(&p, by)?;
            p.paused = paused;
            self.programs.insert(program, &p);
            self.env().emit_event(ProgramPaused {
                program,
                paused,
                by,
            });
            Ok(())
        }

        // ---- customers -------------------------------------------------------------------------

        /// Enrolls `meter` on `feeder` in `program` for the caller, who must hold a valid meter-holder
        /// attestation of that meter and feeder. A new holder re-enrolling replaces the old one; events
        /// that started before keep paying whoever was enrolled then. The customer already enrolled
        /// enrolling again changes nothing but the feeder. Emits `MeterEnrolled`.
        ///
        /// # Errors
        /// `ProgramNotFound`, `ProgramPaused`; `NotMeterHolder`, `AttestationsUnavailable`;
        /// `EnrollmentInUse` when the change would forget a participant of an open event (a
        /// meter keeps its current and one earlier enrollment).
        #[ink(message)]
        pub fn enroll(
            &mut self,
            program: ProgramId,
            meter: MeterId,
            feeder: FeederId,
        ) -> Result<()> {
            let p = self.program_or_err(program)?;
            if p.paused {
                return Err(Error::ProgramPaused);
            }
            let customer = self.env().caller();
            self.meter_holders
                .check(customer, meter, feeder)
                .map_err(|e| match e {
                    NotAHolder::NotAttested => Error::NotMeterHolder,
                    NotAHolder::Unavailable => Error::AttestationsUnavailable,
                })?;
            let now = self.env().block_timestamp();
            let old = self.enrollments.get((program, meter));
            let enrollment = match old {
                // Enrolling again must not restart the enrollment: that would forget its past.
                Some(old) if old.customer == customer && old.active() => {
                    Enrollment { feeder, ..old }
                }
                _ => {
                    // The replaced enrollment becomes the previous one and its previous is
                    // forgotten, which only an event that started while it was in force can miss.
                    let forgotten = old.and_then(|o| o.previous);
                    if forgotten.is_some_and(|q| p.open_events > 0 && q.ended_at >= p.open_since) {
                        return Err(Error::EnrollmentInUse);
                    }
                    Enrollment {
                        customer,
                        feeder,
                        enrolled_at: now,
                        left_at: None,
                        previous: old.map(|old| EnrollmentPeriod {
                            customer: old.customer,
                            enrolled_at: old.enrolled_at,
                            ended_at: old.left_at.unwrap_or(now),
                        }),
                    }
                }
            };
            self.enrollments.insert((program, meter), &enrollment);
            self.env().emit_event(MeterEnrolled {
                program,
                meter,
                customer: Some(customer),
            });
            Ok(())
        }

        /// Withdraws the caller's `meter` from `program`: it takes part in no event starting later;
        /// events that started before still count it. Emits `MeterEnrolled` with no customer.
        ///
        /// # Errors
        /// `NotEnrolled` unless the caller's enrollment of the meter is in force.
        #[ink(message)]
        pub fn unenroll(&mut self, program: ProgramId, meter: MeterId) -> Result<()> {
            let mut en = self.enrollment_of_caller(program, meter)?;
            en.left_at = Some(self.env().block_timestamp());
            self.enrollments.insert((program, meter), &en);
            self.env().emit_event(MeterEnrolled {
                program,
                meter,
                customer: None,
            });
            Ok(())
        }

        /// Opts the caller's `meter` out of `event`, before its opt-out deadline. Emits `OptedOut`.
        ///
        /// # Errors
        /// `EventNotFound`; `NotEnrolled`; `OptOutClosed`; `AlreadyOptedOut`.
        #[ink(message)]
        pub fn opt_out(&mut self, event: EventId, meter: MeterId) -> Result<()> {
            let e = self.event_or_err(event)?;
            self.enrollment_of_caller(e.program, meter)?;
            if self.env().block_timestamp() > e.opt_out_deadline_ms {
                return Err(Error::OptOutClosed);
            }
            if self.opt_outs.insert((event, meter), &()).is_some() {
                return Err(Error::AlreadyOptedOut);
            }
            self.env().emit_event(OptedOut { event, meter });
            Ok(())
        }

        // ---- events and measurements -----------------------------------------------------------

        /// Announces an event of `program` (its utility only): enrolled meters take part unless they
        /// opt out by `opt_out_deadline_ms`. Emits `EventAnnounced`.
        ///
        /// # Errors
        /// `ProgramNotFound`; `NotUtility`; `ProgramPaused`; `InvalidEvent`; `Overflow`.
        #[ink(message)]
        pub fn announce_event(
            &mut self,
            program: ProgramId,
            start_ms: Timestamp,
            end_ms: Timestamp,
            opt_out_deadline_ms: Timestamp,
            day_type: u8,
        ) -> Result<EventId> {
            let mut p = self.program_or_err(program)?;
            if p.utility != self.env().caller() {
                return Err(Error::NotUtility);
            }
            if p.paused {
                return Err(Error::ProgramPaused);
            }
            let length = end_ms.saturating_sub(start_ms);
            if start_ms <= self.env().block_timestamp()
                || length == 0
                || length > MAX_EVENT_MS
                || opt_out_deadline_ms > start_ms
            {
                return Err(Error::InvalidEvent);
            }
            p.unsettled_events = p.unsettled_events.checked_add(1).ok_or(Error::Overflow)?;
            p.open_since = if p.open_events == 0 {
                start_ms
            } else {
                p.open_since.min(start_ms)
            };
            p.open_events = p.open_events.checked_add(1).ok_or(Error::Overflow)?;
            self.programs.insert(program, &p);
            let id = self.next_event;
            self.next_event = id.checked_add(1).ok_or(Error::Overflow)?;
            self.events.insert(
                id,
                &DrEvent {
                    program,
                    start_ms,
                    end_ms,
                    opt_out_deadline_ms,
                    day_type,
                    closed_at: None,
                    batches: 0,
                    entries: 0,
                    paid_entries: 0,
                    open_disputes: 0,
                    owed: 0,
                    allocation: None,
                    reserve: 0,
                    paid: 0,
                    settled: false,
                },
            );
            self.env().emit_event(EventAnnounced {
                event: id,
                program,
                start_ms,
                end_ms,
                opt_out_deadline_ms,
                day_type,
            });
            Ok(id)
        }

        /// A committee member's vote for a measurement batch, once the event has ended and before it
        /// closes. Every vote checks the batch; the vote that finalizes it records its entries. Emits
        /// `ReportVoted`; when final, `ReportFinalized`, `EntryRecorded` per entry and
        /// `MeasurementsAccepted`.
        ///
        /// # Errors
        /// `EventNotFound`, `EventClosed`, `ProgramNotFound`, `ProgramPaused`; `EventNotEnded`;
        /// `InvalidBatch`; `NotParticipating` / `AlreadyMeasured` name the meter; `Committee` when the
        /// vote cannot count.
        #[ink(message)]
        pub fn submit_measurements(&mut self, batch: MeasurementBatch) -> Result<VoteOutcome> {
            let (mut e, p) = self.open_event(batch.event)?;
            if self.env().block_timestamp() < e.end_ms {
                return Err(Error::EventNotEnded);
            }
            let count = u32::try_from(batch.entries.len()).unwrap_or(u32::MAX);
            if count == 0
                || count > MAX_BATCH_ENTRIES
                || batch.entries.windows(2).any(|w| w[0].meter >= w[1].meter)
            {
                return Err(Error::InvalidBatch);
            }
            let mut customers = Vec::with_capacity(batch.entries.len());
            for m in &batch.entries {
                customers.push(self.participant(batch.event, &e, m.meter)?);
            }
            let outcome = self
                .committee
                .vote(
                    self.env().caller(),
                    crate::batch_report_id(batch.event, batch.index),
                    blake2_256_of(&batch),
                )
                .map_err(Error::Committee)?;
            if outcome != VoteOutcome::Finalized {
                return Ok(outcome);
            }
            for (m, customer) in batch.entries.iter().zip(customers) {
                let subsidy = demand::subsidy(
                    m.baseline_wh,
                    m.actual_wh,
                    p.terms.rate_per_kwh,
                    p.terms.cap_per_event,
                    p.terms.min_reduction,
                );
                e.owed = e.owed.checked_add(subsidy).ok_or(Error::Overflow)?;
                self.entries.insert(
                    (batch.event, m.meter),
                    &Entry {
                        customer,
                        batch: batch.index,
                        baseline_wh: m.baseline_wh,
                        actual_wh: m.actual_wh,
                        subsidy,
                        status: EntryStatus::Pending,
                        paid: 0,
                        payable: None,
                    },
                );
                self.env().emit_event(EntryRecorded {
                    event: batch.event,
                    meter: m.meter,
                    customer,
                    baseline_wh: m.baseline_wh,
                    actual_wh: m.actual_wh,
                    subsidy,
                });
            }
            e.entries = e.entries.checked_add(count).ok_or(Error::Overflow)?;
            e.batches = e.batches.checked_add(1).ok_or(Error::Overflow)?;
            self.events.insert(batch.event, &e);
            self.batch_roots
                .insert((batch.event, batch.index), &batch.readings_root);
            self.env().emit_event(MeasurementsAccepted {
                event: batch.event,
                index: batch.index,
                readings_root: batch.readings_root,
                entries: count,
            });
            Ok(outcome)
        }

        /// Closes `event` to new batches (the program's utility or a regulator), after its end; the
        /// dispute window starts now. Emits `EventClosed`.
        ///
        /// # Errors
        /// `EventNotFound`, `EventClosed`, `ProgramNotFound`, `ProgramPaused`;
        /// `NotUtilityOrRegulator`; `EventNotEnded`.
        #[ink(message)]
        pub fn close_event(&mut self, event: EventId) -> Result<Timestamp> {
            let (mut e, mut p) = self.open_event(event)?;
            self.ensure_utility_or_regulator(&p, self.env().caller())?;
            let now = self.env().block_timestamp();
            if now < e.end_ms {
                return Err(Error::EventNotEnded);
            }
            e.closed_at = Some(now);
            self.events.insert(event, &e);
            p.open_events = p.open_events.saturating_sub(1);
            self.programs.insert(e.program, &p);
            let disputes_until = now
                .checked_add(p.terms.dispute_window_ms)
                .ok_or(Error::Overflow)?;
            self.env().emit_event(EventClosed {
                event,
                owed: e.owed,
                disputes_until,
            });
            Ok(disputes_until)
        }

        // ---- disputes --------------------------------------------------------------------------

        /// Disputes `meter`'s entry in `event` (its customer or a regulator), before the dispute
        /// window closes; the entry is held until resolved. Emits `EntryDisputed`.
        ///
        /// # Errors
        /// `EventNotFound`, `ProgramNotFound`, `EntryNotFound`; `NotCustomerOrRegulator`;
        /// `DisputeWindowClosed`; `WrongStatus` unless the entry is pending.
        #[ink(message)]
        pub fn dispute(&mut self, event: EventId, meter: MeterId) -> Result<()> {
            let mut e = self.event_or_err(event)?;
            let p = self.program_or_err(e.program)?;
            let mut entry = self.entry_or_err(event, meter)?;
            let by = self.env().caller();
            if by != entry.customer && !self.roles.has(REGULATOR, by) {
                return Err(Error::NotCustomerOrRegulator);
            }
            if let Some(closed) = e.closed_at {
                let until = closed
                    .checked_add(p.terms.dispute_window_ms)
                    .ok_or(Error::Overflow)?;
                if self.env().block_timestamp() >= until {
                    return Err(Error::DisputeWindowClosed);
                }
            }
            if entry.status != EntryStatus::Pending {
                return Err(Error::WrongStatus);
            }
            entry.status = EntryStatus::Disputed;
            self.entries.insert((event, meter), &entry);
            e.open_disputes = e.open_disputes.checked_add(1).ok_or(Error::Overflow)?;
            self.events.insert(event, &e);
            self.env().emit_event(EntryDisputed { event, meter, by });
            Ok(())
        }

        /// Resolves a disputed entry (the program's utility or a regulator): with `correction`
        /// (baseline Wh, actual Wh) its subsidy is recomputed, without it the entry stands as is. Either
        /// way it can be settled again. After settlement opened, a raise is paid only from what the
        /// budget adds for it now, and a cut returns the difference to the budget. Emits
        /// `EntryResolved` (and `BudgetChanged` after settlement opened).
        ///
        /// # Errors
        /// `EventNotFound`, `ProgramNotFound`, `EntryNotFound`; `NotUtilityOrRegulator`; `WrongStatus`
        /// unless the entry is disputed.
        #[ink(message)]
        pub fn resolve(
            &mut self,
            event: EventId,
            meter: MeterId,
            correction: Option<(u64, u64)>,
        ) -> Result<Balance> {
            let mut e = self.event_or_err(event)?;
            let mut p = self.program_or_err(e.program)?;
            self.ensure_utility_or_regulator(&p, self.env().caller())?;
            let mut entry = self.entry_or_err(event, meter)?;
            if entry.status != EntryStatus::Disputed {
                return Err(Error::WrongStatus);
            }
            if let Some((baseline_wh, actual_wh)) = correction {
                let subsidy = demand::subsidy(
                    baseline_wh,
                    actual_wh,
                    p.terms.rate_per_kwh,
                    p.terms.cap_per_event,
                    p.terms.min_reduction,
                );
                e.owed = e
                    .owed
                    .checked_sub(entry.subsidy)
                    .and_then(|o| o.checked_add(subsidy))
                    .ok_or(Error::Overflow)?;
                if let Some((allocation, total)) = e.allocation {
                    // Settlement is open: the reserve holds this entry's share already. A raise is
                    // paid only from what the budget moves to the reserve for it now; a cut returns
                    // the difference to the budget.
                    let before = entry
                        .payable
                        .unwrap_or_else(|| demand::pro_rata(entry.subsidy, allocation, total));
                    let after = demand::pro_rata(subsidy, allocation, total);
                    let payable = if after > before {
                        let extra = after.saturating_sub(before).min(p.budget);
                        p.budget = p.budget.checked_sub(extra).ok_or(Error::Overflow)?;
                        e.reserve = e.reserve.checked_add(extra).ok_or(Error::Overflow)?;
                        before.checked_add(extra).ok_or(Error::Overflow)?
                    } else {
                        // The reserve always holds every pending entry's share, this one's too;
                        // `min` only keeps a broken invariant from locking the correction.
                        let freed = before.saturating_sub(after).min(e.reserve);
                        e.reserve = e.reserve.checked_sub(freed).ok_or(Error::Overflow)?;
                        p.budget = p.budget.checked_add(freed).ok_or(Error::Overflow)?;
                        after
                    };
                    entry.payable = Some(payable);
                    self.save_budget(e.program, &p);
                }
                entry.baseline_wh = baseline_wh;
                entry.actual_wh = actual_wh;
                entry.subsidy = subsidy;
            }
            entry.status = EntryStatus::Pending;
            self.entries.insert((event, meter), &entry);
            e.open_disputes = e.open_disputes.checked_sub(1).ok_or(Error::Overflow)?;
            self.events.insert(event, &e);
            self.env().emit_event(EntryResolved {
                event,
                meter,
                baseline_wh: entry.baseline_wh,
                actual_wh: entry.actual_wh,
                subsidy: entry.subsidy,
                corrected: correction.is_some(),
            });
            Ok(entry.subsidy)
        }

        // ---- settlement ------------------------------------------------------------------------

        /// Pays the listed meters' entries in `event` (anyone may call, after the dispute window):
        /// each pending entry once, scaled pro rata when the budget fell short; disputed, paid and
        /// unknown ones are skipped. The first call fixes the event's allocation; the call that pays
        /// the last entry (an empty list does, for an event with none) returns the remainder to the
        /// budget. A refused transfer is kept for the customer to `claim_owed`. Returns the number
        /// paid. Emits `SettlementOpened` (first call), `EntryPaid` per entry, `BudgetChanged`.
        ///
        /// # Errors
        /// `InvalidSettleBatch` past `MAX_SETTLE_BATCH` meters; `EventNotFound`; `ProgramPaused`;
        /// `EventNotClosed`; `DisputeWindowOpen`.
        #[ink(message)]
        pub fn settle(&mut self, event: EventId, meters: Vec<MeterId>) -> Result<u32> {
            let count = u32::try_from(meters.len()).unwrap_or(u32::MAX);
            if count > MAX_SETTLE_BATCH {
                return Err(Error::InvalidSettleBatch);
            }
            let mut e = self.event_or_err(event)?;
            let mut p = self.program_or_err(e.program)?;
            if p.paused {
                return Err(Error::ProgramPaused);
            }
            let closed = e.closed_at.ok_or(Error::EventNotClosed)?;
            let until = closed
                .checked_add(p.terms.dispute_window_ms)
                .ok_or(Error::Overflow)?;
            if self.env().block_timestamp() < until {
                return Err(Error::DisputeWindowOpen);
            }
            let (allocation, total) = match e.allocation {
                Some(fixed) => fixed,
                None => {
                    let allocation = e.owed.min(p.budget);
                    p.budget = p.budget.checked_sub(allocation).ok_or(Error::Overflow)?;
                    e.reserve = allocation;
                    e.allocation = Some((allocation, e.owed));
                    self.env().emit_event(SettlementOpened {
                        event,
                        owed: e.owed,
                        allocation,
                    });
                    (allocation, e.owed)
                }
            };
            let mut paid = 0u32;
            for meter in meters {
                let Some(mut entry) = self.entries.get((event, meter)) else {
                    continue;
                };
                if entry.status != EntryStatus::Pending {
                    continue;
                }
                let amount = entry
                    .payable
                    .unwrap_or_else(|| demand::pro_rata(entry.subsidy, allocation, total))
                    .min(e.reserve);
                e.reserve = e.reserve.checked_sub(amount).ok_or(Error::Overflow)?;
                e.paid = e.paid.checked_add(amount).ok_or(Error::Overflow)?;
                e.paid_entries = e.paid_entries.checked_add(1).ok_or(Error::Overflow)?;
                entry.status = EntryStatus::Paid;
                entry.paid = amount;
                self.entries.insert((event, meter), &entry);
                // A refused transfer is kept owed: it must not stop the others' payments.
                self.owed.pay_or_keep(entry.customer, amount);
                self.env().emit_event(EntryPaid {
                    event,
                    meter,
                    customer: entry.customer,
                    amount,
                });
                paid = paid.checked_add(1).ok_or(Error::Overflow)?;
            }
            if !e.settled && e.paid_entries == e.entries {
                // Every entry is paid (so none is disputed): the rounding remainder goes back to the
                // budget, and the event no longer holds the budget.
                p.budget = p.budget.checked_add(e.reserve).ok_or(Error::Overflow)?;
                e.reserve = 0;
                e.settled = true;
                p.unsettled_events = p.unsettled_events.checked_sub(1).ok_or(Error::Overflow)?;
            }
            self.events.insert(event, &e);
            self.save_budget(e.program, &p);
            Ok(paid)
        }

        // ---- queries ---------------------------------------------------------------------------

        /// A program, if it exists.
        #[ink(message)]
        pub fn program(&self, program: ProgramId) -> Option<Program> {
            self.programs.get(program)
        }

        /// A program's holiday calendar (empty when none was set, or no such program).
        #[ink(message)]
        pub fn holidays(&self, program: ProgramId) -> Holidays {
            self.holidays.get(program).unwrap_or_default()
        }

        /// A meter's enrollment in a program, if any.
        #[ink(message)]
        pub fn enrollment(&self, program: ProgramId, meter: MeterId) -> Option<Enrollment> {
            self.enrollments.get((program, meter))
        }

        /// An event, if it exists.
        #[ink(message)]
        pub fn event(&self, event: EventId) -> Option<DrEvent> {
            self.events.get(event)
        }

        /// For each of `meters`, the customer it takes part in `event` for, or `None` when it does
        /// not (not enrolled as of the event's start, or opted out): what an oracle measures.
        ///
        /// # Errors
        /// `EventNotFound`; `InvalidBatch` for more than `MAX_PARTICIPANT_QUERY` meters.
        #[ink(message)]
        pub fn participants(
            &self,
            event: EventId,
            meters: Vec<MeterId>,
        ) -> Result<Vec<Option<AccountId>>> {
            if meters.len() > MAX_PARTICIPANT_QUERY as usize {
                return Err(Error::InvalidBatch);
            }
            let e = self.event_or_err(event)?;
            Ok(meters
                .into_iter()
                .map(|meter| self.took_part(event, &e, meter))
                .collect())
        }

        /// Whether `meter` opted out of `event`.
        #[ink(message)]
        pub fn opted_out(&self, event: EventId, meter: MeterId) -> bool {
            self.opt_outs.contains((event, meter))
        }

        /// `meter`'s entry in `event`, if measured.
        #[ink(message)]
        pub fn entry(&self, event: EventId, meter: MeterId) -> Option<Entry> {
            self.entries.get((event, meter))
        }

        /// Of `meters`, those whose entry in `event` is pending (measured, neither disputed nor
        /// paid): what a keeper settles once the dispute window has passed, asked in one read rather
        /// than one per meter.
        ///
        /// # Errors
        /// `InvalidBatch` for more than `MAX_PARTICIPANT_QUERY` meters.
        #[ink(message)]
        pub fn pending_entries(
            &self,
            event: EventId,
            meters: Vec<MeterId>,
        ) -> Result<Vec<MeterId>> {
            if meters.len() > MAX_PARTICIPANT_QUERY as usize {
                return Err(Error::InvalidBatch);
            }
            Ok(meters
                .into_iter()
                .filter(|&meter| {
                    self.entries
                        .get((event, meter))
                        .is_some_and(|e| e.status == EntryStatus::Pending)
                })
                .collect())
        }

        /// The readings root of batch `index` of `event`, if accepted.
        #[ink(message)]
        pub fn readings_root(&self, event: EventId, index: u32) -> Option<Digest> {
            self.batch_roots.get((event, index))
        }

        /// Whether `meter` drew `wh` in the interval starting at `interval_start_ms`, as batch `index`
        /// of `event` says: the reading's leaf (`demand::reading_leaf`) is checked against the batch's
        /// readings root with `proof`.
        #[ink(message)]
        pub fn verify_reading(
            &self,
            event: EventId,
            index: u32,
            meter: MeterId,
            interval_start_ms: u64,
            wh: u64,
            proof: MerkleProof,
        ) -> bool {
            self.batch_roots.get((event, index)).is_some_and(|root| {
                merkle::verify(
                    &root,
                    &demand::reading_leaf(meter, interval_start_ms, wh),
                    &proof,
                )
            })
        }

        /// Recomputes a baseline for `event` from raw readings, by its program's method and the event's
        /// day type, so anyone can check a submitted one (`gridtrust_common::baseline`). Every input
        /// within `baseline::MAX_HISTORY_DAYS` days of at most `baseline::MAX_INTERVALS` readings per
        /// window fits the call's input buffer, so the query answers rather than traps.
        ///
        /// # Errors
        /// `EventNotFound`, `ProgramNotFound`; `Baseline` when the readings cannot give a baseline
        /// (too few eligible days, too many days, duplicate days, windows of different lengths).
        #[ink(message)]
        pub fn compute_baseline(
            &self,
            event: EventId,
            history: Vec<DayReadings>,
            adjustment_window: Vec<u64>,
        ) -> Result<Baseline> {
            let e = self.event_or_err(event)?;
            let p = self.program_or_err(e.program)?;
            let input = BaselineInput {
                day_type: e.day_type,
                history,
                adjustment_window,
            };
            baseline::compute(&p.terms.baseline, &input).map_err(Error::Baseline)
        }

        // ---- internals -------------------------------------------------------------------------

        fn program_or_err(&self, program: ProgramId) -> Result<Program> {
            self.programs.get(program).ok_or(Error::ProgramNotFound)
        }

        fn event_or_err(&self, event: EventId) -> Result<DrEvent> {
            self.events.get(event).ok_or(Error::EventNotFound)
        }

        fn entry_or_err(&self, event: EventId, meter: MeterId) -> Result<Entry> {
            self.entries.get((event, meter)).ok_or(Error::EntryNotFound)
        }

        /// The event and its program, if the event is still open to batches and the program not
        /// paused.
        fn open_event(&self, event: EventId) -> Result<(DrEvent, Program)> {
            let e = self.event_or_err(event)?;
            if e.closed_at.is_some() {
                return Err(Error::EventClosed);
            }
            let p = self.program_or_err(e.program)?;
            if p.paused {
                return Err(Error::ProgramPaused);
            }
            Ok((e, p))
        }

        fn enrollment_of_caller(&self, program: ProgramId, meter: MeterId) -> Result<Enrollment> {
            match self.enrollments.get((program, meter)) {
                Some(en) if en.active() && en.customer == self.env().caller() => Ok(en),
                _ => Err(Error::NotEnrolled),
            }
        }

        /// The customer of `meter` if it takes part in event `id` and has no entry yet.
        fn participant(&self, id: EventId, e: &DrEvent, meter: MeterId) -> Result<AccountId> {
            if self.entries.contains((id, meter)) {
                return Err(Error::AlreadyMeasured { meter });
            }
            match self.took_part(id, e, meter) {
                Some(customer) => Ok(customer),
                _ => Err(Error::NotParticipating { meter }),
            }
        }

        /// The customer `meter` took part in event `id` for: enrolled as of the event's start and
        /// not opted out. The one participation rule; the oracle asks it through `participants`.
        fn took_part(&self, id: EventId, e: &DrEvent, meter: MeterId) -> Option<AccountId> {
            if self.opt_outs.contains((id, meter)) {
                return None;
            }
            self.enrollments
                .get((e.program, meter))
                .and_then(|en| en.participant_at(e.start_ms))
        }

        fn ensure_utility_or_regulator(&self, p: &Program, who: AccountId) -> Result<()> {
            if who != p.utility && !self.roles.has(REGULATOR, who) {
                return Err(Error::NotUtilityOrRegulator);
            }
            Ok(())
        }

        fn save_budget(&mut self, program: ProgramId, p: &Program) {
            self.programs.insert(program, p);
            self.env().emit_event(BudgetChanged {
                program,
                budget: p.budget,
            });
        }

        fn pay(&self, to: AccountId, amount: Balance) -> Result<()> {
            if amount == 0 {
                return Ok(());
            }
            self.env()
                .transfer(to, amount)
                .map_err(|_| Error::TransferFailed)
        }
    }
}
