//! # Identity attestations
//!
//! An authority checks a person once — identity, credit standing, meter-holder status — and records an
//! attestation here; a bank, a hotel or another contract then verifies it instantly. No personal data goes
//! on chain: an attestation stores only a *claim hash*, the Merkle root of the salted claim fields
//! (`gridtrust_common::claims`), and the subject can later disclose a single field with a proof.
//!
//! ## Model
//! - **Schemas** are registered by anyone. The schema owner decides who may attest under it. A schema says
//!   whether its attestations can be revoked, how long they may be valid, and whether verifiers need the
//!   subject's consent to record a check.
//! - **Attesters** are `Active`, `Retired` or `Distrusted` per schema. Removing an attester *retires* it:
//!   it can attest no more, but what it attested while trusted stays valid (a retiring clerk does not
//!   invalidate the town's meter holders). Removing it with `distrust = true` marks it `Distrusted`:
//!   every attestation it ever made under that schema stops being valid at once (a leaked key), and a
//!   distrusted attester can never be added back. Either way the attester can still revoke its own work.
//! - **Validity** of an attestation: it exists, is not revoked, not suspended, not expired, its attester is
//!   not distrusted, and its parent (if any) is valid by the same rule, up to [`MAX_PARENT_DEPTH`] levels.
//!   A parent that is revoked, suspended or expired later invalidates every child at once.
//! - **Consent** matters for recorded checks: on schemas that require it, only verifiers the subject has
//!   granted access (until a time) can record a verification, and each recorded check is an event the
//!   subject sees. Plain queries stay free: chain state is public anyway, and holds no personal data.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub use self::attestations::{
    AttestRefusal, AttestRequest, Attestation, AttestationId, Attestations, AttestationsRef,
    AttesterStatus, Error, Schema, Status, Validity, MAX_BATCH, MAX_NAME_LEN, MAX_PARENT_DEPTH,
    MAX_PER_SUBJECT,
};
/// The contract's events, for decoding off-chain with the contract's own types.
pub mod events {
    pub use super::attestations::{
        Attested, AttesterAdded, AttesterRemoved, ConsentGranted, ConsentRevoked, Resumed, Revoked,
        SchemaOwnerChanged, SchemaRegistered, Suspended, VerificationRecorded,
    };
}

#[ink::contract]
mod attestations {
    use gridtrust_common::{
        claims,
        merkle::MerkleProof,
        verifier::{AttestationVerifier, SchemaId},
        Digest,
    };
    use ink::{prelude::vec::Vec, storage::Mapping};

    /// Sequential id of an attestation, from 0.
    pub type AttestationId = u64;

    /// Most attestations one batch call may create.
    pub const MAX_BATCH: u32 = 100;
    /// Longest schema name in bytes.
    pub const MAX_NAME_LEN: u32 = 64;
    /// Deepest parent chain: an attestation may have at most this many ancestors.
    pub const MAX_PARENT_DEPTH: u8 = 4;
    /// Most attestations one subject holds under one schema (revoked and expired ones are pruned).
    pub const MAX_PER_SUBJECT: u32 = 8;

    /// A registered schema: what kind of claim its attestations make and the rules they follow.
    #[derive(Debug, Clone, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct Schema {
        /// Account that manages the schema's attesters.
        pub owner: AccountId,
        /// Hash of the off-chain schema definition (field names and meaning).
        pub definition_hash: Digest,
        /// Human-readable name, 1 to [`MAX_NAME_LEN`] bytes.
        pub name: Vec<u8>,
        /// Whether attestations under it can be revoked and suspended.
        pub revocable: bool,
        /// Longest validity of an attestation in milliseconds; `None` allows attestations that never expire.
        pub max_validity_ms: Option<Timestamp>,
        /// Whether recording a verification needs the subject's consent.
        pub consent_required: bool,
    }

    /// Where an account stands as attester of one schema.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub enum AttesterStatus {
        /// May attest.
        Active,
        /// Removed; its past attestations stay valid.
        Retired,
        /// Removed for cause; its past attestations are all invalid, and it cannot return.
        Distrusted,
    }

    /// One attestation as stored.
    #[derive(Debug, Clone, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct Attestation {
        /// The schema it is made under.
        pub schema: SchemaId,
        /// Whom it is about.
        pub subject: AccountId,
        /// Who made it.
        pub attester: AccountId,
        /// Merkle root of the salted claim fields.
        pub claim_hash: Digest,
        /// When it was made (ms).
        pub issued_at: Timestamp,
        /// When it stops being valid (ms), if ever.
        pub expires_at: Option<Timestamp>,
        /// The attestation it depends on, if any.
        pub parent: Option<AttestationId>,
        /// Number of ancestors (0 without a parent).
        pub depth: u8,
        /// Active, suspended or revoked.
        pub status: Status,
    }

    /// Whether an attestation is valid now, and if not, the first reason found.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    pub enum Validity {
        /// Valid.
        Valid,
        /// No attestation with that id.
        NotFound,
        /// Revoked.
        Revoked,
        /// Suspended.
        Suspended,
        /// Past its expiry.
        Expired,
        /// Its attester was distrusted.
        AttesterDistrusted,
        /// An ancestor is not valid.
        ParentInvalid,
    }

    /// One attestation to create, as given to [`Attestations::attest`] and [`Attestations::attest_batch`].
    #[derive(Debug, Clone, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    pub struct AttestRequest {
        /// Whom it is about.
        pub subject: AccountId,
        /// Merkle root of the salted claim fields.
        pub claim_hash: Digest,
        /// Expiry (ms); required when the schema has a maximum validity.
        pub expires_at: Option<Timestamp>,
        /// The attestation it depends on, which must be valid now.
        pub parent: Option<AttestationId>,
    }

    /// Why one requested attestation was refused.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    pub enum AttestRefusal {
        /// The expiry is not in the future.
        ExpiryInPast,
        /// The schema limits validity, so an expiry must be given.
        ExpiryRequired,
        /// The expiry is further away than the schema's maximum validity.
        ExpiryBeyondMaxValidity,
        /// The parent attestation does not exist.
        ParentNotFound,
        /// The parent attestation is not valid now.
        ParentNotValid,
        /// The parent chain would be deeper than [`MAX_PARENT_DEPTH`].
        ParentTooDeep,
        /// The subject already holds [`MAX_PER_SUBJECT`] live attestations of this schema.
        SubjectListFull,
    }

    pub use codec::{Error, Status};

    // parity-scale-codec's derive casts `usize` variant indices to `u8` on data-carrying enums, which
    // trips cargo-contract's `-D clippy::cast_possible_truncation`; the allow covers only these types.
    #[allow(clippy::cast_possible_truncation)]
    mod codec {
        use super::{AttestRefusal, Timestamp, Validity};

        /// An attestation's own state, apart from expiry and its parent.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[ink::scale_derive(Encode, Decode, TypeInfo)]
        #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
        pub enum Status {
            /// In force.
            Active,
            /// Temporarily not valid; can be resumed.
            Suspended {
                /// Reason code given by whoever suspended it.
                reason: u32,
                /// Whether the schema owner suspended it: then only the schema owner may resume it.
                by_schema_owner: bool,
            },
            /// Permanently not valid.
            Revoked {
                /// Reason code given by whoever revoked it.
                reason: u32,
                /// When it was revoked (ms).
                at: Timestamp,
            },
        }

        /// Every way a message of this contract can refuse.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[ink::scale_derive(Encode, Decode, TypeInfo)]
        pub enum Error {
            /// No schema with that id.
            SchemaNotFound,
            /// The schema name is empty or longer than [`MAX_NAME_LEN`] bytes.
            InvalidSchemaName,
            /// Only the schema's owner may do this.
            NotSchemaOwner,
            /// The account is already an active attester of this schema.
            AttesterAlreadyActive,
            /// The account is not an active attester of this schema.
            NotAttester,
            /// A distrusted attester cannot be added back.
            AttesterDistrusted,
            /// The requested attestation was refused.
            Refused(AttestRefusal),
            /// A batch must hold at least one request.
            BatchEmpty,
            /// A batch may hold at most [`MAX_BATCH`] requests.
            BatchTooLarge,
            /// Request number `index` of a batch was refused; nothing of the batch was stored.
            BatchItemRefused {
                /// Position of the refused request, from 0.
                index: u32,
                /// Why it was refused.
                cause: AttestRefusal,
            },
            /// No attestation with that id.
            AttestationNotFound,
            /// Only the attestation's attester or the schema's owner may change its status.
            NotAuthorized,
            /// The schema's attestations cannot be revoked or suspended.
            SchemaNotRevocable,
            /// The attestation is already revoked; revocation is final.
            AlreadyRevoked,
            /// The attestation is already suspended.
            AlreadySuspended,
            /// The attestation is not suspended.
            NotSuspended,
            /// A consent must last until a future time.
            ConsentExpiryInPast,
            /// The schema requires the subject's consent, and the caller has none in force.
            NoConsent,
            /// The attestation is not valid now, for the reason given.
            NotValid(Validity),
            /// An id counter ran out.
            IdOverflow,
        }
    }

    /// Result of this contract's messages.
    pub type Result<T> = core::result::Result<T, Error>;

    /// A schema was registered.
    #[ink(event)]
    pub struct SchemaRegistered {
        /// Its id.
        #[ink(topic)]
        pub schema: SchemaId,
        /// Its owner.
        #[ink(topic)]
        pub owner: AccountId,
        /// Hash of its off-chain definition.
        pub definition_hash: Digest,
        /// Its name.
        pub name: Vec<u8>,
        /// Whether its attestations can be revoked.
        pub revocable: bool,
        /// Its maximum validity (ms).
        pub max_validity_ms: Option<Timestamp>,
        /// Whether recorded checks need consent.
        pub consent_required: bool,
    }

    /// A schema changed owner.
    #[ink(event)]
    pub struct SchemaOwnerChanged {
        /// The schema.
        #[ink(topic)]
        pub schema: SchemaId,
        /// The previous owner.
        pub from: AccountId,
        /// The new owner.
        pub to: AccountId,
    }

    /// An attester was authorized for a schema.
    #[ink(event)]
    pub struct AttesterAdded {
        /// The schema.
        #[ink(topic)]
        pub schema: SchemaId,
        /// The attester.
        #[ink(topic)]
        pub attester: AccountId,
    }

    /// An attester was removed from a schema.
    #[ink(event)]
    pub struct AttesterRemoved {
        /// The schema.
        #[ink(topic)]
        pub schema: SchemaId,
        /// The attester.
        #[ink(topic)]
        pub attester: AccountId,
        /// Whether it was distrusted, invalidating its past attestations.
        pub distrusted: bool,
    }

    /// An attestation was made.
    #[ink(event)]
    pub struct Attested {
        /// Its id.
        #[ink(topic)]
        pub id: AttestationId,
        /// Whom it is about.
        #[ink(topic)]
        pub subject: AccountId,
        /// Its schema.
        pub schema: SchemaId,
        /// Who made it.
        pub attester: AccountId,
        /// Its claim hash.
        pub claim_hash: Digest,
        /// Its expiry (ms).
        pub expires_at: Option<Timestamp>,
        /// Its parent.
        pub parent: Option<AttestationId>,
    }

    /// An attestation was revoked.
    #[ink(event)]
    pub struct Revoked {
        /// The attestation.
        #[ink(topic)]
        pub id: AttestationId,
        /// Who revoked it.
        pub by: AccountId,
        /// The reason code.
        pub reason: u32,
    }

    /// An attestation was suspended.
    #[ink(event)]
    pub struct Suspended {
        /// The attestation.
        #[ink(topic)]
        pub id: AttestationId,
        /// Who suspended it.
        pub by: AccountId,
        /// The reason code.
        pub reason: u32,
    }

    /// A suspended attestation was resumed.
    #[ink(event)]
    pub struct Resumed {
        /// The attestation.
        #[ink(topic)]
        pub id: AttestationId,
        /// Who resumed it.
        pub by: AccountId,
    }

    /// A subject let a verifier record checks of its attestations of a schema.
    #[ink(event)]
    pub struct ConsentGranted {
        /// The subject.
        #[ink(topic)]
        pub subject: AccountId,
        /// The verifier.
        #[ink(topic)]
        pub verifier: AccountId,
        /// The schema.
        pub schema: SchemaId,
        /// Until when (ms, exclusive).
        pub until: Timestamp,
    }

    /// A subject withdrew a verifier's consent.
    #[ink(event)]
    pub struct ConsentRevoked {
        /// The subject.
        #[ink(topic)]
        pub subject: AccountId,
        /// The verifier.
        #[ink(topic)]
        pub verifier: AccountId,
        /// The schema.
        pub schema: SchemaId,
    }

    /// A verifier recorded a check of an attestation: the subject's audit trail.
    #[ink(event)]
    pub struct VerificationRecorded {
        /// The subject checked.
        #[ink(topic)]
        pub subject: AccountId,
        /// Who checked.
        #[ink(topic)]
        pub verifier: AccountId,
        /// The attestation checked.
        pub attestation: AttestationId,
        /// The verifier's purpose code.
        pub purpose: u32,
        /// What the check found.
        pub validity: Validity,
    }

    /// Key of the per-subject index: (subject, schema).
    type SubjectKey = (AccountId, SchemaId);
    /// Key of a consent: (subject, verifier, schema).
    type ConsentKey = (AccountId, AccountId, SchemaId);

    /// The attestation registry.
    #[ink(storage)]
    pub struct Attestations {
        /// Every schema by id: who owns it and its rules (revocable, expiry, parent).
        schemas: Mapping<SchemaId, Schema>,
        /// The id the next schema gets.
        next_schema: SchemaId,
        /// (schema, account) → whether it may attest under the schema, or was distrusted.
        attesters: Mapping<(SchemaId, AccountId), AttesterStatus>,
        /// Every attestation by id, kept after revocation so its history stays auditable.
        records: Mapping<AttestationId, Attestation>,
        /// The id the next attestation gets.
        next_attestation: AttestationId,
        /// A subject's attestations per schema: what a verifier looks up, so a check reads a few
        /// records instead of scanning.
        by_subject: Mapping<SubjectKey, Vec<AttestationId>>,
        /// Until when a subject lets a verifier see its attestations.
        consents: Mapping<ConsentKey, Timestamp>,
    }

    impl Default for Attestations {
        fn default() -> Self {
            Self::new()
        }
    }

    impl Attestations {
        /// An empty registry.
        #[ink(constructor)]
        pub fn new() -> Self {
            Self {
                schemas: Mapping::new(),
                next_schema: 0,
                attesters: Mapping::new(),
                records: Mapping::new(),
                next_attestation: 0,
                by_subject: Mapping::new(),
                consents: Mapping::new(),
            }
        }

        // ---- schemas and attesters -------------------------------------------------------------

        /// Registers a schema owned by the caller (anyone may) and returns its id. Emits
        /// `SchemaRegistered`.
        ///
        /// # Errors
        /// `InvalidSchemaName` for an empty name or one over `MAX_NAME_LEN` bytes; `IdOverflow`.
        #[ink(message)]
        pub fn register_schema(
            &mut self,
            definition_hash: Digest,
            name: Vec<u8>,
            revocable: bool,
            max_validity_ms: Option<Timestamp>,
            consent_required: bool,
        ) -> Result<SchemaId> {
            let name_len = u32::try_from(name.len()).unwrap_or(u32::MAX);
            if name_len == 0 || name_len > MAX_NAME_LEN {
                return Err(Error::InvalidSchemaName);
            }
            let id = self.next_schema;
            self.next_schema = id.checked_add(1).ok_or(Error::IdOverflow)?;
            let owner = self.env().caller();
            let schema = Schema {
                owner,
                definition_hash,
                name,
                revocable,
                max_validity_ms,
                consent_required,
            };
            self.schemas.insert(id, &schema);
            self.env().emit_event(SchemaRegistered {
                schema: id,
                owner,
                definition_hash,
                name: schema.name,
                revocable,
                max_validity_ms,
                consent_required,
            });
            Ok(id)
        }

        /// Hands a schema to a new owner; only its owner may. Emits `SchemaOwnerChanged`.
        ///
        /// # Errors
        /// `SchemaNotFound`; `NotSchemaOwner`.
        #[ink(message)]
        pub fn transfer_schema(&mut self, schema: SchemaId, new_owner: AccountId) -> Result<()> {
            let mut s = self.owned_schema(schema)?;
            let from = s.owner;
            s.owner = new_owner;
            self.schemas.insert(schema, &s);
            self.env().emit_event(SchemaOwnerChanged {
                schema,
                from,
                to: new_owner,
            });
            Ok(())
        }

        /// Authorizes `attester` to attest under `schema`; only the schema owner may. Emits
        /// `AttesterAdded`.
        ///
        /// # Errors
        /// `SchemaNotFound`; `NotSchemaOwner`; `AttesterAlreadyActive`; `AttesterDistrusted` for an
        /// attester removed for cause.
        #[ink(message)]
        pub fn add_attester(&mut self, schema: SchemaId, attester: AccountId) -> Result<()> {
            self.owned_schema(schema)?;
            match self.attesters.get((schema, attester)) {
                Some(AttesterStatus::Active) => return Err(Error::AttesterAlreadyActive),
                Some(AttesterStatus::Distrusted) => return Err(Error::AttesterDistrusted),
                Some(AttesterStatus::Retired) | None => {}
            }
            self.attesters
                .insert((schema, attester), &AttesterStatus::Active);
            self.env().emit_event(AttesterAdded { schema, attester });
            Ok(())
        }

        /// Removes an active attester; only the schema owner may. With `distrust`, every attestation it
        /// made under this schema stops being valid and it can never be added back; without, they stay.
        /// Emits `AttesterRemoved`.
        ///
        /// # Errors
        /// `SchemaNotFound`; `NotSchemaOwner`; `NotAttester` unless it is active (or retired, to be
        /// distrusted).
        #[ink(message)]
        pub fn remove_attester(
            &mut self,
            schema: SchemaId,
            attester: AccountId,
            distrust: bool,
        ) -> Result<()> {
            self.owned_schema(schema)?;
            match self.attesters.get((schema, attester)) {
                Some(AttesterStatus::Active) => {}
                // Escalating a retired attester to distrusted is allowed: a key can leak after retirement.
                Some(AttesterStatus::Retired) if distrust => {}
                _ => return Err(Error::NotAttester),
            }
            let status = if distrust {
                AttesterStatus::Distrusted
            } else {
                AttesterStatus::Retired
            };
            self.attesters.insert((schema, attester), &status);
            self.env().emit_event(AttesterRemoved {
                schema,
                attester,
                distrusted: distrust,
            });
            Ok(())
        }

        // ---- attesting -------------------------------------------------------------------------

        /// Attests `request` under `schema`; the caller must be an active attester. Returns the new id.
        /// Emits `Attested`.
        ///
        /// # Errors
        /// `SchemaNotFound`; `NotAttester`; `Refused` with why the request cannot be attested (expiry,
        /// parent, or the subject's list full).
        #[ink(message)]
        pub fn attest(
            &mut self,
            schema: SchemaId,
            request: AttestRequest,
        ) -> Result<AttestationId> {
            let s = self.attesting_schema(schema)?;
            self.store_attestation(schema, &s, request)
                .map_err(Error::Refused)
        }

        /// Attests up to [`MAX_BATCH`] requests under `schema` in one call, all or nothing. Ids are
        /// consecutive; returns the first. Emits `Attested` per request.
        ///
        /// # Errors
        /// `BatchEmpty`, `BatchTooLarge`; `SchemaNotFound`; `NotAttester`; `BatchItemRefused` names
        /// the first request refused and why (nothing is attested then).
        #[ink(message)]
        pub fn attest_batch(
            &mut self,
            schema: SchemaId,
            requests: Vec<AttestRequest>,
        ) -> Result<AttestationId> {
            if requests.is_empty() {
                return Err(Error::BatchEmpty);
            }
            if requests.len() > MAX_BATCH as usize {
                return Err(Error::BatchTooLarge);
            }
            let s = self.attesting_schema(schema)?;
            let first = self.next_attestation;
            for (index, request) in requests.into_iter().enumerate() {
                // Returning Err reverts the whole call, so a refused item leaves nothing behind.
                self.store_attestation(schema, &s, request)
                    .map_err(|cause| Error::BatchItemRefused {
                        index: u32::try_from(index).unwrap_or(u32::MAX),
                        cause,
                    })?;
            }
            Ok(first)
        }

        /// Revokes an attestation for good; only its attester or the schema owner, only on revocable
        /// schemas. Emits `Revoked`.
        ///
        /// # Errors
        /// `AttestationNotFound`; `NotAuthorized`; `SchemaNotRevocable`; `AlreadyRevoked`.
        #[ink(message)]
        pub fn revoke(&mut self, id: AttestationId, reason: u32) -> Result<()> {
            let mut a = self.changeable(id)?;
            if matches!(a.status, Status::Revoked { .. }) {
                return Err(Error::AlreadyRevoked);
            }
            a.status = Status::Revoked {
                reason,
                at: self.env().block_timestamp(),
            };
            self.records.insert(id, &a);
            self.env().emit_event(Revoked {
                id,
                by: self.env().caller(),
                reason,
            });
            Ok(())
        }

        /// Suspends an active attestation until resumed; same callers and schemas as [`Self::revoke`].
        /// Emits `Suspended`.
        ///
        /// # Errors
        /// `AttestationNotFound`; `NotAuthorized`; `SchemaNotRevocable`; `AlreadyRevoked`;
        /// `AlreadySuspended`.
        #[ink(message)]
        pub fn suspend(&mut self, id: AttestationId, reason: u32) -> Result<()> {
            let mut a = self.changeable(id)?;
            match a.status {
                Status::Revoked { .. } => return Err(Error::AlreadyRevoked),
                Status::Suspended { .. } => return Err(Error::AlreadySuspended),
                Status::Active => {}
            }
            let by_schema_owner = self.schema_or_err(a.schema)?.owner == self.env().caller();
            a.status = Status::Suspended {
                reason,
                by_schema_owner,
            };
            self.records.insert(id, &a);
            self.env().emit_event(Suspended {
                id,
                by: self.env().caller(),
                reason,
            });
            Ok(())
        }

        /// Lifts a suspension; same callers as [`Self::revoke`], except that a suspension the schema
        /// owner placed only the schema owner lifts (an attester, retired or not, cannot overrule it).
        /// Emits `Resumed`.
        ///
        /// # Errors
        /// `AttestationNotFound`; `NotAuthorized` (also for an attester lifting the owner's
        /// suspension); `SchemaNotRevocable`; `AlreadyRevoked`; `NotSuspended`.
        #[ink(message)]
        pub fn resume(&mut self, id: AttestationId) -> Result<()> {
            let mut a = self.changeable(id)?;
            match a.status {
                Status::Suspended {
                    by_schema_owner: true,
                    ..
                } if self.schema_or_err(a.schema)?.owner != self.env().caller() => {
                    return Err(Error::NotAuthorized);
                }
                Status::Suspended { .. } => {}
                Status::Revoked { .. } => return Err(Error::AlreadyRevoked),
                Status::Active => return Err(Error::NotSuspended),
            }
            a.status = Status::Active;
            self.records.insert(id, &a);
            self.env().emit_event(Resumed {
                id,
                by: self.env().caller(),
            });
            Ok(())
        }

        // ---- consent and audit -----------------------------------------------------------------

        /// Lets `verifier` record checks of the caller's attestations of `schema` until `until` (ms).
        /// Any subject may. Emits `ConsentGranted`.
        ///
        /// # Errors
        /// `SchemaNotFound`; `ConsentExpiryInPast`.
        #[ink(message)]
        pub fn grant_consent(
            &mut self,
            verifier: AccountId,
            schema: SchemaId,
            until: Timestamp,
        ) -> Result<()> {
            self.schema_or_err(schema)?;
            if until <= self.env().block_timestamp() {
                return Err(Error::ConsentExpiryInPast);
            }
            let subject = self.env().caller();
            self.consents.insert((subject, verifier, schema), &until);
            self.env().emit_event(ConsentGranted {
                subject,
                verifier,
                schema,
                until,
            });
            Ok(())
        }

        /// Withdraws `verifier`'s consent for the caller's attestations of `schema`. Emits
        /// `ConsentRevoked`.
        ///
        /// # Errors
        /// `NoConsent` when none was given.
        #[ink(message)]
        pub fn revoke_consent(&mut self, verifier: AccountId, schema: SchemaId) -> Result<()> {
            let subject = self.env().caller();
            if self.consents.take((subject, verifier, schema)).is_none() {
                return Err(Error::NoConsent);
            }
            self.env().emit_event(ConsentRevoked {
                subject,
                verifier,
                schema,
            });
            Ok(())
        }

        /// Checks attestation `id` on the record, for `purpose`, and returns what was found. On schemas
        /// that require consent the caller needs the subject's consent in force. Any verifier may.
        /// Emits `VerificationRecorded`.
        ///
        /// # Errors
        /// `AttestationNotFound`; `SchemaNotFound`; `NoConsent`.
        #[ink(message)]
        pub fn record_verification(&mut self, id: AttestationId, purpose: u32) -> Result<Validity> {
            let a = self.records.get(id).ok_or(Error::AttestationNotFound)?;
            let schema = self.schema_or_err(a.schema)?;
            let verifier = self.env().caller();
            if schema.consent_required {
                let until = self
                    .consents
                    .get((a.subject, verifier, a.schema))
                    .unwrap_or(0);
                if until <= self.env().block_timestamp() {
                    return Err(Error::NoConsent);
                }
            }
            let validity = self.validity(id);
            self.env().emit_event(VerificationRecorded {
                subject: a.subject,
                verifier,
                attestation: id,
                purpose,
                validity,
            });
            Ok(validity)
        }

        // ---- queries ---------------------------------------------------------------------------

        /// The schema with id `schema`.
        #[ink(message)]
        pub fn schema(&self, schema: SchemaId) -> Option<Schema> {
            self.schemas.get(schema)
        }

        /// How `account` stands as attester of `schema`, if it ever was one.
        #[ink(message)]
        pub fn attester_status(
            &self,
            schema: SchemaId,
            account: AccountId,
        ) -> Option<AttesterStatus> {
            self.attesters.get((schema, account))
        }

        /// The attestation with id `id`.
        #[ink(message)]
        pub fn attestation(&self, id: AttestationId) -> Option<Attestation> {
            self.records.get(id)
        }

        /// Whether attestation `id` is valid now, or the first reason it is not.
        #[ink(message)]
        pub fn validity(&self, id: AttestationId) -> Validity {
            self.judge(id, self.env().block_timestamp()).0
        }

        /// Whether attestation `id` is valid now.
        #[ink(message)]
        pub fn is_valid(&self, id: AttestationId) -> bool {
            self.validity(id) == Validity::Valid
        }

        /// The id of a valid attestation of `schema` held by `subject` (with `claim_hash`, when given).
        #[ink(message)]
        pub fn find_valid(
            &self,
            subject: AccountId,
            schema: SchemaId,
            claim_hash: Option<Digest>,
        ) -> Option<AttestationId> {
            self.by_subject
                .get((subject, schema))
                .unwrap_or_default()
                .into_iter()
                .find(|id| {
                    let claim_matches = match claim_hash {
                        None => true,
                        Some(h) => self.records.get(*id).is_some_and(|a| a.claim_hash == h),
                    };
                    claim_matches && self.is_valid(*id)
                })
        }

        /// The ids of `subject`'s attestations of `schema`, valid or not (revoked and expired ones may
        /// have been pruned).
        #[ink(message)]
        pub fn attestations_of(&self, subject: AccountId, schema: SchemaId) -> Vec<AttestationId> {
            self.by_subject.get((subject, schema)).unwrap_or_default()
        }

        /// Until when (ms) `verifier` may record checks of `subject`'s attestations of `schema`.
        #[ink(message)]
        pub fn consent_until(
            &self,
            subject: AccountId,
            verifier: AccountId,
            schema: SchemaId,
        ) -> Option<Timestamp> {
            self.consents.get((subject, verifier, schema))
        }

        /// Whether the disclosed field (`key`, `value`, `salt`) is part of attestation `id`'s claim hash
        /// at the position `proof` states. Refuses when the attestation is missing or not valid now.
        ///
        /// # Errors
        /// `AttestationNotFound`; `NotValid` with why the attestation is not valid now.
        #[ink(message)]
        pub fn verify_disclosure(
            &self,
            id: AttestationId,
            key: Vec<u8>,
            value: Vec<u8>,
            salt: Digest,
            proof: MerkleProof,
        ) -> Result<bool> {
            let a = self.records.get(id).ok_or(Error::AttestationNotFound)?;
            let validity = self.validity(id);
            if validity != Validity::Valid {
                return Err(Error::NotValid(validity));
            }
            Ok(claims::verify_field(
                &a.claim_hash,
                &key,
                &value,
                &salt,
                &proof,
            ))
        }

        /// How many schemas exist (ids run from 0).
        #[ink(message)]
        pub fn schema_count(&self) -> SchemaId {
            self.next_schema
        }

        /// How many attestations exist (ids run from 0).
        #[ink(message)]
        pub fn attestation_count(&self) -> AttestationId {
            self.next_attestation
        }

        // ---- internals -------------------------------------------------------------------------

        fn schema_or_err(&self, schema: SchemaId) -> Result<Schema> {
            self.schemas.get(schema).ok_or(Error::SchemaNotFound)
        }

        fn owned_schema(&self, schema: SchemaId) -> Result<Schema> {
            let s = self.schema_or_err(schema)?;
            if s.owner != self.env().caller() {
                return Err(Error::NotSchemaOwner);
            }
            Ok(s)
        }

        fn attesting_schema(&self, schema: SchemaId) -> Result<Schema> {
            let s = self.schema_or_err(schema)?;
            if self.attesters.get((schema, self.env().caller())) != Some(AttesterStatus::Active) {
                return Err(Error::NotAttester);
            }
            Ok(s)
        }

        /// The attestation `id`, when the caller may change its status.
        fn changeable(&self, id: AttestationId) -> Result<Attestation> {
            let a = self.records.get(id).ok_or(Error::AttestationNotFound)?;
            let s = self.schema_or_err(a.schema)?;
            let caller = self.env().caller();
            if caller != a.attester && caller != s.owner {
                return Err(Error::NotAuthorized);
            }
            if !s.revocable {
                return Err(Error::SchemaNotRevocable);
            }
            Ok(a)
        }

        /// Whether attestation `id` is valid at `now`, or the first reason it is not (an ancestor's
        /// reason is `ParentInvalid`), and whether it can never be valid again: it or an ancestor
        /// is missing, revoked, expired or by a distrusted attester (only suspension is undone).
        fn judge(&self, id: AttestationId, now: Timestamp) -> (Validity, bool) {
            let mut first = Validity::Valid;
            let mut current = Some(id);
            // Depth is checked when attesting, so MAX_PARENT_DEPTH + 1 steps always reach the root.
            for step in 0..=MAX_PARENT_DEPTH {
                let Some(at) = current else {
                    return (first, false);
                };
                let own = match self.records.get(at) {
                    Some(a) => {
                        current = a.parent;
                        self.own_validity(&a, now)
                    }
                    None => Validity::NotFound,
                };
                if own == Validity::Valid {
                    continue;
                }
                if first == Validity::Valid {
                    first = if step == 0 {
                        own
                    } else {
                        Validity::ParentInvalid
                    };
                }
                if own != Validity::Suspended {
                    return (first, true);
                }
            }
            if current.is_some() {
                first = Validity::ParentInvalid;
            }
            (first, false)
        }

        fn own_validity(&self, a: &Attestation, now: Timestamp) -> Validity {
            match a.status {
                Status::Revoked { .. } => return Validity::Revoked,
                Status::Suspended { .. } => return Validity::Suspended,
                Status::Active => {}
            }
            if a.expires_at.is_some_and(|t| t <= now) {
                return Validity::Expired;
            }
            if self.attesters.get((a.schema, a.attester)) == Some(AttesterStatus::Distrusted) {
                return Validity::AttesterDistrusted;
            }
            Validity::Valid
        }

        fn store_attestation(
            &mut self,
            schema: SchemaId,
            s: &Schema,
            request: AttestRequest,
        ) -> core::result::Result<AttestationId, AttestRefusal> {
            let now = self.env().block_timestamp();
            match (request.expires_at, s.max_validity_ms) {
                (Some(t), _) if t <= now => return Err(AttestRefusal::ExpiryInPast),
                (None, Some(_)) => return Err(AttestRefusal::ExpiryRequired),
                (Some(t), Some(max)) if t > now.saturating_add(max) => {
                    return Err(AttestRefusal::ExpiryBeyondMaxValidity)
                }
                _ => {}
            }
            let depth = match request.parent {
                None => 0,
                Some(parent) => {
                    let p = self
                        .records
                        .get(parent)
                        .ok_or(AttestRefusal::ParentNotFound)?;
                    if !self.is_valid(parent) {
                        return Err(AttestRefusal::ParentNotValid);
                    }
                    match p.depth.checked_add(1) {
                        Some(d) if d <= MAX_PARENT_DEPTH => d,
                        _ => return Err(AttestRefusal::ParentTooDeep),
                    }
                }
            };

            let key = (request.subject, schema);
            let mut held = self.by_subject.get(key).unwrap_or_default();
            // What can never become valid again, its own fault or an ancestor's, makes room.
            held.retain(|id| !self.judge(*id, now).1);
            if held.len() >= MAX_PER_SUBJECT as usize {
                return Err(AttestRefusal::SubjectListFull);
            }

            let id = self.next_attestation;
            // u64 ids cannot run out in practice; saturating keeps the message free of traps regardless.
            self.next_attestation = id.saturating_add(1);
            let attester = self.env().caller();
            let a = Attestation {
                schema,
                subject: request.subject,
                attester,
                claim_hash: request.claim_hash,
                issued_at: now,
                expires_at: request.expires_at,
                parent: request.parent,
                depth,
                status: Status::Active,
            };
            self.records.insert(id, &a);
            held.push(id);
            self.by_subject.insert(key, &held);
            self.env().emit_event(Attested {
                id,
                subject: request.subject,
                schema,
                attester,
                claim_hash: request.claim_hash,
                expires_at: request.expires_at,
                parent: request.parent,
            });
            Ok(id)
        }
    }

    impl AttestationVerifier for Attestations {
        /// Whether `subject` holds a valid attestation of `schema` (with `claim_hash`, when given).
        #[ink(message)]
        fn has_valid_attestation(
            &self,
            subject: AccountId,
            schema: SchemaId,
            claim_hash: Option<Digest>,
        ) -> bool {
            self.find_valid(subject, schema, claim_hash).is_some()
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use ink::env::{test, DefaultEnvironment};

        fn accounts() -> test::DefaultAccounts<DefaultEnvironment> {
            test::default_accounts::<DefaultEnvironment>()
        }

        fn set_caller(who: AccountId) {
            test::set_caller::<DefaultEnvironment>(who);
        }

        fn set_now(ms: Timestamp) {
            test::set_block_timestamp::<DefaultEnvironment>(ms);
        }

        fn request(subject: AccountId, expires_at: Option<Timestamp>) -> AttestRequest {
            AttestRequest {
                subject,
                claim_hash: [7; 32],
                expires_at,
                parent: None,
            }
        }

        /// Alice owns schema 0 (revocable, ≤ 1000 ms validity); Bob attests under it.
        fn setup() -> Attestations {
            let acc = accounts();
            set_caller(acc.alice);
            set_now(100);
            let mut c = Attestations::new();
            c.register_schema([1; 32], b"meter-holder".to_vec(), true, Some(1000), false)
                .unwrap();
            c.add_attester(0, acc.bob).unwrap();
            set_caller(acc.bob);
            c
        }

        #[ink::test]
        fn expiry_rules_follow_the_schema() {
            let acc = accounts();
            let mut c = setup();
            assert_eq!(
                c.attest(0, request(acc.charlie, None)),
                Err(Error::Refused(AttestRefusal::ExpiryRequired))
            );
            assert_eq!(
                c.attest(0, request(acc.charlie, Some(100))),
                Err(Error::Refused(AttestRefusal::ExpiryInPast))
            );
            assert_eq!(
                c.attest(0, request(acc.charlie, Some(1101))),
                Err(Error::Refused(AttestRefusal::ExpiryBeyondMaxValidity))
            );
            let id = c.attest(0, request(acc.charlie, Some(1100))).unwrap();
            assert!(c.is_valid(id));
            set_now(1100);
            assert_eq!(c.validity(id), Validity::Expired);
        }

        #[ink::test]
        fn retired_attester_keeps_its_work_valid_distrusted_does_not() {
            let acc = accounts();
            let mut c = setup();
            let id = c.attest(0, request(acc.charlie, Some(500))).unwrap();
            set_caller(acc.alice);
            c.remove_attester(0, acc.bob, false).unwrap();
            assert!(c.is_valid(id));
            c.remove_attester(0, acc.bob, true).unwrap();
            assert_eq!(c.validity(id), Validity::AttesterDistrusted);
            assert_eq!(c.add_attester(0, acc.bob), Err(Error::AttesterDistrusted));
        }

        #[ink::test]
        fn subject_list_prunes_dead_entries_and_stays_bounded() {
            let acc = accounts();
            let mut c = setup();
            for _ in 0..MAX_PER_SUBJECT {
                c.attest(0, request(acc.charlie, Some(500))).unwrap();
            }
            assert_eq!(
                c.attest(0, request(acc.charlie, Some(500))),
                Err(Error::Refused(AttestRefusal::SubjectListFull))
            );
            c.revoke(0, 1).unwrap();
            let id = c.attest(0, request(acc.charlie, Some(500))).unwrap();
            assert!(!c.attestations_of(acc.charlie, 0).contains(&0));
            assert!(c.attestations_of(acc.charlie, 0).contains(&id));
        }
    }
}
