//! The oracle committee: k of n independent operators must submit the identical report before it counts.
//!
//! A report is named by a [`ReportId`] (what it is about, e.g. "outage of feeder F starting at T") and
//! carries a content hash (blake2-256 of its SCALE-encoded body, computed by the contract, never trusted
//! from the caller). The rules:
//!
//! - only members vote, and a member votes at most once per report id and committee epoch;
//! - a report is final when `threshold` distinct members voted for the same content;
//! - a final report id is final forever: any later vote for it is refused ([`CommitteeError::AlreadyFinalized`]
//!   for the same content, so an oracle can treat it as "already counted"; [`CommitteeError::FinalizedOtherContent`]
//!   otherwise);
//! - votes for different content under one id are each counted on their own, never merged, and every vote
//!   that disagrees with the first content seen is counted as a conflict (and shows in [`ReportVoted`]);
//! - **votes in flight when the committee changes are void**: a change of the committee starts a new epoch,
//!   tallies from older epochs are ignored and members vote again. A removed member's vote therefore never
//!   helps finalize anything, and a lowered threshold never finalizes a report on old votes by surprise.
//!   Reports already final stay final.
//! - **the committee changes only by its own vote**: [`Oracle::propose_committee`] is a report like any
//!   other (id [`committee_change_id`] of the current epoch, content the new members and threshold), so
//!   the same `threshold` members who decide outages and payouts must agree on their successors; no
//!   owner key can replace them.
//! - **a quiet committee is visible**: every vote and every [`Oracle::heartbeat`] records when the member
//!   was last heard; [`Committee::is_live`] says whether `threshold` members were heard within a bound,
//!   so a contract can stop taking on risk (outage insurance stops selling) while the oracle is silent.
//!   A member counts as heard when it is appointed.

use ink::{prelude::vec::Vec, primitives::AccountId, storage::Mapping};

use crate::Digest;

/// What a report is about; the same id with different content is a conflict.
pub type ReportId = Digest;

/// Most members a committee can have, so that a vote's cost stays bounded.
pub const MAX_MEMBERS: usize = 16;

/// Why a committee refused a vote or a reconfiguration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum CommitteeError {
    /// The caller is not a committee member.
    NotMember,
    /// The caller already voted on this report in the current epoch.
    AlreadyVoted,
    /// The report is already final with this very content: a replay, nothing changes.
    AlreadyFinalized,
    /// The report is already final with other content: this vote can never count.
    FinalizedOtherContent,
    /// The threshold must be at least 1 and at most the number of members.
    InvalidThreshold,
    /// More members than [`MAX_MEMBERS`].
    TooManyMembers,
    /// The same account is listed twice.
    DuplicateMember,
}

pub use codec::VoteOutcome;

// parity-scale-codec's derive casts `usize` variant indices to `u8` on data-carrying enums, which trips
// cargo-contract's `-D clippy::cast_possible_truncation`; the allow covers only the derived code here.
#[allow(clippy::cast_possible_truncation)]
mod codec {
    /// The state of a report after a vote was counted.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    pub enum VoteOutcome {
        /// Counted; the report needs more matching votes.
        Pending {
            /// Matching votes for this content so far, this one included.
            votes: u32,
            /// Votes needed.
            threshold: u32,
        },
        /// This vote reached the threshold: the caller must now apply the report.
        Finalized,
    }
}

/// Emitted when the committee's members or threshold change; opens a new epoch.
#[ink::event]
#[derive(Debug)]
pub struct CommitteeChanged {
    /// The members from now on.
    pub members: Vec<AccountId>,
    /// Matching votes a report needs from now on.
    pub threshold: u32,
    /// The new epoch; votes of earlier epochs are void.
    pub epoch: u32,
}

/// Emitted for every counted vote.
#[ink::event]
#[derive(Debug)]
pub struct ReportVoted {
    /// The report voted on.
    #[ink(topic)]
    pub id: ReportId,
    /// The member who voted.
    pub member: AccountId,
    /// Hash of the content the member voted for.
    pub content: Digest,
    /// Matching votes for this content so far.
    pub votes: u32,
    /// Whether this content differs from the first content seen for this id.
    pub conflicting: bool,
}

/// Emitted once when a report reaches its threshold.
#[ink::event]
#[derive(Debug)]
pub struct ReportFinalized {
    /// The report now final.
    #[ink(topic)]
    pub id: ReportId,
    /// Hash of the content that counts.
    pub content: Digest,
}

/// The oracle-committee messages every GridTrust contract with a committee answers.
#[ink::trait_definition]
pub trait Oracle {
    /// The committee's members and the matching votes a report needs.
    #[ink(message)]
    fn committee(&self) -> (Vec<AccountId>, u32);

    /// The content hash report `id` was finalized with, if it is final.
    #[ink(message)]
    fn report_finalized(&self, id: ReportId) -> Option<Digest>;

    /// A member's vote to replace the committee with `members` and `threshold`. When `threshold`
    /// members of the current committee voted for the same replacement, it takes effect: a new epoch
    /// starts and votes in flight become void. Emits `ReportVoted`, then `ReportFinalized` and
    /// `CommitteeChanged` when it takes effect.
    ///
    /// # Errors
    /// `NotMember`, `AlreadyVoted`; `InvalidThreshold`, `TooManyMembers` or `DuplicateMember` when the
    /// replacement itself is invalid.
    #[ink(message)]
    fn propose_committee(
        &mut self,
        members: Vec<AccountId>,
        threshold: u32,
    ) -> Result<VoteOutcome, CommitteeError>;

    /// A member says it is running: it is heard now (a vote counts too). Operators send one each
    /// round in which they vote on nothing.
    ///
    /// # Errors
    /// `NotMember`.
    #[ink(message)]
    fn heartbeat(&mut self) -> Result<(), CommitteeError>;

    /// When each member was last heard (ms), in member order.
    #[ink(message)]
    fn last_heard(&self) -> Vec<(AccountId, u64)>;

    /// What each current member voted for report `id`, in member order: the content hash of their
    /// ballot, or `None` if they cast none that counts (a committee change voids the ballots of a
    /// report still open). With [`Oracle::report_finalized`] anyone sees who backed the content that
    /// counts and who sent something else.
    #[ink(message)]
    fn ballots(&self, id: ReportId) -> Vec<(AccountId, Option<Digest>)>;
}

/// Report id of a change of the committee that rules in `epoch`.
pub fn committee_change_id(epoch: u32) -> ReportId {
    crate::blake2_256_of(&(b"gridtrust/committee-change", epoch))
}

/// `Ok` when `members` and `threshold` make a valid committee.
fn validate(members: &[AccountId], threshold: u32) -> Result<(), CommitteeError> {
    if members.len() > MAX_MEMBERS {
        return Err(CommitteeError::TooManyMembers);
    }
    for (i, m) in members.iter().enumerate() {
        if members
            .iter()
            .skip(i.saturating_add(1))
            .any(|other| other == m)
        {
            return Err(CommitteeError::DuplicateMember);
        }
    }
    let count = u32::try_from(members.len()).map_err(|_| CommitteeError::TooManyMembers)?;
    if threshold == 0 || threshold > count {
        return Err(CommitteeError::InvalidThreshold);
    }
    Ok(())
}

/// A member's vote: the epoch it was cast in and the content it backs.
type Ballot = (u32, Digest);
/// Matching votes for one content: the epoch they belong to and their count.
type Tally = (u32, u32);

/// The committee's members, threshold and every vote; embed one in a contract's storage.
#[ink::storage_item]
#[derive(Debug)]
pub struct Committee {
    members: Vec<AccountId>,
    threshold: u32,
    epoch: u32,
    ballots: Mapping<(ReportId, AccountId), Ballot>,
    tallies: Mapping<(ReportId, Digest), Tally>,
    first_content: Mapping<ReportId, Digest>,
    conflicts: Mapping<ReportId, u32>,
    finalized: Mapping<ReportId, Digest>,
    /// When each member last voted or sent a heartbeat (ms); set on appointment.
    heard: Mapping<AccountId, u64>,
}

fn emit<E: ink::env::Event>(event: E) {
    ink::env::emit_event::<ink::env::DefaultEnvironment, E>(event);
}

fn now_ms() -> u64 {
    ink::env::block_timestamp::<ink::env::DefaultEnvironment>()
}

/// Whether at least `threshold` of the members, last heard at the times in `heard` (ms), were heard
/// within `max_silence_ms` before `now_ms`. The one liveness rule: the contract applies it to its
/// storage ([`Committee::is_live`]) and off-chain tools to what `last_heard` answers.
pub fn live(
    heard: impl IntoIterator<Item = u64>,
    threshold: u32,
    now_ms: u64,
    max_silence_ms: u64,
) -> bool {
    let since = now_ms.saturating_sub(max_silence_ms);
    let recent = heard.into_iter().filter(|&at| at >= since).count();
    u32::try_from(recent).unwrap_or(u32::MAX) >= threshold
}

impl Committee {
    /// A committee with `members` and `threshold`, checked like a replacement.
    pub fn new(members: Vec<AccountId>, threshold: u32) -> Result<Self, CommitteeError> {
        let mut committee = Self {
            members: Vec::new(),
            threshold: 0,
            epoch: 0,
            ballots: Mapping::new(),
            tallies: Mapping::new(),
            first_content: Mapping::new(),
            conflicts: Mapping::new(),
            finalized: Mapping::new(),
            heard: Mapping::new(),
        };
        committee.configure(members, threshold)?;
        Ok(committee)
    }

    /// `member`'s vote to replace the committee (see [`Oracle::propose_committee`]); applies the
    /// replacement when the vote finalizes it.
    pub fn propose(
        &mut self,
        member: AccountId,
        members: Vec<AccountId>,
        threshold: u32,
    ) -> Result<VoteOutcome, CommitteeError> {
        validate(&members, threshold)?;
        let id = committee_change_id(self.epoch);
        let outcome = self.vote(member, id, crate::blake2_256_of(&(&members, threshold)))?;
        if outcome == VoteOutcome::Finalized {
            self.configure(members, threshold)?;
        }
        Ok(outcome)
    }

    /// Replaces members and threshold and starts a new epoch, voiding votes in flight. Only
    /// [`Committee::new`] and a finalized [`Committee::propose`] call it.
    fn configure(&mut self, members: Vec<AccountId>, threshold: u32) -> Result<(), CommitteeError> {
        validate(&members, threshold)?;
        let now = now_ms();
        for member in &members {
            self.heard.insert(member, &now);
        }
        self.members = members;
        self.threshold = threshold;
        self.epoch = self.epoch.saturating_add(1);
        emit(CommitteeChanged {
            members: self.members.clone(),
            threshold,
            epoch: self.epoch,
        });
        Ok(())
    }

    /// Counts `member`'s vote for report `id` with content hash `content`.
    pub fn vote(
        &mut self,
        member: AccountId,
        id: ReportId,
        content: Digest,
    ) -> Result<VoteOutcome, CommitteeError> {
        if let Some(final_content) = self.finalized.get(id) {
            return Err(if final_content == content {
                CommitteeError::AlreadyFinalized
            } else {
                CommitteeError::FinalizedOtherContent
            });
        }
        if !self.is_member(member) {
            return Err(CommitteeError::NotMember);
        }
        self.heard.insert(member, &now_ms());
        if let Some((epoch, _)) = self.ballots.get((id, member)) {
            if epoch == self.epoch {
                return Err(CommitteeError::AlreadyVoted);
            }
        }
        self.ballots.insert((id, member), &(self.epoch, content));

        let votes = match self.tallies.get((id, content)) {
            Some((epoch, count)) if epoch == self.epoch => count.saturating_add(1),
            _ => 1,
        };
        self.tallies.insert((id, content), &(self.epoch, votes));

        let conflicting = match self.first_content.get(id) {
            None => {
                self.first_content.insert(id, &content);
                false
            }
            Some(first) => first != content,
        };
        if conflicting {
            let n = self.conflicts.get(id).unwrap_or(0).saturating_add(1);
            self.conflicts.insert(id, &n);
        }
        emit(ReportVoted {
            id,
            member,
            content,
            votes,
            conflicting,
        });

        if votes >= self.threshold {
            self.finalized.insert(id, &content);
            emit(ReportFinalized { id, content });
            Ok(VoteOutcome::Finalized)
        } else {
            Ok(VoteOutcome::Pending {
                votes,
                threshold: self.threshold,
            })
        }
    }

    /// Each current member's ballot on `id` (the content it backs) that counts, in member order: one
    /// cast in the epoch the report was finalized in or, while it is open, in the current epoch.
    /// A ballot a committee change voided shows as none.
    pub fn ballots(&self, id: ReportId) -> Vec<(AccountId, Option<Digest>)> {
        // A final report's tally keeps the epoch it was finalized in.
        let counted = match self.finalized.get(id) {
            Some(content) => self.tallies.get((id, content)).map(|(epoch, _)| epoch),
            None => Some(self.epoch),
        };
        self.members
            .iter()
            .map(|&m| {
                let ballot = self.ballots.get((id, m));
                (
                    m,
                    ballot.filter(|(e, _)| Some(*e) == counted).map(|(_, c)| c),
                )
            })
            .collect()
    }

    /// Records that `member` is running.
    pub fn heartbeat(&mut self, member: AccountId) -> Result<(), CommitteeError> {
        if !self.is_member(member) {
            return Err(CommitteeError::NotMember);
        }
        self.heard.insert(member, &now_ms());
        Ok(())
    }

    /// When each member was last heard (ms), in member order.
    pub fn last_heard(&self) -> Vec<(AccountId, u64)> {
        self.members
            .iter()
            .map(|m| (*m, self.heard.get(m).unwrap_or(0)))
            .collect()
    }

    /// Whether at least `threshold` members were heard within the last `max_silence_ms`: fewer could
    /// not finalize any report, so the committee is effectively silent.
    pub fn is_live(&self, max_silence_ms: u64) -> bool {
        let heard = self.members.iter().filter_map(|m| self.heard.get(m));
        live(heard, self.threshold, now_ms(), max_silence_ms)
    }

    /// Whether `account` is a member now.
    pub fn is_member(&self, account: AccountId) -> bool {
        self.members.contains(&account)
    }

    /// The current members.
    pub fn members(&self) -> Vec<AccountId> {
        self.members.clone()
    }

    /// Matching votes a report needs.
    pub fn threshold(&self) -> u32 {
        self.threshold
    }

    /// The current epoch; it grows by one with every reconfiguration.
    pub fn epoch(&self) -> u32 {
        self.epoch
    }

    /// The content hash report `id` was finalized with, if it is final.
    pub fn finalized(&self, id: ReportId) -> Option<Digest> {
        self.finalized.get(id)
    }

    /// Current-epoch votes for report `id` with `content`.
    pub fn votes(&self, id: ReportId, content: Digest) -> u32 {
        match self.tallies.get((id, content)) {
            Some((epoch, count)) if epoch == self.epoch => count,
            _ => 0,
        }
    }

    /// How many votes for report `id` disagreed with the first content seen for it.
    pub fn conflicts(&self, id: ReportId) -> u32 {
        self.conflicts.get(id).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ink::prelude::vec;

    fn acct(n: u8) -> AccountId {
        AccountId::from([n; 32])
    }

    fn two_of_three() -> Committee {
        Committee::new(vec![acct(1), acct(2), acct(3)], 2).expect("valid committee")
    }

    const ID: ReportId = [9; 32];
    const GOOD: Digest = [1; 32];
    const BAD: Digest = [2; 32];

    #[ink::test]
    fn threshold_matching_votes_finalize() {
        let mut c = two_of_three();
        assert_eq!(
            c.vote(acct(1), ID, GOOD),
            Ok(VoteOutcome::Pending {
                votes: 1,
                threshold: 2
            })
        );
        assert_eq!(c.finalized(ID), None);
        assert_eq!(c.vote(acct(2), ID, GOOD), Ok(VoteOutcome::Finalized));
        assert_eq!(c.finalized(ID), Some(GOOD));
    }

    #[ink::test]
    fn wrong_member_is_refused() {
        let mut c = two_of_three();
        assert_eq!(c.vote(acct(4), ID, GOOD), Err(CommitteeError::NotMember));
        assert_eq!(c.votes(ID, GOOD), 0);
    }

    #[ink::test]
    fn double_vote_is_refused_and_does_not_count() {
        let mut c = two_of_three();
        c.vote(acct(1), ID, GOOD).unwrap();
        assert_eq!(c.vote(acct(1), ID, GOOD), Err(CommitteeError::AlreadyVoted));
        assert_eq!(c.vote(acct(1), ID, BAD), Err(CommitteeError::AlreadyVoted));
        assert_eq!(c.votes(ID, GOOD), 1);
        assert_eq!(c.finalized(ID), None);
    }

    #[ink::test]
    fn replay_of_a_final_report_changes_nothing() {
        let mut c = two_of_three();
        c.vote(acct(1), ID, GOOD).unwrap();
        c.vote(acct(2), ID, GOOD).unwrap();
        assert_eq!(
            c.vote(acct(3), ID, GOOD),
            Err(CommitteeError::AlreadyFinalized)
        );
        assert_eq!(
            c.vote(acct(1), ID, GOOD),
            Err(CommitteeError::AlreadyFinalized)
        );
        assert_eq!(
            c.vote(acct(3), ID, BAD),
            Err(CommitteeError::FinalizedOtherContent)
        );
        assert_eq!(c.finalized(ID), Some(GOOD));
    }

    #[ink::test]
    fn conflicting_content_is_recorded_not_merged() {
        let mut c = two_of_three();
        c.vote(acct(1), ID, GOOD).unwrap();
        assert_eq!(
            c.vote(acct(2), ID, BAD),
            Ok(VoteOutcome::Pending {
                votes: 1,
                threshold: 2
            })
        );
        assert_eq!(c.conflicts(ID), 1);
        assert_eq!(c.votes(ID, GOOD), 1);
        assert_eq!(c.votes(ID, BAD), 1);
        assert_eq!(c.finalized(ID), None);
        assert_eq!(c.vote(acct(3), ID, GOOD), Ok(VoteOutcome::Finalized));
        assert_eq!(c.finalized(ID), Some(GOOD));
    }

    #[ink::test]
    fn reconfiguration_voids_votes_in_flight() {
        let mut c = two_of_three();
        c.vote(acct(1), ID, GOOD).unwrap();
        c.configure(vec![acct(2), acct(3), acct(4)], 2).unwrap();
        assert_eq!(c.epoch(), 2);
        assert_eq!(c.votes(ID, GOOD), 0);
        // The removed member can no longer vote, and its old vote does not count.
        assert_eq!(c.vote(acct(1), ID, GOOD), Err(CommitteeError::NotMember));
        assert_eq!(
            c.vote(acct(2), ID, GOOD),
            Ok(VoteOutcome::Pending {
                votes: 1,
                threshold: 2
            })
        );
        assert_eq!(c.vote(acct(4), ID, GOOD), Ok(VoteOutcome::Finalized));
    }

    #[ink::test]
    fn ballots_show_only_votes_that_count() {
        let mut c = two_of_three();
        let cast = |c: &Committee| -> Vec<Option<Digest>> {
            c.ballots(ID).into_iter().map(|(_, b)| b).collect()
        };
        c.vote(acct(1), ID, GOOD).unwrap();
        assert_eq!(cast(&c), vec![Some(GOOD), None, None]);
        // Re-appointed: a new epoch voids the vote in flight, and it no longer shows.
        c.configure(vec![acct(1), acct(2), acct(3)], 2).unwrap();
        assert_eq!(cast(&c), vec![None, None, None]);
        c.vote(acct(2), ID, BAD).unwrap();
        c.vote(acct(3), ID, GOOD).unwrap();
        c.vote(acct(1), ID, GOOD).unwrap();
        assert_eq!(c.finalized(ID), Some(GOOD));
        // Final: the ballots of the epoch it was finalized in, the conflicting one included, and
        // still after the next change.
        let final_ballots = vec![Some(GOOD), Some(BAD), Some(GOOD)];
        assert_eq!(cast(&c), final_ballots);
        c.configure(vec![acct(1), acct(2), acct(3)], 2).unwrap();
        assert_eq!(cast(&c), final_ballots);
    }

    #[ink::test]
    fn the_committee_changes_only_when_threshold_members_agree() {
        let mut c = two_of_three();
        let next = vec![acct(2), acct(3), acct(4)];
        assert_eq!(
            c.propose(acct(9), next.clone(), 2),
            Err(CommitteeError::NotMember),
            "an outsider (the owner, say) cannot change it"
        );
        assert_eq!(
            c.propose(acct(1), next.clone(), 4),
            Err(CommitteeError::InvalidThreshold)
        );
        c.vote(acct(3), ID, GOOD).unwrap();
        assert_eq!(
            c.propose(acct(1), next.clone(), 2),
            Ok(VoteOutcome::Pending {
                votes: 1,
                threshold: 2
            })
        );
        // Another proposal is a conflicting vote and does not merge with the first.
        assert_eq!(
            c.propose(acct(2), vec![acct(2)], 1),
            Ok(VoteOutcome::Pending {
                votes: 1,
                threshold: 2
            })
        );
        assert_eq!(c.members(), vec![acct(1), acct(2), acct(3)]);
        assert_eq!(
            c.propose(acct(3), next.clone(), 2),
            Ok(VoteOutcome::Finalized)
        );
        assert_eq!(c.members(), next);
        assert_eq!(c.epoch(), 2);
        assert_eq!(c.votes(ID, GOOD), 0, "votes in flight are void");
        // The next change is voted on by the new committee, under the new epoch's id.
        assert_eq!(
            c.propose(acct(1), vec![acct(1)], 1),
            Err(CommitteeError::NotMember)
        );
        assert_eq!(
            c.propose(acct(4), vec![acct(4)], 1),
            Ok(VoteOutcome::Pending {
                votes: 1,
                threshold: 2
            })
        );
    }

    #[test]
    fn liveness_counts_members_heard_within_the_silence_bound() {
        assert!(
            live([100, 90, 10], 2, 100, 10),
            "heard at 100 and exactly 10 ms before"
        );
        assert!(!live([100, 89, 10], 2, 100, 10));
        assert!(
            live([5], 1, 5, 100),
            "early in the chain's life nothing underflows"
        );
        assert!(!live([], 1, 100, 10));
    }

    #[ink::test]
    fn the_committee_is_live_while_threshold_members_are_heard() {
        use ink::env::{test, DefaultEnvironment};
        test::set_block_timestamp::<DefaultEnvironment>(1_000);
        let mut c = two_of_three();
        assert!(c.is_live(10), "appointed members count as heard");
        test::set_block_timestamp::<DefaultEnvironment>(2_000);
        assert!(!c.is_live(500));
        assert_eq!(c.heartbeat(acct(9)), Err(CommitteeError::NotMember));
        c.heartbeat(acct(1)).unwrap();
        assert!(!c.is_live(500), "one of the two needed");
        c.vote(acct(3), ID, GOOD).unwrap();
        assert!(c.is_live(500), "a vote is heard too");
        assert_eq!(
            c.last_heard(),
            vec![(acct(1), 2_000), (acct(2), 1_000), (acct(3), 2_000)]
        );
    }

    #[ink::test]
    fn a_member_may_vote_again_in_a_new_epoch() {
        let mut c = two_of_three();
        c.vote(acct(1), ID, GOOD).unwrap();
        c.configure(vec![acct(1), acct(2), acct(3)], 2).unwrap();
        assert_eq!(
            c.vote(acct(1), ID, GOOD),
            Ok(VoteOutcome::Pending {
                votes: 1,
                threshold: 2
            })
        );
    }

    #[ink::test]
    fn configuration_is_validated() {
        assert_eq!(
            Committee::new(vec![acct(1)], 0).err(),
            Some(CommitteeError::InvalidThreshold)
        );
        assert_eq!(
            Committee::new(vec![acct(1), acct(2)], 3).err(),
            Some(CommitteeError::InvalidThreshold)
        );
        assert_eq!(
            Committee::new(vec![acct(1), acct(1)], 1).err(),
            Some(CommitteeError::DuplicateMember)
        );
        let many: Vec<AccountId> = (0..=MAX_MEMBERS as u8).map(acct).collect();
        assert_eq!(
            Committee::new(many, 1).err(),
            Some(CommitteeError::TooManyMembers)
        );
    }

    #[ink::test]
    fn threshold_one_finalizes_on_the_first_vote() {
        let mut c = Committee::new(vec![acct(1), acct(2)], 1).unwrap();
        assert_eq!(c.vote(acct(2), ID, BAD), Ok(VoteOutcome::Finalized));
        assert_eq!(c.finalized(ID), Some(BAD));
    }
}
