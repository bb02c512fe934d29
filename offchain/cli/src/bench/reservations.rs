//! Reservations: registering a property, booking 1, 14 and 30 nights (with and without the real-name
//! check), cancelling, the stay's lifecycle, and the worst-case calendar scan when capacity is lowered.

use anyhow::{ensure, Result};
use gridtrust_chain::{
    encode::call_builder, lodging::week_ahead_terms, named_account, AccountId, Answer, CallOutcome,
    Chain, Grid, Lodging, SandboxChain,
};
use reservations::{Reservations, DAY_MS, MAX_ADVANCE_DAYS, MAX_NIGHTS};

use super::{Cost, Figures};

const PRICE: u128 = 1_000_000_000;
const MIN_BOND: u128 = 100 * PRICE;

struct Hotel {
    chain: SandboxChain,
    contract: AccountId,
    merchant: AccountId,
    guest: AccountId,
}

impl Hotel {
    fn api(&self) -> <Reservations as ink::codegen::ContractCallBuilder>::Type {
        call_builder::<Reservations>(self.contract)
    }

    fn today(&self) -> u32 {
        (self.chain.now_ms() / DAY_MS) as u32
    }

    /// `guest` books `nights` nights of room type 0 at `property`; returns the call's outcome.
    fn book(
        &mut self,
        property: u32,
        check_in: u32,
        nights: u32,
        guest: AccountId,
    ) -> Result<CallOutcome<Result<u64, reservations::Error>>> {
        let quote = self
            .chain
            .query(
                &self.contract,
                self.api().quote(property, 0, check_in, nights),
                &guest,
            )
            .or_refused("quote")?;
        let out = self.chain.call(
            &self.contract,
            self.api()
                .book(property, 0, check_in, nights, quote.terms_hash),
            &guest,
            quote.terms.amount,
        )?;
        ensure!(out.value.is_ok(), "book refused: {:?}", out.value);
        Ok(out)
    }

    /// `who` sends `msg`, which must succeed; returns its weight.
    fn must<R: std::fmt::Debug + scale::Decode, E: std::fmt::Debug + scale::Decode>(
        &mut self,
        what: &str,
        who: AccountId,
        msg: impl Into<gridtrust_chain::Message<Result<R, E>>>,
        value: u128,
    ) -> Result<Cost> {
        let out = self.chain.call(&self.contract, msg, &who, value)?;
        ensure!(out.value.is_ok(), "{what} refused: {:?}", out.value);
        Ok(out.weight_consumed.into())
    }
}

/// A verified merchant with two properties (the second asks for real names) of one room type each,
/// and a funded guest who holds a real-name attestation.
fn hotel(figures: &mut Figures) -> Result<Hotel> {
    let mut chain = SandboxChain::new();
    let utility = named_account("bench-utility");
    let authority = named_account("bench-tourism-board");
    let kyc = named_account("bench-kyc");
    let merchant = named_account("bench-hotel");
    let guest = named_account("bench-guest");
    for who in [utility, authority, kyc, merchant, guest] {
        chain.fund(&who, 1 << 100);
    }
    let grid = Grid::deploy(&mut chain, utility, vec![utility], 1)?;
    let lodging = Lodging::deploy(
        &mut chain,
        grid.attestations.address,
        utility,
        authority,
        kyc,
        MIN_BOND,
    )?;
    lodging.attest_merchant(&mut chain, merchant)?;
    lodging.attest_real_name(&mut chain, guest)?;
    let mut h = Hotel {
        chain,
        contract: lodging.reservations.address,
        merchant,
        guest,
    };
    let terms = week_ahead_terms(PRICE, [9; 32]);
    for real_name in [false, true] {
        let cost = h.must(
            "register_property",
            merchant,
            h.api().register_property([1; 32], 1_000, real_name, 0),
            2 * MIN_BOND,
        )?;
        if !real_name {
            figures.record("reservations", "register_property", cost);
        }
    }
    for property in [0, 1] {
        let cost = h.must(
            "add_room_type",
            merchant,
            h.api().add_room_type(property, 10, terms.clone()),
            0,
        )?;
        figures.record("reservations", "add_room_type", cost);
    }
    Ok(h)
}

/// Records the weight of every reservations message a stay goes through.
pub(super) fn costs(figures: &mut Figures) -> Result<()> {
    eprintln!("bench: reservations...");
    let mut h = hotel(figures)?;
    let guest = h.guest;
    let start = h.today() + 10;

    let mut booked = Vec::new();
    for nights in [1, 14, MAX_NIGHTS] {
        let stay = if nights == 1 {
            "book_1_night".to_owned()
        } else {
            format!("book_{nights}_nights")
        };
        let out = h.book(0, start, nights, guest)?;
        figures.record("reservations", &stay, out.weight_consumed.into());
        booked.push((nights, out));
        let out = h.book(1, start, nights, guest)?;
        figures.record(
            "reservations",
            &format!("{stay}_real_name"),
            out.weight_consumed.into(),
        );
    }
    let (one, fourteen) = (&booked[0].1, &booked[1].1);
    figures.record(
        "reservations",
        "book_per_extra_night",
        Cost {
            ref_time: (fourteen.weight_consumed.ref_time() - one.weight_consumed.ref_time()) / 13,
            proof_size: (fourteen.weight_consumed.proof_size() - one.weight_consumed.proof_size())
                / 13,
        },
    );

    // Cancelling frees every night: the 14-night booking (id 2) 10 days ahead, at the 100 % tier.
    let cost = h.must("cancel", guest, h.api().cancel(2), 0)?;
    figures.record("reservations", "cancel_14_nights", cost);
    let cost = h.must("merchant_cancel", h.merchant, h.api().merchant_cancel(4), 0)?;
    figures.record("reservations", "merchant_cancel_30_nights", cost);

    // The 1-night stay (id 0): arrival, then settlement after check-out.
    h.chain.advance_time(10 * DAY_MS);
    h.chain.next_block();
    let cost = h.must("check_in", h.merchant, h.api().check_in(0), 0)?;
    figures.record("reservations", "check_in", cost);
    h.chain.advance_time(DAY_MS);
    h.chain.next_block();
    let cost = h.must("settle", guest, h.api().settle(0), 0)?;
    figures.record("reservations", "settle", cost);

    // Worst case for lowering capacity: a booking on the furthest night that can be booked makes the
    // check scan every night from today on.
    let furthest = h.today() + MAX_ADVANCE_DAYS;
    h.book(0, furthest, MAX_NIGHTS, guest)?;
    let cost = h.must(
        "update_room_type",
        h.merchant,
        h.api().update_room_type(0, 0, Some(5), None),
        0,
    )?;
    figures.record("reservations", "lower_capacity_full_scan", cost);
    Ok(())
}
