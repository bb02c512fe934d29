//! The hotel: a tourism board attests a real hotel; a phishing clone cannot list rooms; the last room
//! goes to one guest only; the front desk checks the guest's confirmation against the chain; the stay
//! settles to the hotel.
use anyhow::{ensure, Result};
use gridtrust_chain::{
    encode::call_builder, named_account, ss58, Answer, Grid, Lodging, SandboxChain,
};
use gridtrust_common::refunds::RefundTier;
use reservations::{BookingStatus, Error, Reservations, RoomTerms, DAY_MS};

use super::{tokens, UNIT};

/// How the hotel scene ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HotelOutcome {
    /// What the contract told the phishing clone that tried to list a property.
    pub clone_refused: Option<Error>,
    /// What the contract told the second guest asking for the same last room.
    pub second_guest_refused: Option<Error>,
    /// What the front desk read for the real confirmation, and for a forged one.
    pub front_desk: (Result<BookingStatus, Error>, Result<BookingStatus, Error>),
    /// What the hotel received when the stay settled.
    pub hotel_paid: u128,
    /// The reservations contract it ran on.
    pub reservations: gridtrust_chain::AccountId,
}

/// Runs the hotel scene on `chain`, next to `grid`'s attestations contract.
pub fn run(chain: &mut SandboxChain, grid: &Grid) -> Result<HotelOutcome> {
    let [board, kyc, hotel, clone, guest, late_guest] = [
        "tourism-board",
        "kyc-provider",
        "harbour-hotel",
        "harbour-hotel-bookings.example",
        "guest-eva",
        "guest-farid",
    ]
    .map(named_account);
    for who in [board, kyc, hotel, clone, guest, late_guest] {
        chain.fund(&who, 10_000 * UNIT);
    }

    println!("\n== A hotel lists rooms; the tourism board has attested it, not its phishing clone");
    let lodging = Lodging::deploy(
        chain,
        grid.attestations.address,
        grid.utility,
        board,
        kyc,
        100 * UNIT,
    )?;
    let contract = lodging.reservations.address;
    println!(
        "reservations at {}; bond at least 100 tokens",
        ss58(&contract)
    );
    lodging.attest_merchant(chain, hotel)?;
    let mut api = call_builder::<Reservations>(contract);
    let clone_refused = chain
        .call(
            &contract,
            api.register_property([0; 32], 1_000, false, 0),
            &clone,
            100 * UNIT,
        )?
        .value
        .err();
    println!("  the clone tries to list: {}", refusal(&clone_refused));
    let property = chain
        .call(
            &contract,
            api.register_property([1; 32], 1_000, false, 0),
            &hotel,
            200 * UNIT,
        )
        .or_refused("register_property")?;
    let terms = RoomTerms {
        price_per_night: 80 * UNIT,
        refund_tiers: vec![RefundTier {
            min_days_before: 3,
            refund_bps: 10_000,
        }],
        no_show_refund_bps: 0,
        rules_hash: gridtrust_common::blake2_256(b"harbour hotel house rules v3"),
    };
    let room = chain
        .call(&contract, api.add_room_type(property, 1, terms), &hotel, 0)
        .or_refused("add_room_type")?;
    println!(
        "  harbour-hotel: property #{property}, 1 sea-view suite at 80 tokens a night, bond 200"
    );

    println!("\n== Two guests want the last suite for the same two nights");
    let check_in = (chain.now_ms() / DAY_MS) as u32 + 5;
    let quote = chain
        .query(&contract, api.quote(property, room, check_in, 2), &guest)
        .or_refused("quote")?;
    let mut book = |chain: &mut SandboxChain, who| {
        chain.call(
            &contract,
            api.book(property, room, check_in, 2, quote.terms_hash),
            &who,
            quote.terms.amount,
        )
    };
    let booking = book(chain, guest).or_refused("book")?;
    println!(
        "  guest-eva books: booking #{booking}, {} tokens in escrow",
        tokens(quote.terms.amount)
    );
    let second_guest_refused = book(chain, late_guest)?.value.err();
    println!(
        "  guest-farid books the same nights: {}",
        refusal(&second_guest_refused)
    );

    println!("\n== At check-in the front desk checks the confirmation against the chain");
    let real = chain.query(
        &contract,
        api.verify_booking(booking, guest, quote.terms_hash),
        &hotel,
    )?;
    let mut cheaper = quote.terms.clone();
    cheaper.amount /= 2;
    let forged = chain.query(
        &contract,
        api.verify_booking(booking, guest, reservations::terms_hash(&cheaper)),
        &hotel,
    )?;
    println!("  eva's confirmation: {real:?}; a doctored one at half price: {forged:?}");

    chain.advance_time(5 * DAY_MS);
    chain.next_block();
    chain
        .call(&contract, api.check_in(booking), &hotel, 0)
        .or_refused("check_in")?;
    chain.advance_time(2 * DAY_MS);
    chain.next_block();
    let before = chain.balance(&hotel);
    let status = chain
        .call(&contract, api.settle(booking), &guest, 0)
        .or_refused("settle")?;
    ensure!(status == BookingStatus::Completed, "stay ended {status:?}");
    let hotel_paid = chain.balance(&hotel).saturating_sub(before);
    println!(
        "  checked in, two nights later settled: the hotel receives {} tokens from escrow",
        tokens(hotel_paid)
    );
    Ok(HotelOutcome {
        clone_refused,
        second_guest_refused,
        front_desk: (real, forged),
        hotel_paid,
        reservations: contract,
    })
}

fn refusal(error: &Option<Error>) -> String {
    match error {
        Some(e) => format!("refused, {e:?}"),
        None => "accepted".to_owned(),
    }
}
