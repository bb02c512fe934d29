//! Attestations: one attestation, a batch of them, a verification and a lookup.

use anyhow::{ensure, Result};
use attestations::{AttestRequest, Attestations, AttestationsRef};
use gridtrust_chain::{bundles, encode::call_builder, named_account, Answer, Chain, SandboxChain};

use super::{Cost, Figures};

const BATCH: usize = 100;

/// Records the weights of `attest`, `attest_batch` (per item and whole), `record_verification` and
/// `find_valid`.
pub(super) fn costs(figures: &mut Figures) -> Result<()> {
    let mut chain = SandboxChain::new();
    let owner = named_account("bench-utility");
    chain.fund(&owner, 1 << 100);
    let bundle = bundles::load("attestations")?;
    let contract = chain
        .deploy(&bundle, AttestationsRef::new(), &owner, 0)?
        .address;
    let api = || call_builder::<Attestations>(contract);

    let schema = chain
        .call(
            &contract,
            api().register_schema([1; 32], b"meter-holder".to_vec(), true, None, false),
            &owner,
            0,
        )
        .or_refused("register_schema")?;
    chain
        .call(&contract, api().add_attester(schema, owner), &owner, 0)
        .or_refused("add_attester")?;

    let request = |i: usize| AttestRequest {
        subject: named_account(&format!("bench-subject-{i}")),
        claim_hash: gridtrust_common::blake2_256(&i.to_le_bytes()),
        expires_at: None,
        parent: None,
    };

    let single = chain.call(&contract, api().attest(schema, request(0)), &owner, 0)?;
    ensure!(single.value.is_ok(), "attest refused: {:?}", single.value);
    figures.record("attestations", "attest", single.weight_consumed.into());

    let one = chain.call(
        &contract,
        api().attest_batch(schema, vec![request(1)]),
        &owner,
        0,
    )?;
    let many = chain.call(
        &contract,
        api().attest_batch(schema, (2..2 + BATCH).map(request).collect()),
        &owner,
        0,
    )?;
    ensure!(
        one.value.is_ok() && many.value.is_ok(),
        "attest_batch refused"
    );
    let per_item = |a: u64, b: u64| (b.saturating_sub(a)) / (BATCH as u64 - 1);
    figures.record(
        "attestations",
        "attest_batch_per_item",
        Cost {
            ref_time: per_item(
                one.weight_consumed.ref_time(),
                many.weight_consumed.ref_time(),
            ),
            proof_size: per_item(
                one.weight_consumed.proof_size(),
                many.weight_consumed.proof_size(),
            ),
        },
    );
    figures.record(
        "attestations",
        &format!("attest_batch_{BATCH}"),
        many.weight_consumed.into(),
    );

    let verifier = named_account("bench-bank");
    chain.fund(&verifier, 1 << 80);
    let check = chain.call(&contract, api().record_verification(0, 1), &verifier, 0)?;
    ensure!(
        check.value.is_ok(),
        "record_verification refused: {:?}",
        check.value
    );
    figures.record("attestations", "verify", check.weight_consumed.into());
    let query = chain.call(
        &contract,
        api().find_valid(request(0).subject, schema, Some(request(0).claim_hash)),
        &verifier,
        0,
    )?;
    ensure!(
        query.value == Some(0),
        "find_valid did not find attestation 0"
    );
    figures.record("attestations", "find_valid", query.weight_consumed.into());
    Ok(())
}
