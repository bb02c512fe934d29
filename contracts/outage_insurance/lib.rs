//! # Parametric outage insurance
//!
//! Insurers fund policy pools; customers buy cover for their meter; when the oracle committee reports an
//! outage, every covered customer is paid by outage length — no claim, no loss adjuster.
//!
//! ## Money
//! - A pool's **capital** is what its providers deposited plus the premiums it earned, minus payouts and
//!   withdrawals. Providers hold **shares**: depositing `v` into a pool with capital `C` and `S` shares
//!   mints `v·S/C` shares (rounded down), so premiums and payouts move every provider's stake pro rata.
//! - A policy's **liability** is what it may still be paid: its aggregate limit minus what it was paid.
//!   A pool's **exposure** is the liability of its unreleased policies; **locked** capital is
//!   `exposure · collateral_bps / 10 000` rounded up; **free** capital is the rest and is all a provider
//!   can withdraw. A policy is sold only if the pool stays collateralized afterwards, so at 100 % the
//!   pool can always pay every policy its full limit.
//! - Every payout comes out of the pool's capital and is capped by it; if a transfer to the holder fails
//!   (e.g. below the existential deposit) the amount is kept for the holder to `claim_owed` later.
//!
//! ## Outages
//! Two reports go through the k-of-n committee (`gridtrust_common::committee`):
//! `report_outage_start(feeder, start)` freezes sales on the feeder (until the end is final, or
//! [`MAX_FREEZE_MS`] after the start if it never is); `report_outage_end(report)` is the
//! final word (start, end, planned?, whole feeder or a sorted list of meters, and the Merkle root of the
//! meter events that decided it) and creates an outage with a payout cursor. Operators whose evidence
//! differs submit different content for the same report, so the committee's identical-content rule
//! finalizes only evidence a threshold of them agree on; `verify_outage_event` then proves any one of
//! those events against the root, and each `PayoutMade` names its outage, so every payout leads to its
//! evidence. `process_payouts(outage, max)` is permissionless: it advances the cursor by at most
//! `max` targets and pays each eligible policy once. Eligible = cover began (purchase + waiting period)
//! at or before the outage start, the outage started before the policy ended, and the outage is not
//! planned when the pool excludes planned outages.
//!
//! ## Expiry
//! An expired policy keeps its liability until `release_expired` is called for it, which is allowed
//! [`SETTLEMENT_GRACE_MS`] after its end, and only once nothing can still pay it: no outage confirmed
//! to have started on its feeder before its end is still waiting for its final report (however long
//! that outage lasts), and no final outage of its feeder still has payouts to process. Payouts to a
//! released policy still happen, from the pool's free capital only, so they never eat into what backs
//! its live policies. A meter's list of policies forgets a policy by the same rule.
//!
//! ## What outages hold back
//! While an outage is open (its start confirmed, for at most [`MAX_FREEZE_MS`]) or a final outage
//! still has payouts to process, no provider withdraws capital from any pool (`OutagePending`): the
//! capital an outage will cost is not free. `process_payouts` is permissionless, so a provider who
//! wants to leave can finish the payouts first.
//!
//! ## Shares
//! Every provider holds no shares or at least [`MIN_SHARES`]: a deposit that would leave its
//! depositor with fewer is refused, and so is a withdrawal that would, unless it takes every share.
//! So the last provider can always leave, and a pool's shares are never few enough to inflate. A pool
//! sells no policy while no provider backs it, so premiums always belong to its providers.
//!
//! ## Holders
//! A meter's cap of [`MAX_POLICIES_PER_METER`] live policies counts only the buyer's own: policies a
//! former holder bought for the meter keep paying that holder and never lock the next one out.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub use self::outage_insurance::{
    Affected, BatchProgress, Capital, Error, OutageInsurance, OutageInsuranceRef, OutageRecord,
    OutageReport, Outstanding, Payout, Policy, Pool, PoolTerms, MAX_FREEZE_MS,
    MAX_METERS_PER_REPORT, MAX_PAYOUT_BATCH, MAX_POLICIES_PER_METER, MAX_RELEASE_BATCH, MIN_SHARES,
    PAYOUTS_IN_PAGE, POLICIES_PER_PAGE, SETTLEMENT_GRACE_MS,
};
/// The contract's events, for decoding off-chain with the contract's own types.
pub mod events {
    pub use super::outage_insurance::{
        CapitalWithdrawn, OutageFinalized, OutageStarted, PayoutBatchProcessed, PayoutMade,
        PolicyBought, PolicyReleased, PoolClosed, PoolCreated, PoolFunded,
    };
    pub use gridtrust_common::{
        access::{OwnershipProposed, OwnershipTransferred},
        committee::{CommitteeChanged, ReportFinalized, ReportVoted},
        meter_holders::AttestationsChanged,
        owed::{OwedClaimed, PaymentDeferred},
    };
}

#[gridtrust_messages::shared_messages(Owned, Oracle, OwedPayments, MeterHolderSettings)]
#[ink::contract]
mod outage_insurance {
    use gridtrust_common::{
        access::{AccessError, Owned, Ownership},
        blake2_256_of,
        committee::{Committee, CommitteeError, Oracle, ReportId, VoteOutcome},
        math::mul_div,
        merkle::{self, MerkleProof},
        meter_holders::{MeterHolderSettings, MeterHolders, NotAHolder},
        outage::MeterEvent,
        owed::{Owed, OwedError, OwedPayments},
        tiers::{self, Tier},
        verifier::SchemaId,
        Digest,
    };
    use ink::{prelude::vec::Vec, storage::Mapping};

    /// Sequential id of a pool.
    pub type PoolId = u32;
    /// Sequential id of a policy.
    pub type PolicyId = u64;
    /// Sequential id of a finalized outage.
    pub type OutageId = u64;
    /// A feeder (distribution line) of the grid.
    pub type FeederId = u32;
    /// A customer's meter.
    pub type MeterId = u64;

    /// Basis points in one whole: a collateral ratio of 10 000 is 100 %.
    pub const BPS: u128 = 10_000;
    /// Most meters an outage report may list (larger outages report the whole feeder).
    pub const MAX_METERS_PER_REPORT: u32 = 256;
    /// Most targets (policies or meters) one `process_payouts` call may visit.
    pub const MAX_PAYOUT_BATCH: u32 = 2_000;
    /// Most policies one `release_expired` call may release.
    pub const MAX_RELEASE_BATCH: u32 = 100;
    /// Most live policies one holder may have for one meter, across pools.
    pub const MAX_POLICIES_PER_METER: u32 = 4;
    /// Policies one storage page of a feeder holds. A payout call reads and writes a feeder's
    /// policies a page at a time: each storage access costs about 10 KB of proof (and a database read
    /// or write) on current pallet-contracts weights, and a page shares that among its policies
    /// instead of each policy paying it.
    pub const POLICIES_PER_PAGE: u32 = 16;
    /// Payouts a policy's page keeps with it; a policy's later payouts are stored on their own, so a
    /// page stays small (at most 16 × (95 + 8 × 28) bytes) however often its policies are paid.
    pub const PAYOUTS_IN_PAGE: u32 = 8;
    /// How long after its end a policy keeps its liability (7 days, in ms).
    pub const SETTLEMENT_GRACE_MS: u64 = 7 * gridtrust_common::time::DAY_MS;
    /// Longest a confirmed outage start freezes sales on its feeder without a final report (3 days, in
    /// ms): a restore report that never comes must not stop sales forever.
    pub const MAX_FREEZE_MS: u64 = 3 * gridtrust_common::time::DAY_MS;
    /// Fewest shares a provider may hold, other than none (10⁹; a first deposit mints one share per
    /// plank, so it is also the least first deposit: 0.001 of a 12-decimal token). A pool's shares
    /// are then none or at least this many, so a share is worth at most capital / 10⁹, rounding costs
    /// a depositor at most that, and nobody can inflate a lone share's value until later deposits
    /// mint nothing.
    pub const MIN_SHARES: Balance = 1_000_000_000;
    /// Highest collateral ratio a pool may ask for (1 000 %).
    pub const MAX_COLLATERAL_BPS: u32 = 100_000;

    /// The terms an insurer sets when creating a pool; they never change afterwards.
    #[derive(Debug, Clone, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct PoolTerms {
        /// Outage minutes → payout, see `gridtrust_common::tiers`.
        pub tiers: Vec<Tier>,
        /// Price of one policy.
        pub premium: Balance,
        /// How long a policy lasts from purchase (ms).
        pub coverage_ms: u64,
        /// Time after purchase before cover starts (ms).
        pub waiting_ms: u64,
        /// Whether planned (announced) outages pay nothing.
        pub exclude_planned: bool,
        /// Most one policy is paid over its whole coverage.
        pub aggregate_limit: Balance,
        /// Most liability the pool takes on one feeder.
        pub feeder_cap: Balance,
        /// Capital kept locked per unit of liability, in basis points (10 000 = fully collateralized).
        pub collateral_bps: u32,
        /// The pool sells no policy while fewer than the committee's threshold of operators were
        /// heard (a vote or a heartbeat) within this long (ms): a silent oracle could not report the
        /// outages it would have to pay for.
        pub max_oracle_silence_ms: u64,
    }

    impl PoolTerms {
        /// What makes these terms unusable for a pool, in words, or `None` when `create_pool` takes
        /// them. The one statement of the rules: the contract refuses with `InvalidTerms` exactly when
        /// this names a problem, and off-chain tools check terms with it before anything is signed.
        pub fn problem(&self) -> Option<&'static str> {
            if !tiers::is_valid(&self.tiers) {
                Some("tiers: 1 to 8, minutes strictly increasing from above 0, payouts never decreasing")
            } else if self.premium == 0 {
                Some("premium: must be more than 0")
            } else if self.coverage_ms == 0 {
                Some("coverage: must be longer than 0")
            } else if self.waiting_ms >= self.coverage_ms {
                Some("waiting period: must be shorter than the coverage, or no policy could pay")
            } else if self.aggregate_limit == 0 {
                Some("aggregate limit: must be more than 0")
            } else if self.feeder_cap < self.aggregate_limit {
                Some("feeder cap: must be at least the aggregate limit, or no policy could be sold")
            } else if self.collateral_bps == 0 || self.collateral_bps > MAX_COLLATERAL_BPS {
                Some("collateral: must be above 0 % and at most 1 000 % (1..=100 000 bps)")
            } else if self.max_oracle_silence_ms == 0 {
                Some("max oracle silence: must be longer than 0")
            } else {
                None
            }
        }

        /// Whether these terms exclude `report`'s outage: a planned one, when planned outages are
        /// excluded.
        pub fn excludes(&self, report: &OutageReport) -> bool {
            report.planned && self.exclude_planned
        }

        /// What a policy paid `paid` so far is due for an outage of `minutes`: its tier's payout,
        /// capped by what remains of the aggregate limit (before the pool's capital is looked at).
        pub fn due(&self, minutes: u32, paid: Balance) -> Balance {
            tiers::payout_for(&self.tiers, minutes).min(self.aggregate_limit.saturating_sub(paid))
        }
    }

    /// A pool as stored.
    #[derive(Debug, Clone, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct Pool {
        /// The insurer who created it.
        pub insurer: AccountId,
        /// Its terms.
        pub terms: PoolTerms,
        /// Funds belonging to the pool.
        pub capital: Balance,
        /// Shares outstanding.
        pub shares: Balance,
        /// Liability of its unreleased policies.
        pub exposure: Balance,
        /// Whether it has stopped selling.
        pub closed: bool,
    }

    /// A pool's capital split.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    pub struct Capital {
        /// All funds of the pool.
        pub total: Balance,
        /// Funds backing live policies.
        pub locked: Balance,
        /// Funds providers may withdraw.
        pub free: Balance,
    }

    /// What outages still hold back, on one feeder or (as `outstanding(None)` answers) on all.
    #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct Outstanding {
        /// Outages whose start the committee confirmed and whose final report has not come.
        pub open: u32,
        /// Until when (ms) the open outages freeze sales and withdrawals: the latest open start
        /// plus [`MAX_FREEZE_MS`], so a final report that never comes cannot stop them forever.
        pub freeze_until: Timestamp,
        /// The earliest start (ms) among the open outages, or earlier: it only moves later once none
        /// is open. A policy that ended after it may still be paid by an open outage.
        pub open_since: Timestamp,
        /// Final outages whose payouts are not all processed.
        pub unpaid: u32,
    }

    impl Outstanding {
        /// Counts a confirmed start at `start_ms`.
        fn opened(&mut self, start_ms: Timestamp) {
            self.open_since = if self.open == 0 {
                start_ms
            } else {
                self.open_since.min(start_ms)
            };
            self.open = self.open.saturating_add(1);
            self.freeze_until = self
                .freeze_until
                .max(start_ms.saturating_add(MAX_FREEZE_MS));
        }

        /// Whether an open outage freezes sales (or, across feeders, withdrawals) at `now`.
        pub fn frozen(&self, now: Timestamp) -> bool {
            self.open > 0 && now < self.freeze_until
        }

        /// Whether an outage of this feeder may still pay a policy that ended at `ends_at`: one open
        /// since before then, or a final one whose payouts are not done.
        pub fn may_pay(&self, ends_at: Timestamp) -> bool {
            (self.open > 0 && self.open_since < ends_at) || self.unpaid > 0
        }
    }

    /// One payout of a policy.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct Payout {
        /// The outage it paid for.
        pub outage: OutageId,
        /// What the holder was paid (or is owed, when the transfer was refused).
        pub amount: Balance,
        /// The block it was paid in, so a reader finds its `PayoutMade` event without scanning the
        /// chain.
        pub block: BlockNumber,
    }

    /// A policy as stored.
    #[derive(Debug, Clone, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct Policy {
        /// The pool that covers it.
        pub pool: PoolId,
        /// Who is paid.
        pub holder: AccountId,
        /// The covered meter.
        pub meter: MeterId,
        /// The meter's feeder.
        pub feeder: FeederId,
        /// When cover starts (purchase plus waiting period, ms).
        pub cover_from: Timestamp,
        /// When cover ends (ms, exclusive).
        pub ends_at: Timestamp,
        /// Paid so far.
        pub paid: Balance,
        /// Number of payouts so far.
        pub payouts: u32,
        /// Whether its liability was released after expiry.
        pub released: bool,
    }

    impl Policy {
        /// Whether this policy's cover takes in `report`'s outage: the same feeder, and the outage
        /// began while the cover was in force. (Whether its meter was hit is the report's `affected`;
        /// whether its pool excludes the outage is [`PoolTerms::excludes`].)
        pub fn covers(&self, report: &OutageReport) -> bool {
            self.feeder == report.feeder
                && self.cover_from <= report.start_ms
                && report.start_ms < self.ends_at
        }
    }

    /// A finalized outage and how far its payouts got.
    #[derive(Debug, Clone, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct OutageRecord {
        /// The report it came from.
        pub report: OutageReport,
        /// Outage length in whole minutes.
        pub minutes: u32,
        /// Targets to visit: the feeder's policies at finalization, or the listed meters.
        pub targets: u32,
        /// Targets visited so far.
        pub cursor: u32,
        /// Policies paid.
        pub paid_policies: u32,
        /// Total paid (including amounts kept as owed).
        pub paid_total: Balance,
    }

    /// Progress of one `process_payouts` call.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    pub struct BatchProgress {
        /// Targets visited by this call.
        pub visited: u32,
        /// Policies paid by this call.
        pub paid: u32,
        /// Targets still to visit.
        pub remaining: u32,
    }

    pub use codec::{Affected, Error, OutageReport};

    // parity-scale-codec's derive casts `usize` variant indices to `u8` on data-carrying enums, which
    // trips cargo-contract's `-D clippy::cast_possible_truncation`; the allow covers only these types.
    #[allow(clippy::cast_possible_truncation)]
    mod codec {
        use super::{FeederId, MeterId, Timestamp, Vec};
        use gridtrust_common::{committee::CommitteeError, Digest};

        /// Which meters an outage hit.
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[ink::scale_derive(Encode, Decode, TypeInfo)]
        #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
        pub enum Affected {
            /// Every meter on the feeder.
            WholeFeeder,
            /// These meters only, strictly ascending, at most `MAX_METERS_PER_REPORT`.
            Meters(Vec<MeterId>),
        }

        /// The final report of an outage, as the committee members submit it.
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[ink::scale_derive(Encode, Decode, TypeInfo)]
        #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
        pub struct OutageReport {
            /// The feeder.
            pub feeder: FeederId,
            /// When power was lost (ms).
            pub start_ms: Timestamp,
            /// When power came back (ms).
            pub end_ms: Timestamp,
            /// Whether it was a planned (announced) outage.
            pub planned: bool,
            /// Who was hit.
            pub affected: Affected,
            /// The outage rule's threshold the operators decided by
            /// (`gridtrust_common::outage::OutageRule::min_dark_meters`), so a verifier recomputes
            /// with the same rule.
            pub min_dark_meters: u32,
            /// Merkle root over the meter events that decided the outage, in canonical order
            /// (`gridtrust_common::outage`): what `verify_outage_event` proves events against.
            pub evidence_root: Digest,
        }

        gridtrust_common::contract_error! {
        /// Every way a message of this contract can refuse.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[ink::scale_derive(Encode, Decode, TypeInfo)]
        pub enum Error {
            /// The committee refused the vote (not a member, double vote, already final, ...).
            Committee(CommitteeError),
            /// No pool with that id.
            PoolNotFound,
            /// Terms out of range: empty or malformed tiers, zero premium, coverage or limits, a
            /// waiting period as long as the coverage, a collateral ratio outside 1..=100 000 bps, or
            /// no bound on the oracle's silence.
            InvalidTerms,
            /// Only the pool's insurer may do this.
            NotInsurer,
            /// The pool no longer sells policies.
            PoolClosed,
            /// Payouts used up all of the pool's capital while shares are outstanding: it takes no
            /// new capital (open a new pool instead).
            PoolDrained,
            /// The value sent is not exactly the premium.
            WrongPremium,
            /// The buyer holds no valid meter-holder attestation for this meter and feeder.
            NotMeterHolder,
            /// An outage is open on this feeder: no sales until it ends.
            SalesFrozen,
            /// Fewer than the committee's threshold of operators were heard within the pool's
            /// `max_oracle_silence_ms`: no sales until the oracle is back.
            OracleSilent,
            /// The meter already has a live policy in this pool.
            AlreadyCovered,
            /// The meter already has `MAX_POLICIES_PER_METER` live policies.
            TooManyPoliciesForMeter,
            /// The policy would take the pool past its exposure cap on this feeder.
            FeederCapExceeded,
            /// The pool's capital cannot back another policy at its collateral ratio, or no provider
            /// backs the pool at all.
            InsufficientCapital,
            /// The deposit would leave its depositor fewer than `MIN_SHARES` shares.
            DepositTooSmall,
            /// The withdrawal would leave the provider fewer than `MIN_SHARES` shares (but some):
            /// withdraw all of them, or keep at least that many.
            SharesBelowMinimum,
            /// The caller does not hold that many shares.
            InsufficientShares,
            /// The withdrawal exceeds the pool's free capital.
            InsufficientFreeCapital,
            /// No policy with that id.
            PolicyNotFound,
            /// The report is malformed: end not after start, end in the future, a threshold of no
            /// meters, or a meter list that is empty, too long or not strictly ascending.
            InvalidReport,
            /// No outage with that id.
            OutageNotFound,
            /// Batch size must be 1..=`MAX_PAYOUT_BATCH` (or `MAX_RELEASE_BATCH` for releases).
            InvalidBatch,
            /// An outage is open or a final one still has payouts to process: no capital leaves a
            /// pool until they are done (anyone may call `process_payouts`).
            OutagePending,
        }
        }
    }

    /// Result of this contract's messages.
    pub type Result<T> = core::result::Result<T, Error>;

    /// A pool was created.
    #[ink(event)]
    pub struct PoolCreated {
        /// Its id.
        #[ink(topic)]
        pub pool: PoolId,
        /// Its insurer.
        #[ink(topic)]
        pub insurer: AccountId,
        /// Its terms.
        pub terms: PoolTerms,
    }

    /// Capital was added to a pool.
    #[ink(event)]
    pub struct PoolFunded {
        /// The pool.
        #[ink(topic)]
        pub pool: PoolId,
        /// Who added it.
        #[ink(topic)]
        pub provider: AccountId,
        /// How much.
        pub amount: Balance,
        /// Shares minted for it.
        pub shares: Balance,
    }

    /// Capital was withdrawn from a pool.
    #[ink(event)]
    pub struct CapitalWithdrawn {
        /// The pool.
        #[ink(topic)]
        pub pool: PoolId,
        /// Who withdrew.
        #[ink(topic)]
        pub provider: AccountId,
        /// How much was paid out.
        pub amount: Balance,
        /// Shares burned.
        pub shares: Balance,
    }

    /// A pool stopped selling.
    #[ink(event)]
    pub struct PoolClosed {
        /// The pool.
        #[ink(topic)]
        pub pool: PoolId,
    }

    /// A policy was bought.
    #[ink(event)]
    pub struct PolicyBought {
        /// Its id.
        #[ink(topic)]
        pub policy: PolicyId,
        /// Its holder.
        #[ink(topic)]
        pub holder: AccountId,
        /// Its pool.
        pub pool: PoolId,
        /// The meter.
        pub meter: MeterId,
        /// The feeder.
        pub feeder: FeederId,
        /// Premium paid.
        pub premium: Balance,
        /// Cover starts (ms).
        pub cover_from: Timestamp,
        /// Cover ends (ms).
        pub ends_at: Timestamp,
    }

    /// An expired policy's remaining liability was released.
    #[ink(event)]
    pub struct PolicyReleased {
        /// The policy.
        #[ink(topic)]
        pub policy: PolicyId,
        /// Liability released from its pool.
        pub liability: Balance,
    }

    /// The committee confirmed an outage began; sales on the feeder are frozen.
    #[ink(event)]
    pub struct OutageStarted {
        /// The feeder.
        #[ink(topic)]
        pub feeder: FeederId,
        /// When it began (ms).
        pub start_ms: Timestamp,
    }

    /// The committee finalized an outage; payouts can be processed.
    #[ink(event)]
    pub struct OutageFinalized {
        /// Its id.
        #[ink(topic)]
        pub outage: OutageId,
        /// The feeder.
        #[ink(topic)]
        pub feeder: FeederId,
        /// Start (ms).
        pub start_ms: Timestamp,
        /// End (ms).
        pub end_ms: Timestamp,
        /// Length in minutes.
        pub minutes: u32,
        /// Whether it was planned.
        pub planned: bool,
        /// Targets to visit.
        pub targets: u32,
        /// Root of the meter events that decided it (see `OutageReport::evidence_root`).
        pub evidence_root: Digest,
    }

    /// A policy was paid for an outage.
    ///
    /// It is anonymous, with no topics, not even the signature topic: on current pallet-contracts
    /// weights each topic costs a payout about 2.5 KB of proof and a storage read and write, more
    /// than the rest of the payout. It is this contract's only event without topics, which is how
    /// a reader tells it apart. A holder finds their payouts with `policy_payouts` (each names the
    /// block this event is in), or by decoding these events and matching `holder`.
    #[ink(event, anonymous)]
    pub struct PayoutMade {
        /// The outage.
        pub outage: OutageId,
        /// The policy.
        pub policy: PolicyId,
        /// Who received it.
        pub holder: AccountId,
        /// Amount paid.
        pub amount: Balance,
        /// Whether it reached the holder; if not, it is kept for the holder to `claim_owed` (and
        /// `PaymentDeferred` says so).
        pub transferred: bool,
    }

    /// One `process_payouts` call finished.
    #[ink(event)]
    pub struct PayoutBatchProcessed {
        /// The outage.
        #[ink(topic)]
        pub outage: OutageId,
        /// Targets visited.
        pub visited: u32,
        /// Policies paid.
        pub paid: u32,
        /// Targets still to visit.
        pub remaining: u32,
    }

    /// The insurance registry: pools, policies, outages and the committee that reports them.
    #[ink(storage)]
    pub struct OutageInsurance {
        /// Who may point buyer checks elsewhere.
        owner: Ownership,
        /// The operators whose k-of-n reports decide outages, and so payouts.
        committee: Committee,
        /// Where buyers are checked to hold the meter they insure.
        meter_holders: MeterHolders,
        /// Every pool by id.
        pools: Mapping<PoolId, Pool>,
        /// The id the next pool gets.
        next_pool: PoolId,
        /// (pool, provider) → shares held: a provider's stake in a pool's capital.
        shares: Mapping<(PoolId, AccountId), Balance>,
        /// Per feeder, its policies in purchase order, [`POLICIES_PER_PAGE`] to a page: (feeder, page)
        /// → the page. A whole-feeder outage walks the list with a cursor, a page per storage read,
        /// so payouts are batched without scanning other feeders. Kept after expiry so payouts stay
        /// auditable.
        policy_pages: Mapping<PageKey, Vec<PolicySlot>>,
        /// Where each policy is in its feeder's list.
        policy_places: Mapping<PolicyId, Place>,
        /// The id the next policy gets.
        next_policy: PolicyId,
        /// How many policies each feeder's list holds.
        feeder_policy_count: Mapping<FeederId, u32>,
        /// Per meter, its policies that may still pay, with where each is: an outage listing meters
        /// finds them here (and their pages without another read), and a meter's live policies are
        /// capped by it.
        meter_policies: Mapping<MeterId, MeterPolicies>,
        /// (pool, feeder) → liability: enforces each pool's per-feeder cap.
        feeder_exposure: Mapping<(PoolId, FeederId), Balance>,
        /// What each feeder's outages hold back: open starts (which freeze its sales) and final
        /// outages still to be paid (which keep its expired policies).
        feeders: Mapping<FeederId, Outstanding>,
        /// The same across all feeders: while it holds, no capital is withdrawn.
        outstanding: Outstanding,
        /// Confirmed starts whose final report has not come yet, so a final report lifts its freeze.
        open_starts: Mapping<(FeederId, Timestamp), ()>,
        /// Every finalized outage, with its payout cursor.
        outages: Mapping<OutageId, OutageRecord>,
        /// The id the next finalized outage gets.
        next_outage: OutageId,
        /// (policy, n) → its n-th payout, for n from [`PAYOUTS_IN_PAGE`] on (the first ones are in the
        /// policy's page): what a holder can look up per policy.
        payouts: Mapping<(PolicyId, u32), Payout>,
        /// Payouts whose transfer failed, kept for the holder to `claim_owed`.
        owed: Owed,
    }

    /// A policy as its feeder's page keeps it.
    #[derive(Debug, Clone)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct PolicySlot {
        /// The policy's id.
        id: PolicyId,
        /// The policy.
        policy: Policy,
        /// Its first payouts, at most [`PAYOUTS_IN_PAGE`] (later ones are in `payouts`).
        first_payouts: Vec<Payout>,
    }

    /// A page of a feeder's policies: (feeder, page number).
    type PageKey = (FeederId, u32);

    /// Where a policy is: (its feeder, its index in the feeder's list).
    type Place = (FeederId, u32);

    /// A meter's policies, each with its place.
    type MeterPolicies = Vec<(PolicyId, Place)>;

    /// Pages one call keeps loaded: enough for a meter-listed outage whose meters' policies sit on
    /// a few pages to read each page once, few enough to bound the call's memory.
    const OPEN_PAGES: usize = 8;

    /// A feeder's page of policies loaded for a call, written back when it changed.
    struct LoadedPage {
        key: PageKey,
        slots: Vec<PolicySlot>,
        changed: bool,
    }

    /// The page holding a feeder's `index`-th policy, and the policy's slot in it.
    fn page_of(index: u32) -> (u32, usize) {
        (
            index / POLICIES_PER_PAGE,
            (index % POLICIES_PER_PAGE) as usize,
        )
    }

    /// A pool loaded once per payout batch, written back at the end.
    struct CachedPool {
        id: PoolId,
        pool: Pool,
        feeder_exposure: Balance,
    }

    impl OutageInsurance {
        /// Deploys with the attestations contract and meter-holder schema to check buyers against, and
        /// the oracle committee. The caller becomes the owner.
        #[ink(constructor)]
        pub fn new(
            attestations: AccountId,
            meter_schema: SchemaId,
            members: Vec<AccountId>,
            threshold: u32,
        ) -> Result<Self> {
            Ok(Self {
                owner: Ownership::new(Self::env().caller()),
                committee: Committee::new(members, threshold).map_err(Error::Committee)?,
                meter_holders: MeterHolders::new(attestations, meter_schema),
                pools: Mapping::new(),
                next_pool: 0,
                shares: Mapping::new(),
                policy_pages: Mapping::new(),
                policy_places: Mapping::new(),
                next_policy: 0,
                feeder_policy_count: Mapping::new(),
                meter_policies: Mapping::new(),
                feeder_exposure: Mapping::new(),
                feeders: Mapping::new(),
                outstanding: Outstanding::default(),
                open_starts: Mapping::new(),
                outages: Mapping::new(),
                next_outage: 0,
                payouts: Mapping::new(),
                owed: Owed::default(),
            })
        }

        // ---- pools and capital -----------------------------------------------------------------

        /// Creates a pool with `terms`, insured by the caller (anyone may). Any value sent is its
        /// first capital. Emits `PoolCreated`, and `PoolFunded` when value was sent.
        ///
        /// # Errors
        /// `InvalidTerms`; with value sent, the errors of [`Self::fund`].
        #[ink(message, payable)]
        pub fn create_pool(&mut self, terms: PoolTerms) -> Result<PoolId> {
            if terms.problem().is_some() {
                return Err(Error::InvalidTerms);
            }
            let id = self.next_pool;
            self.next_pool = id.checked_add(1).ok_or(Error::Overflow)?;
            let insurer = self.env().caller();
            self.pools.insert(
                id,
                &Pool {
                    insurer,
                    terms: terms.clone(),
                    capital: 0,
                    shares: 0,
                    exposure: 0,
                    closed: false,
                },
            );
            self.env().emit_event(PoolCreated {
                pool: id,
                insurer,
                terms,
            });
            if self.env().transferred_value() > 0 {
                self.fund(id)?;
            }
            Ok(id)
        }

        /// Adds the value sent to `pool`'s capital and mints the caller (anyone) shares for it, at
        /// the pool's current capital per share. Emits `PoolFunded`.
        ///
        /// # Errors
        /// `ZeroAmount`; `PoolNotFound`; `PoolDrained` when payouts emptied the pool; `DepositTooSmall`
        /// when the caller would hold fewer than `MIN_SHARES` shares.
        #[ink(message, payable)]
        pub fn fund(&mut self, pool: PoolId) -> Result<Balance> {
            let amount = self.env().transferred_value();
            if amount == 0 {
                return Err(Error::ZeroAmount);
            }
            let mut p = self.pool_or_err(pool)?;
            let minted = if p.shares == 0 {
                amount
            } else if p.capital == 0 {
                // Shares of a drained pool are worth nothing; minting 1:1 would hand the new money
                // to the old providers.
                return Err(Error::PoolDrained);
            } else {
                mul_div(amount, p.shares, p.capital).ok_or(Error::Overflow)?
            };
            let provider = self.env().caller();
            let held = self.shares.get((pool, provider)).unwrap_or(0);
            let held = held.checked_add(minted).ok_or(Error::Overflow)?;
            // A holding below the minimum is refused however it arises, so a stranger's dust
            // deposit can never be what keeps the last provider from taking every other share.
            if minted == 0 || held < MIN_SHARES {
                return Err(Error::DepositTooSmall);
            }
            p.capital = p.capital.checked_add(amount).ok_or(Error::Overflow)?;
            p.shares = p.shares.checked_add(minted).ok_or(Error::Overflow)?;
            self.shares.insert((pool, provider), &held);
            self.pools.insert(pool, &p);
            self.env().emit_event(PoolFunded {
                pool,
                provider,
                amount,
                shares: minted,
            });
            Ok(minted)
        }

        /// Burns `shares` of the caller's stake in `pool` and pays out their value, which must be free.
        /// Emits `CapitalWithdrawn`.
        ///
        /// # Errors
        /// `ZeroAmount`; `InsufficientShares`; `PoolNotFound`; `SharesBelowMinimum` when the caller
        /// would keep fewer than `MIN_SHARES` (but some); `OutagePending` while an outage is open
        /// (within its freeze) or its payouts are not done; `InsufficientFreeCapital`;
        /// `TransferFailed`.
        #[ink(message)]
        pub fn withdraw(&mut self, pool: PoolId, shares: Balance) -> Result<Balance> {
            if shares == 0 {
                return Err(Error::ZeroAmount);
            }
            let provider = self.env().caller();
            let held = self.shares.get((pool, provider)).unwrap_or(0);
            let kept = held.checked_sub(shares).ok_or(Error::InsufficientShares)?;
            if kept > 0 && kept < MIN_SHARES {
                return Err(Error::SharesBelowMinimum);
            }
            let mut p = self.pool_or_err(pool)?;
            let o = self.outstanding;
            if o.frozen(self.env().block_timestamp()) || o.unpaid > 0 {
                return Err(Error::OutagePending);
            }
            let amount = mul_div(shares, p.capital, p.shares).ok_or(Error::Overflow)?;
            if amount > Self::capital_of(&p)?.free {
                return Err(Error::InsufficientFreeCapital);
            }
            p.capital = p.capital.checked_sub(amount).ok_or(Error::Overflow)?;
            p.shares = p.shares.checked_sub(shares).ok_or(Error::Overflow)?;
            self.shares.insert((pool, provider), &kept);
            self.pools.insert(pool, &p);
            if amount > 0 {
                self.env()
                    .transfer(provider, amount)
                    .map_err(|_| Error::TransferFailed)?;
            }
            self.env().emit_event(CapitalWithdrawn {
                pool,
                provider,
                amount,
                shares,
            });
            Ok(amount)
        }

        /// Stops `pool` from selling new policies (its insurer only); existing cover is unaffected.
        /// Emits `PoolClosed`.
        ///
        /// # Errors
        /// `PoolNotFound`; `NotInsurer`; `PoolClosed` when it already is.
        #[ink(message)]
        pub fn close_pool(&mut self, pool: PoolId) -> Result<()> {
            let mut p = self.pool_or_err(pool)?;
            if p.insurer != self.env().caller() {
                return Err(Error::NotInsurer);
            }
            if p.closed {
                return Err(Error::PoolClosed);
            }
            p.closed = true;
            self.pools.insert(pool, &p);
            self.env().emit_event(PoolClosed { pool });
            Ok(())
        }

        // ---- policies --------------------------------------------------------------------------

        /// Buys cover from `pool` for `meter` on `feeder`, paying exactly the premium. The caller must
        /// hold a valid meter-holder attestation of that meter and feeder. Emits `PolicyBought`.
        ///
        /// # Errors
        /// `PoolNotFound`, `PoolClosed`, `WrongPremium`; `SalesFrozen` while an outage is open on the
        /// feeder; `OracleSilent` while the committee is silent; `NotMeterHolder`,
        /// `AttestationsUnavailable`; `AlreadyCovered` (the caller's live policy for the meter in this
        /// pool), `TooManyPoliciesForMeter` (the caller's); `FeederCapExceeded`,
        /// `InsufficientCapital` (also while the pool has no provider).
        #[ink(message, payable)]
        pub fn buy_policy(
            &mut self,
            pool: PoolId,
            meter: MeterId,
            feeder: FeederId,
        ) -> Result<PolicyId> {
            let mut p = self.pool_or_err(pool)?;
            if p.closed {
                return Err(Error::PoolClosed);
            }
            // Premiums of a pool nobody backs would belong to whoever deposits first.
            if p.shares == 0 {
                return Err(Error::InsufficientCapital);
            }
            let premium = self.env().transferred_value();
            if premium != p.terms.premium {
                return Err(Error::WrongPremium);
            }
            if self.sales_frozen(feeder) {
                return Err(Error::SalesFrozen);
            }
            if !self.committee.is_live(p.terms.max_oracle_silence_ms) {
                return Err(Error::OracleSilent);
            }
            let holder = self.env().caller();
            self.meter_holders
                .check(holder, meter, feeder)
                .map_err(|e| match e {
                    NotAHolder::NotAttested => Error::NotMeterHolder,
                    NotAHolder::Unavailable => Error::AttestationsUnavailable,
                })?;

            let now = self.env().block_timestamp();
            let mut on_meter = self.meter_policies.get(meter).unwrap_or_default();
            // A policy nothing can pay any more is forgotten here; until then it stays listed, so a
            // late meter-level outage report still finds it. One read per listed policy serves the
            // pruning and the caller's own checks; a former holder's policies count against nobody.
            let (mut covered, mut mine) = (false, 0usize);
            on_meter.retain(|(_, place)| match self.policy_at(*place) {
                Some(q) if !self.settled(&q, now) => {
                    if q.holder == holder {
                        covered |= q.pool == pool && q.ends_at > now;
                        mine = mine.saturating_add(1);
                    }
                    true
                }
                _ => false,
            });
            if covered {
                return Err(Error::AlreadyCovered);
            }
            if mine >= MAX_POLICIES_PER_METER as usize {
                return Err(Error::TooManyPoliciesForMeter);
            }

            let limit = p.terms.aggregate_limit;
            let on_feeder = self.feeder_exposure.get((pool, feeder)).unwrap_or(0);
            let on_feeder = on_feeder.checked_add(limit).ok_or(Error::Overflow)?;
            if on_feeder > p.terms.feeder_cap {
                return Err(Error::FeederCapExceeded);
            }
            p.exposure = p.exposure.checked_add(limit).ok_or(Error::Overflow)?;
            p.capital = p.capital.checked_add(premium).ok_or(Error::Overflow)?;
            if Self::locked(&p)? > p.capital {
                return Err(Error::InsufficientCapital);
            }

            let id = self.next_policy;
            self.next_policy = id.checked_add(1).ok_or(Error::Overflow)?;
            let cover_from = now.checked_add(p.terms.waiting_ms).ok_or(Error::Overflow)?;
            let ends_at = now
                .checked_add(p.terms.coverage_ms)
                .ok_or(Error::Overflow)?;
            let count = self.feeder_policy_count.get(feeder).unwrap_or(0);
            self.feeder_policy_count
                .insert(feeder, &count.checked_add(1).ok_or(Error::Overflow)?);
            on_meter.push((id, (feeder, count)));
            self.meter_policies.insert(meter, &on_meter);
            self.feeder_exposure.insert((pool, feeder), &on_feeder);
            self.pools.insert(pool, &p);
            let (page, _) = page_of(count);
            let mut slots = self.policy_pages.get((feeder, page)).unwrap_or_default();
            slots.push(PolicySlot {
                id,
                policy: Policy {
                    pool,
                    holder,
                    meter,
                    feeder,
                    cover_from,
                    ends_at,
                    paid: 0,
                    payouts: 0,
                    released: false,
                },
                first_payouts: Vec::new(),
            });
            self.policy_pages.insert((feeder, page), &slots);
            self.policy_places.insert(id, &(feeder, count));
            self.env().emit_event(PolicyBought {
                policy: id,
                holder,
                pool,
                meter,
                feeder,
                premium,
                cover_from,
                ends_at,
            });
            Ok(id)
        }

        /// Releases the remaining liability of expired policies that nothing can pay any more
        /// ([`SETTLEMENT_GRACE_MS`] after their end, no outage open since before their end, no final
        /// outage of their feeder awaiting payouts), freeing their pools' capital. Anyone may call;
        /// ids not yet releasable are skipped. Returns how many were released. Emits
        /// `PolicyReleased` per policy.
        ///
        /// # Errors
        /// `InvalidBatch` for no ids or more than `MAX_RELEASE_BATCH`; `PolicyNotFound`;
        /// `PoolNotFound`.
        #[ink(message)]
        pub fn release_expired(&mut self, policies: Vec<PolicyId>) -> Result<u32> {
            let count = u32::try_from(policies.len()).map_err(|_| Error::InvalidBatch)?;
            if count == 0 || count > MAX_RELEASE_BATCH {
                return Err(Error::InvalidBatch);
            }
            let now = self.env().block_timestamp();
            let mut released = 0u32;
            for id in policies {
                let Some((page, slot, mut slots)) = self.policy_page(id) else {
                    return Err(Error::PolicyNotFound);
                };
                let Some(PolicySlot { policy, .. }) = slots.get_mut(slot) else {
                    return Err(Error::PolicyNotFound);
                };
                if policy.released || !self.settled(policy, now) {
                    continue;
                }
                let mut p = self.pool_or_err(policy.pool)?;
                let liability = p.terms.aggregate_limit.saturating_sub(policy.paid);
                p.exposure = p.exposure.saturating_sub(liability);
                let key = (policy.pool, policy.feeder);
                let on_feeder = self.feeder_exposure.get(key).unwrap_or(0);
                self.feeder_exposure
                    .insert(key, &on_feeder.saturating_sub(liability));
                self.pools.insert(policy.pool, &p);
                policy.released = true;
                self.policy_pages.insert(page, &slots);
                released = released.saturating_add(1);
                self.env().emit_event(PolicyReleased {
                    policy: id,
                    liability,
                });
            }
            Ok(released)
        }

        // ---- outage reports --------------------------------------------------------------------

        /// A committee member's vote that an outage of `feeder` began at `start_ms`. When the vote
        /// finalizes the report, sales on the feeder and withdrawals freeze until the outage's end is
        /// final (for at most [`MAX_FREEZE_MS`]; not at all when its end is already final), and
        /// policies that ended after the start are not released until then. Emits `ReportVoted`,
        /// and `ReportFinalized` and `OutageStarted` when the vote finalizes it.
        ///
        /// # Errors
        /// `InvalidReport` for a start in the future; `Committee` when the vote cannot count.
        #[ink(message)]
        pub fn report_outage_start(
            &mut self,
            feeder: FeederId,
            start_ms: Timestamp,
        ) -> Result<VoteOutcome> {
            if start_ms > self.env().block_timestamp() {
                return Err(Error::InvalidReport);
            }
            let id = tiers::outage_start_id(feeder, start_ms);
            let content = blake2_256_of(&(feeder, start_ms));
            let outcome = self
                .committee
                .vote(self.env().caller(), id, content)
                .map_err(Error::Committee)?;
            // A start confirmed after its outage's final report (a slow operator) has nothing left
            // to freeze: the outage is over.
            let ended = self
                .committee
                .finalized(tiers::outage_end_id(feeder, start_ms))
                .is_some();
            if outcome == VoteOutcome::Finalized && !ended {
                let mut f = self.feeders.get(feeder).unwrap_or_default();
                f.opened(start_ms);
                self.feeders.insert(feeder, &f);
                self.outstanding.opened(start_ms);
                self.open_starts.insert((feeder, start_ms), &());
                self.env().emit_event(OutageStarted { feeder, start_ms });
            }
            Ok(outcome)
        }

        /// A committee member's vote for the final report of an outage. When the vote finalizes it, the
        /// outage is recorded, the feeder's sales freeze (if any) lifts, and payouts can be processed.
        /// Emits `ReportVoted`; when final, `ReportFinalized` and `OutageFinalized`.
        ///
        /// # Errors
        /// `InvalidReport` (end not after start or in the future, a bad meter list); `Committee` when
        /// the vote cannot count; `Overflow`.
        #[ink(message)]
        pub fn report_outage_end(&mut self, report: OutageReport) -> Result<VoteOutcome> {
            self.check_report(&report)?;
            let id = tiers::outage_end_id(report.feeder, report.start_ms);
            let content = blake2_256_of(&report);
            let outcome = self
                .committee
                .vote(self.env().caller(), id, content)
                .map_err(Error::Committee)?;
            if outcome == VoteOutcome::Finalized {
                self.finalize_outage(report)?;
            }
            Ok(outcome)
        }

        /// Pays the next at most `max` targets of `outage`. Anyone may call, until nothing remains.
        /// Emits `PayoutMade` per policy paid (and `PaymentDeferred` for a refused transfer, kept for
        /// `claim_owed`), then `PayoutBatchProcessed`.
        ///
        /// # Errors
        /// `InvalidBatch` unless `max` is 1..=`MAX_PAYOUT_BATCH`; `OutageNotFound`; `PoolNotFound`.
        #[ink(message)]
        pub fn process_payouts(&mut self, outage: OutageId, max: u32) -> Result<BatchProgress> {
            if max == 0 || max > MAX_PAYOUT_BATCH {
                return Err(Error::InvalidBatch);
            }
            let mut o = self.outages.get(outage).ok_or(Error::OutageNotFound)?;
            let end = o.cursor.saturating_add(max).min(o.targets);
            let mut cache: Vec<CachedPool> = Vec::new();
            let mut pages: Vec<LoadedPage> = Vec::new();
            let mut paid = 0u32;
            for index in o.cursor..end {
                let places: Vec<Place> = match &o.report.affected {
                    Affected::WholeFeeder => ink::prelude::vec![(o.report.feeder, index)],
                    Affected::Meters(meters) => meters
                        .get(index as usize)
                        .and_then(|m| self.meter_policies.get(m))
                        .unwrap_or_default()
                        .into_iter()
                        .map(|(_, place)| place)
                        .collect(),
                };
                for (feeder, at) in places {
                    let (number, slot) = page_of(at);
                    let open = self.open_page(&mut pages, (feeder, number));
                    let Some(loaded) = pages.get_mut(open) else {
                        continue;
                    };
                    let Some(policy) = loaded.slots.get_mut(slot) else {
                        continue;
                    };
                    if self.pay(outage, &mut o, policy, &mut cache)? {
                        loaded.changed = true;
                        paid = paid.saturating_add(1);
                    }
                }
            }
            for page in pages {
                self.close_page(page);
            }
            for c in cache {
                self.pools.insert(c.id, &c.pool);
                self.feeder_exposure
                    .insert((c.id, o.report.feeder), &c.feeder_exposure);
            }
            let visited = end.saturating_sub(o.cursor);
            if o.cursor < o.targets && end >= o.targets {
                self.paid_out(o.report.feeder);
            }
            o.cursor = end;
            o.paid_policies = o.paid_policies.saturating_add(paid);
            let remaining = o.targets.saturating_sub(end);
            self.outages.insert(outage, &o);
            self.env().emit_event(PayoutBatchProcessed {
                outage,
                visited,
                paid,
                remaining,
            });
            Ok(BatchProgress {
                visited,
                paid,
                remaining,
            })
        }

        // ---- queries ---------------------------------------------------------------------------

        /// The pool `pool`.
        #[ink(message)]
        pub fn pool(&self, pool: PoolId) -> Option<Pool> {
            self.pools.get(pool)
        }

        /// `pool`'s capital: total, locked behind live policies, and free.
        ///
        /// # Errors
        /// `PoolNotFound`; `Overflow`.
        #[ink(message)]
        pub fn pool_capital(&self, pool: PoolId) -> Result<Capital> {
            Self::capital_of(&self.pool_or_err(pool)?)
        }

        /// Shares `provider` holds in `pool`.
        #[ink(message)]
        pub fn shares_of(&self, pool: PoolId, provider: AccountId) -> Balance {
            self.shares.get((pool, provider)).unwrap_or(0)
        }

        /// Liability `pool` carries on `feeder`.
        #[ink(message)]
        pub fn exposure_on(&self, pool: PoolId, feeder: FeederId) -> Balance {
            self.feeder_exposure.get((pool, feeder)).unwrap_or(0)
        }

        /// The policy `policy`.
        #[ink(message)]
        pub fn policy(&self, policy: PolicyId) -> Option<Policy> {
            self.stored_policy(policy)
        }

        /// Every payout `policy` received, oldest first.
        #[ink(message)]
        pub fn policy_payouts(&self, policy: PolicyId) -> Vec<Payout> {
            let Some((_, slot, mut slots)) = self.policy_page(policy) else {
                return Vec::new();
            };
            let PolicySlot {
                policy: stored,
                first_payouts,
                ..
            } = slots.swap_remove(slot);
            let later =
                (PAYOUTS_IN_PAGE..stored.payouts).filter_map(|n| self.payouts.get((policy, n)));
            first_payouts.into_iter().chain(later).collect()
        }

        /// The policies covering `meter` that may still pay.
        #[ink(message)]
        pub fn policies_of_meter(&self, meter: MeterId) -> Vec<PolicyId> {
            self.meter_policies
                .get(meter)
                .unwrap_or_default()
                .into_iter()
                .map(|(id, _)| id)
                .collect()
        }

        /// The finalized outage `outage`, with its payout progress.
        #[ink(message)]
        pub fn outage(&self, outage: OutageId) -> Option<OutageRecord> {
            self.outages.get(outage)
        }

        /// Whether `event` is one of the meter events that decided `outage`: its leaf
        /// (`MeterEvent::leaf`) is checked against the outage's evidence root with `proof`. `false`
        /// for an unknown outage or any malformed proof.
        #[ink(message)]
        pub fn verify_outage_event(
            &self,
            outage: OutageId,
            event: MeterEvent,
            proof: MerkleProof,
        ) -> bool {
            self.outages
                .get(outage)
                .is_some_and(|o| merkle::verify(&o.report.evidence_root, &event.leaf(), &proof))
        }

        /// How many targets of `outage` are still to be visited by `process_payouts`.
        #[ink(message)]
        pub fn payouts_remaining(&self, outage: OutageId) -> Option<u32> {
            self.outages
                .get(outage)
                .map(|o| o.targets.saturating_sub(o.cursor))
        }

        /// Whether sales on `feeder` are frozen by an open outage (for at most [`MAX_FREEZE_MS`]).
        #[ink(message)]
        pub fn sales_frozen(&self, feeder: FeederId) -> bool {
            self.feeders
                .get(feeder)
                .is_some_and(|f| f.frozen(self.env().block_timestamp()))
        }

        /// What outages hold back on `feeder`, or with `None` across all feeders (what decides
        /// whether capital may be withdrawn).
        #[ink(message)]
        pub fn outstanding(&self, feeder: Option<FeederId>) -> Outstanding {
            match feeder {
                Some(f) => self.feeders.get(f).unwrap_or_default(),
                None => self.outstanding,
            }
        }

        /// What an outage of `minutes` pays a policy of `pool` (before its aggregate limit).
        ///
        /// # Errors
        /// `PoolNotFound`.
        #[ink(message)]
        pub fn payout_for(&self, pool: PoolId, minutes: u32) -> Result<Balance> {
            Ok(tiers::payout_for(
                &self.pool_or_err(pool)?.terms.tiers,
                minutes,
            ))
        }

        /// How many outages were finalized (ids run from 0).
        #[ink(message)]
        pub fn outage_count(&self) -> OutageId {
            self.next_outage
        }

        /// How many policies were sold (ids run from 0).
        #[ink(message)]
        pub fn policy_count(&self) -> PolicyId {
            self.next_policy
        }

        // ---- internals -------------------------------------------------------------------------

        fn pool_or_err(&self, pool: PoolId) -> Result<Pool> {
            self.pools.get(pool).ok_or(Error::PoolNotFound)
        }

        fn locked(p: &Pool) -> Result<Balance> {
            // Rounded up: the pool must never be short by a unit.
            let scaled = p
                .exposure
                .checked_mul(u128::from(p.terms.collateral_bps))
                .ok_or(Error::Overflow)?;
            Ok(scaled.div_ceil(BPS))
        }

        fn capital_of(p: &Pool) -> Result<Capital> {
            let locked = Self::locked(p)?.min(p.capital);
            Ok(Capital {
                total: p.capital,
                locked,
                free: p.capital.saturating_sub(locked),
            })
        }

        fn check_report(&self, r: &OutageReport) -> Result<()> {
            if r.end_ms <= r.start_ms
                || r.end_ms > self.env().block_timestamp()
                || r.min_dark_meters == 0
            {
                return Err(Error::InvalidReport);
            }
            if let Affected::Meters(meters) = &r.affected {
                let ascending = meters.windows(2).all(|w| w[0] < w[1]);
                if meters.is_empty() || meters.len() > MAX_METERS_PER_REPORT as usize || !ascending
                {
                    return Err(Error::InvalidReport);
                }
            }
            Ok(())
        }

        fn finalize_outage(&mut self, report: OutageReport) -> Result<()> {
            let feeder = report.feeder;
            let mut f = self.feeders.get(feeder).unwrap_or_default();
            if self.open_starts.take((feeder, report.start_ms)).is_some() {
                f.open = f.open.saturating_sub(1);
                self.outstanding.open = self.outstanding.open.saturating_sub(1);
            }
            let targets = match &report.affected {
                // Policies bought later than this point were bought after the outage start (sales
                // were frozen or the report was late), so they could never be eligible.
                Affected::WholeFeeder => self.feeder_policy_count.get(feeder).unwrap_or(0),
                Affected::Meters(meters) => {
                    u32::try_from(meters.len()).map_err(|_| Error::Overflow)?
                }
            };
            if targets > 0 {
                f.unpaid = f.unpaid.saturating_add(1);
                self.outstanding.unpaid = self.outstanding.unpaid.saturating_add(1);
            }
            self.feeders.insert(feeder, &f);
            let minutes = tiers::outage_minutes(report.start_ms, report.end_ms);
            let id = self.next_outage;
            self.next_outage = id.checked_add(1).ok_or(Error::Overflow)?;
            self.env().emit_event(OutageFinalized {
                outage: id,
                feeder,
                start_ms: report.start_ms,
                end_ms: report.end_ms,
                minutes,
                planned: report.planned,
                targets,
                evidence_root: report.evidence_root,
            });
            self.outages.insert(
                id,
                &OutageRecord {
                    report,
                    minutes,
                    targets,
                    cursor: 0,
                    paid_policies: 0,
                    paid_total: 0,
                },
            );
            Ok(())
        }

        /// Whether nothing can pay `policy` any more at `now`: past its settlement grace, and no outage
        /// of its feeder open since before its end or final and still to be paid. Only then is its
        /// liability released or its meter's list rid of it.
        fn settled(&self, policy: &Policy, now: Timestamp) -> bool {
            policy.ends_at.saturating_add(SETTLEMENT_GRACE_MS) <= now
                && !self
                    .feeders
                    .get(policy.feeder)
                    .unwrap_or_default()
                    .may_pay(policy.ends_at)
        }

        /// Counts a final outage of `feeder` as fully paid.
        fn paid_out(&mut self, feeder: FeederId) {
            let mut f = self.feeders.get(feeder).unwrap_or_default();
            f.unpaid = f.unpaid.saturating_sub(1);
            self.feeders.insert(feeder, &f);
            self.outstanding.unpaid = self.outstanding.unpaid.saturating_sub(1);
        }

        /// The policy `id`, from its feeder's page.
        fn stored_policy(&self, id: PolicyId) -> Option<Policy> {
            self.policy_at(self.policy_places.get(id)?)
        }

        /// The policy at `place`.
        fn policy_at(&self, place: Place) -> Option<Policy> {
            let (_, slot, mut slots) = self.page_at(place)?;
            Some(slots.swap_remove(slot).policy)
        }

        /// The page holding policy `id`: its key, the policy's slot in it (which exists), the page.
        fn policy_page(&self, id: PolicyId) -> Option<(PageKey, usize, Vec<PolicySlot>)> {
            self.page_at(self.policy_places.get(id)?)
        }

        /// The page holding the policy at `place`, as [`Self::policy_page`].
        fn page_at(&self, (feeder, index): Place) -> Option<(PageKey, usize, Vec<PolicySlot>)> {
            let (number, slot) = page_of(index);
            let slots = self.policy_pages.get((feeder, number))?;
            (slot < slots.len()).then_some(((feeder, number), slot, slots))
        }

        /// Where page `key` is in `open`, loading it unless it is there. At [`OPEN_PAGES`] the
        /// longest-open page is written back (if it changed) and let go first, so a call's memory
        /// stays bounded however many policies it pays.
        fn open_page(&mut self, open: &mut Vec<LoadedPage>, key: PageKey) -> usize {
            if let Some(at) = open.iter().position(|p| p.key == key) {
                return at;
            }
            if open.len() >= OPEN_PAGES {
                let oldest = open.remove(0);
                self.close_page(oldest);
            }
            open.push(LoadedPage {
                key,
                slots: self.policy_pages.get(key).unwrap_or_default(),
                changed: false,
            });
            open.len().saturating_sub(1)
        }

        /// Writes `page` back if it changed.
        fn close_page(&mut self, page: LoadedPage) {
            if page.changed {
                self.policy_pages.insert(page.key, &page.slots);
            }
        }

        /// Pays the policy in `slot` for outage `o` if eligible; returns whether it paid (and so
        /// changed the slot).
        fn pay(
            &mut self,
            outage: OutageId,
            o: &mut OutageRecord,
            slot: &mut PolicySlot,
            cache: &mut Vec<CachedPool>,
        ) -> Result<bool> {
            let PolicySlot {
                id: policy_id,
                policy,
                first_payouts,
            } = slot;
            let policy_id = *policy_id;
            if !policy.covers(&o.report) {
                return Ok(false);
            }
            let cached = match cache.iter().position(|c| c.id == policy.pool) {
                Some(cached) => cached,
                None => {
                    let pool = self.pool_or_err(policy.pool)?;
                    let feeder_exposure = self
                        .feeder_exposure
                        .get((policy.pool, policy.feeder))
                        .unwrap_or(0);
                    cache.push(CachedPool {
                        id: policy.pool,
                        pool,
                        feeder_exposure,
                    });
                    cache.len().saturating_sub(1)
                }
            };
            let Some(c) = cache.get_mut(cached) else {
                return Ok(false);
            };
            if c.pool.terms.excludes(&o.report) {
                return Ok(false);
            }
            let due = c.pool.terms.due(o.minutes, policy.paid);
            // A released policy no longer has capital locked behind it: it is paid only from free
            // capital, never from what backs the pool's live policies.
            let available = if policy.released {
                let locked = Self::locked(&c.pool)?.min(c.pool.capital);
                c.pool.capital.saturating_sub(locked)
            } else {
                c.pool.capital
            };
            let amount = due.min(available);
            if amount == 0 {
                return Ok(false);
            }
            c.pool.capital = c.pool.capital.saturating_sub(amount);
            if !policy.released {
                c.pool.exposure = c.pool.exposure.saturating_sub(amount);
                c.feeder_exposure = c.feeder_exposure.saturating_sub(amount);
            }
            policy.paid = policy.paid.saturating_add(amount);
            let payout = Payout {
                outage,
                amount,
                block: self.env().block_number(),
            };
            if policy.payouts < PAYOUTS_IN_PAGE {
                first_payouts.push(payout);
            } else {
                self.payouts.insert((policy_id, policy.payouts), &payout);
            }
            policy.payouts = policy.payouts.saturating_add(1);
            o.paid_total = o.paid_total.saturating_add(amount);

            let holder = policy.holder;
            let transferred = self.owed.pay_or_keep(holder, amount);
            self.env().emit_event(PayoutMade {
                outage,
                policy: policy_id,
                holder,
                amount,
                transferred,
            });
            Ok(true)
        }
    }
}
