//! The attestations contract's real Wasm on the sandbox chain.

use attestations::{
    events::{Attested, AttesterRemoved, Revoked, VerificationRecorded},
    AttestRefusal, AttestRequest, Attestations, Error, Status, Validity, MAX_BATCH,
    MAX_PARENT_DEPTH,
};
use gridtrust_common::{
    claims::{self, ClaimField},
    merkle::MerkleProof,
    verifier::{AttestationVerifier, SchemaId},
    Digest,
};
use gridtrust_tests::{call_builder, decode_all, AccountId, Chain, World, DAY_MS, HOUR_MS};

type Api = <Attestations as ink::codegen::ContractCallBuilder>::Type;

/// A world with an attestations contract, a schema owner (the utility), an attester and a subject.
struct Setup {
    world: World,
    contract: AccountId,
    utility: AccountId,
    clerk: AccountId,
    customer: AccountId,
    stranger: AccountId,
}

impl Setup {
    fn new() -> Self {
        let mut world = World::new();
        let utility = world.actor("utility");
        let clerk = world.actor("clerk");
        let customer = world.actor("customer");
        let stranger = world.actor("stranger");
        let contract = world.deploy_attestations(&utility);
        Self {
            world,
            contract,
            utility,
            clerk,
            customer,
            stranger,
        }
    }

    fn api(&self) -> Api {
        call_builder::<Attestations>(self.contract)
    }

    /// Calls a state-changing message as `who` and returns the contract's answer.
    fn send<R: scale::Decode>(
        &mut self,
        who: AccountId,
        msg: impl Into<gridtrust_chain::Message<R>>,
    ) -> R {
        self.world.send(&self.contract, &who, msg, 0)
    }

    fn read<R: scale::Decode>(&mut self, msg: impl Into<gridtrust_chain::Message<R>>) -> R {
        self.world.read(&self.contract, msg)
    }

    /// Registers a schema owned by the utility and authorizes the clerk under it.
    fn schema(&mut self, revocable: bool, max_validity_ms: Option<u64>, consent: bool) -> SchemaId {
        let m = self.api().register_schema(
            [3; 32],
            b"meter-holder".to_vec(),
            revocable,
            max_validity_ms,
            consent,
        );
        let id = self.send(self.utility, m).expect("schema registers");
        let m = self.api().add_attester(id, self.clerk);
        self.send(self.utility, m).expect("attester added");
        id
    }

    fn request(&self, expires_in: Option<u64>, parent: Option<u64>) -> AttestRequest {
        AttestRequest {
            subject: self.customer,
            claim_hash: [5; 32],
            expires_at: expires_in.map(|ms| self.world.chain.now_ms() + ms),
            parent,
        }
    }

    fn attest(&mut self, schema: SchemaId, req: AttestRequest) -> Result<u64, Error> {
        let m = self.api().attest(schema, req);
        self.send(self.clerk, m)
    }

    fn validity(&mut self, id: u64) -> Validity {
        let m = self.api().validity(id);
        self.read(m)
    }
}

#[test]
fn privileged_messages_refuse_the_wrong_account() {
    let mut s = Setup::new();
    let schema = s.schema(true, None, true);
    let id = s.attest(schema, s.request(None, None)).unwrap();
    let (stranger, customer) = (s.stranger, s.customer);

    let m = s.api().transfer_schema(schema, stranger);
    assert_eq!(s.send(stranger, m), Err(Error::NotSchemaOwner));
    let m = s.api().add_attester(schema, stranger);
    assert_eq!(s.send(stranger, m), Err(Error::NotSchemaOwner));
    let m = s.api().remove_attester(schema, s.clerk, true);
    assert_eq!(s.send(stranger, m), Err(Error::NotSchemaOwner));

    let m = s.api().attest(schema, s.request(None, None));
    assert_eq!(s.send(stranger, m), Err(Error::NotAttester));
    let m = s.api().attest_batch(schema, vec![s.request(None, None)]);
    assert_eq!(s.send(stranger, m), Err(Error::NotAttester));

    for m in [s.api().revoke(id, 1), s.api().suspend(id, 1)] {
        assert_eq!(s.send(stranger, m), Err(Error::NotAuthorized));
    }
    // The subject itself cannot clear a suspension either.
    let m = s.api().suspend(id, 9);
    s.send(s.clerk, m).unwrap();
    let m = s.api().resume(id);
    assert_eq!(s.send(customer, m), Err(Error::NotAuthorized));

    // Recording a check on a consent schema needs the subject's consent.
    let m = s.api().record_verification(id, 1);
    assert_eq!(s.send(stranger, m), Err(Error::NoConsent));
    // Only the subject can withdraw a consent it gave.
    let until = s.world.chain.now_ms() + DAY_MS;
    let m = s.api().grant_consent(stranger, schema, until);
    s.send(customer, m).unwrap();
    let m = s.api().revoke_consent(stranger, schema);
    assert_eq!(s.send(stranger, m), Err(Error::NoConsent));
    let m = s.api().consent_until(customer, stranger, schema);
    assert_eq!(s.read(m), Some(until));
}

#[test]
fn expiry_follows_sandbox_time() {
    let mut s = Setup::new();
    let schema = s.schema(true, Some(30 * DAY_MS), false);
    assert_eq!(
        s.attest(schema, s.request(None, None)),
        Err(Error::Refused(AttestRefusal::ExpiryRequired))
    );
    assert_eq!(
        s.attest(schema, s.request(Some(31 * DAY_MS), None)),
        Err(Error::Refused(AttestRefusal::ExpiryBeyondMaxValidity))
    );
    let id = s.attest(schema, s.request(Some(DAY_MS), None)).unwrap();
    assert_eq!(s.validity(id), Validity::Valid);

    s.world.chain.advance_time(DAY_MS - 1);
    s.world.chain.next_block();
    assert_eq!(s.validity(id), Validity::Valid);
    s.world.chain.advance_time(1);
    s.world.chain.next_block();
    assert_eq!(s.validity(id), Validity::Expired);
    let m = s.api().has_valid_attestation(s.customer, schema, None);
    assert!(!s.read(m));
}

#[test]
fn a_bad_parent_invalidates_its_children() {
    let mut s = Setup::new();
    let schema = s.schema(true, None, false);
    let root = s
        .attest(schema, s.request(Some(10 * DAY_MS), None))
        .unwrap();
    let child = s.attest(schema, s.request(None, Some(root))).unwrap();
    let grandchild = s.attest(schema, s.request(None, Some(child))).unwrap();
    assert_eq!(s.validity(grandchild), Validity::Valid);

    // Suspension of the root reaches every descendant, and resuming restores them.
    let m = s.api().suspend(root, 7);
    s.send(s.utility, m).unwrap();
    assert_eq!(s.validity(root), Validity::Suspended);
    assert_eq!(s.validity(child), Validity::ParentInvalid);
    assert_eq!(s.validity(grandchild), Validity::ParentInvalid);
    assert_eq!(
        s.attest(schema, s.request(None, Some(child))),
        Err(Error::Refused(AttestRefusal::ParentNotValid))
    );
    // The schema owner placed the suspension: the attester cannot lift it, the owner can.
    let m = s.api().resume(root);
    assert_eq!(s.send(s.clerk, m), Err(Error::NotAuthorized));
    assert_eq!(s.validity(root), Validity::Suspended);
    let m = s.api().resume(root);
    s.send(s.utility, m).unwrap();
    assert_eq!(s.validity(grandchild), Validity::Valid);

    // Revoking the middle one kills the grandchild for good.
    let m = s.api().revoke(child, 42);
    let out = s.world.chain.call(&s.contract, m, &s.clerk, 0).unwrap();
    assert_eq!(out.value, Ok(()));
    let revoked = decode_all::<Revoked>(&out.events);
    assert_eq!(revoked.len(), 1);
    assert_eq!((revoked[0].id, revoked[0].reason), (child, 42));
    assert_eq!(s.validity(grandchild), Validity::ParentInvalid);
    let m = s.api().attestation(child);
    assert!(matches!(
        s.read(m).unwrap().status,
        Status::Revoked { reason: 42, .. }
    ));
    let m = s.api().revoke(child, 1);
    assert_eq!(s.send(s.clerk, m), Err(Error::AlreadyRevoked));

    // An expired root does the same to a fresh chain under it.
    let child2 = s.attest(schema, s.request(None, Some(root))).unwrap();
    s.world.chain.advance_time(10 * DAY_MS);
    s.world.chain.next_block();
    assert_eq!(s.validity(root), Validity::Expired);
    assert_eq!(s.validity(child2), Validity::ParentInvalid);
}

#[test]
fn parent_chains_are_bounded() {
    let mut s = Setup::new();
    let schema = s.schema(true, None, false);
    let mut parent = s.attest(schema, s.request(None, None)).unwrap();
    for _ in 0..MAX_PARENT_DEPTH {
        parent = s.attest(schema, s.request(None, Some(parent))).unwrap();
    }
    // The subject list would fill first with one subject; use another subject per level.
    let mut req = s.request(None, Some(parent));
    req.subject = s.stranger;
    assert_eq!(
        s.attest(schema, req),
        Err(Error::Refused(AttestRefusal::ParentTooDeep))
    );
    assert_eq!(
        s.attest(schema, s.request(None, Some(999))),
        Err(Error::Refused(AttestRefusal::ParentNotFound))
    );
}

#[test]
fn irrevocable_schemas_refuse_revoke_and_suspend() {
    let mut s = Setup::new();
    let schema = s.schema(false, None, false);
    let id = s.attest(schema, s.request(None, None)).unwrap();
    for m in [s.api().revoke(id, 1), s.api().suspend(id, 1)] {
        assert_eq!(s.send(s.utility, m), Err(Error::SchemaNotRevocable));
    }
    assert_eq!(s.validity(id), Validity::Valid);
}

#[test]
fn distrusting_an_attester_voids_its_work_retiring_does_not() {
    let mut s = Setup::new();
    let schema = s.schema(true, None, false);
    let id = s.attest(schema, s.request(None, None)).unwrap();

    let m = s.api().remove_attester(schema, s.clerk, false);
    s.send(s.utility, m).unwrap();
    assert_eq!(s.validity(id), Validity::Valid);
    assert_eq!(
        s.attest(schema, s.request(None, None)),
        Err(Error::NotAttester)
    );

    let m = s.api().remove_attester(schema, s.clerk, true);
    let out = s.world.chain.call(&s.contract, m, &s.utility, 0).unwrap();
    assert_eq!(out.value, Ok(()));
    assert!(decode_all::<AttesterRemoved>(&out.events)[0].distrusted);
    assert_eq!(s.validity(id), Validity::AttesterDistrusted);
    let m = s.api().add_attester(schema, s.clerk);
    assert_eq!(s.send(s.utility, m), Err(Error::AttesterDistrusted));
}

#[test]
fn selective_disclosure_accepts_the_real_field_and_rejects_a_forgery() {
    let mut s = Setup::new();
    let schema = s.schema(true, None, false);
    let fields = vec![
        ClaimField {
            key: b"name".to_vec(),
            value: b"Wang Fang".to_vec(),
            salt: [11; 32],
        },
        ClaimField {
            key: b"credit_band".to_vec(),
            value: b"A".to_vec(),
            salt: [12; 32],
        },
        ClaimField {
            key: b"meter".to_vec(),
            value: b"MTR-0042".to_vec(),
            salt: [13; 32],
        },
    ];
    let claim_hash = claims::claim_hash(&fields).unwrap();
    let mut req = s.request(None, None);
    req.claim_hash = claim_hash;
    let id = s.attest(schema, req).unwrap();
    let proof = claims::disclosure_proof(&fields, 1).unwrap();

    let disclose = |s: &mut Setup, value: &[u8], salt: Digest, proof: MerkleProof| {
        let m = s
            .api()
            .verify_disclosure(id, b"credit_band".to_vec(), value.to_vec(), salt, proof);
        s.read(m)
    };
    assert_eq!(disclose(&mut s, b"A", [12; 32], proof.clone()), Ok(true));
    assert_eq!(disclose(&mut s, b"AAA", [12; 32], proof.clone()), Ok(false));
    assert_eq!(disclose(&mut s, b"A", [99; 32], proof.clone()), Ok(false));
    let mut forged = proof.clone();
    forged.siblings[0] = [0; 32];
    assert_eq!(disclose(&mut s, b"A", [12; 32], forged), Ok(false));

    // The claim hash also answers "holds this exact claim?" through the cross-contract interface.
    let m = s
        .api()
        .has_valid_attestation(s.customer, schema, Some(claim_hash));
    assert!(s.read(m));
    let m = s
        .api()
        .has_valid_attestation(s.customer, schema, Some([0; 32]));
    assert!(!s.read(m));

    let m = s.api().revoke(id, 3);
    s.send(s.clerk, m).unwrap();
    assert_eq!(
        disclose(&mut s, b"A", [12; 32], proof),
        Err(Error::NotValid(Validity::Revoked))
    );
}

#[test]
fn batch_attest_is_bounded_and_all_or_nothing() {
    let mut s = Setup::new();
    let schema = s.schema(true, Some(365 * DAY_MS), false);
    let subjects: Vec<AccountId> = (0..=MAX_BATCH)
        .map(|i| gridtrust_tests::named_account(&format!("meter-holder-{i}")))
        .collect();
    let req = |s: &Setup, who: AccountId| AttestRequest {
        subject: who,
        claim_hash: [8; 32],
        expires_at: Some(s.world.chain.now_ms() + 30 * DAY_MS),
        parent: None,
    };

    let m = s.api().attest_batch(schema, vec![]);
    assert_eq!(s.send(s.clerk, m), Err(Error::BatchEmpty));
    let too_many: Vec<_> = subjects.iter().map(|w| req(&s, *w)).collect();
    let m = s.api().attest_batch(schema, too_many);
    assert_eq!(s.send(s.clerk, m), Err(Error::BatchTooLarge));

    let mut with_bad: Vec<_> = subjects[..5].iter().map(|w| req(&s, *w)).collect();
    with_bad[3].expires_at = Some(s.world.chain.now_ms());
    let m = s.api().attest_batch(schema, with_bad);
    assert_eq!(
        s.send(s.clerk, m),
        Err(Error::BatchItemRefused {
            index: 3,
            cause: AttestRefusal::ExpiryInPast
        })
    );
    let m = s.api().attestation_count();
    assert_eq!(s.read(m), 0, "a refused batch stores nothing");

    let full: Vec<_> = subjects[..MAX_BATCH as usize]
        .iter()
        .map(|w| req(&s, *w))
        .collect();
    let m = s.api().attest_batch(schema, full);
    let out = s.world.chain.call(&s.contract, m, &s.clerk, 0).unwrap();
    assert_eq!(out.value, Ok(0));
    let attested = decode_all::<Attested>(&out.events);
    assert_eq!(attested.len(), MAX_BATCH as usize);
    assert_eq!(attested[99].subject, subjects[99]);
    assert_eq!(attested[99].id, 99);
    let m = s
        .api()
        .has_valid_attestation(subjects[57], schema, Some([8; 32]));
    assert!(s.read(m));
}

#[test]
fn consent_expires_and_every_recorded_check_is_an_event() {
    let mut s = Setup::new();
    let schema = s.schema(true, None, true);
    let id = s.attest(schema, s.request(None, None)).unwrap();
    let bank = s.world.actor("bank");
    let (customer, now) = (s.customer, s.world.chain.now_ms());

    let m = s.api().grant_consent(bank, schema, now);
    assert_eq!(s.send(customer, m), Err(Error::ConsentExpiryInPast));
    let m = s.api().grant_consent(bank, schema, now + HOUR_MS);
    s.send(customer, m).unwrap();

    let m = s.api().record_verification(id, 77);
    let out = s.world.chain.call(&s.contract, m, &bank, 0).unwrap();
    assert_eq!(out.value, Ok(Validity::Valid));
    let checks = decode_all::<VerificationRecorded>(&out.events);
    assert_eq!(checks.len(), 1);
    assert_eq!(
        (
            checks[0].subject,
            checks[0].verifier,
            checks[0].purpose,
            checks[0].validity
        ),
        (customer, bank, 77, Validity::Valid)
    );

    s.world.chain.advance_time(HOUR_MS);
    s.world.chain.next_block();
    let m = s.api().record_verification(id, 77);
    assert_eq!(s.send(bank, m), Err(Error::NoConsent));

    // Withdrawn consent stops checks at once.
    let m = s.api().grant_consent(bank, schema, now + 2 * DAY_MS);
    s.send(customer, m).unwrap();
    let m = s.api().revoke_consent(bank, schema);
    s.send(customer, m).unwrap();
    let m = s.api().record_verification(id, 77);
    assert_eq!(s.send(bank, m), Err(Error::NoConsent));

    // Schemas without a consent requirement let anyone record a check, still visible to the subject.
    let open = s.schema(true, None, false);
    let id2 = s.attest(open, s.request(None, None)).unwrap();
    let m = s.api().record_verification(id2, 5);
    assert_eq!(s.send(bank, m), Ok(Validity::Valid));
}

#[test]
fn refusals_are_typed_errors_not_traps() {
    let mut s = Setup::new();
    let stranger = s.stranger;
    let m = s.api().register_schema([0; 32], vec![], true, None, false);
    assert_eq!(s.send(stranger, m), Err(Error::InvalidSchemaName));
    let m = s
        .api()
        .register_schema([0; 32], vec![b'x'; 65], true, None, false);
    assert_eq!(s.send(stranger, m), Err(Error::InvalidSchemaName));
    let m = s.api().add_attester(77, stranger);
    assert_eq!(s.send(stranger, m), Err(Error::SchemaNotFound));
    let m = s.api().revoke(12345, 0);
    assert_eq!(s.send(stranger, m), Err(Error::AttestationNotFound));
    let m = s.api().record_verification(12345, 0);
    assert_eq!(s.send(stranger, m), Err(Error::AttestationNotFound));
    assert_eq!(s.validity(12345), Validity::NotFound);
    let m = s.api().grant_consent(stranger, 77, u64::MAX);
    assert_eq!(s.send(stranger, m), Err(Error::SchemaNotFound));
}

#[test]
fn a_distrusted_attesters_void_attestations_free_the_subjects_slots() {
    let mut s = Setup::new();
    // Non-revocable: nobody can clear these slots by revoking.
    let schema = s.schema(false, None, false);
    for _ in 0..8 {
        s.attest(schema, s.request(None, None)).unwrap();
    }
    assert_eq!(
        s.attest(schema, s.request(None, None)),
        Err(Error::Refused(AttestRefusal::SubjectListFull))
    );
    let m = s.api().remove_attester(schema, s.clerk, true);
    s.send(s.utility, m).unwrap();
    // A new attester can attest the subject again: the void attestations no longer hold slots.
    let m = s.api().add_attester(schema, s.stranger);
    s.send(s.utility, m).unwrap();
    let m = s.api().attest(schema, s.request(None, None));
    let id = s.send(s.stranger, m).expect("the subject is attested anew");
    assert_eq!(s.validity(id), Validity::Valid);
}

/// Second review, finding 7: children under a parent that can never be valid again (revoked,
/// expired, or by a distrusted attester) no longer hold the subject's slots.
#[test]
fn children_of_a_dead_parent_free_the_subjects_slots() {
    for death in ["revoked", "expired", "attester distrusted"] {
        let mut s = Setup::new();
        let schema = s.schema(true, None, false);
        // The parent is the stranger's, attested by its own attester, so distrusting that attester
        // kills the parent and leaves the clerk's children's own standing alone.
        let m = s.api().add_attester(schema, s.utility);
        s.send(s.utility, m).unwrap();
        let mut parent_request = s.request(Some(2 * DAY_MS), None);
        parent_request.subject = s.stranger;
        let m = s.api().attest(schema, parent_request);
        let parent = s.send(s.utility, m).unwrap();
        for _ in 0..8 {
            s.attest(schema, s.request(None, Some(parent))).unwrap();
        }
        assert_eq!(
            s.attest(schema, s.request(None, None)),
            Err(Error::Refused(AttestRefusal::SubjectListFull)),
            "{death}: the list is full while the parent lives"
        );
        match death {
            "revoked" => {
                let m = s.api().revoke(parent, 1);
                s.send(s.utility, m).unwrap();
            }
            "expired" => {
                s.world.chain.advance_time(2 * DAY_MS);
                s.world.chain.next_block();
            }
            _ => {
                let m = s.api().remove_attester(schema, s.utility, true);
                s.send(s.utility, m).unwrap();
            }
        }
        let id = s
            .attest(schema, s.request(None, None))
            .unwrap_or_else(|e| panic!("{death}: the subject is attested anew, not {e:?}"));
        assert_eq!(s.validity(id), Validity::Valid, "{death}");
    }
}

/// A suspended parent can be resumed: its children keep their slots.
#[test]
fn children_of_a_suspended_parent_keep_their_slots() {
    let mut s = Setup::new();
    let schema = s.schema(true, None, false);
    let parent = s.attest(schema, s.request(None, None)).unwrap();
    for _ in 0..7 {
        s.attest(schema, s.request(None, Some(parent))).unwrap();
    }
    let m = s.api().suspend(parent, 3);
    s.send(s.utility, m).unwrap();
    assert_eq!(
        s.attest(schema, s.request(None, None)),
        Err(Error::Refused(AttestRefusal::SubjectListFull))
    );
}
