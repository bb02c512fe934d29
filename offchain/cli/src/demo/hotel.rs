//! The hotel: a tourism board attests a real hotel; a phishing clone cannot list rooms; the last room
//! goes to one guest only; the front desk checks the guest's confirmation against the chain; the stay
//! settles to the hotel.
use anyhow::{ensure, Result};
use gridtrust_chain::{
    encode::call_builder, named_account, ss58, Answer, CallError, Chain, ContractError, Grid,
    Lodging, SandboxChain,
};
use gridtrust_common::refunds::RefundTier;
use reservations::{BookingStatus, Error, Reservations, RoomTerms, DAY_MS};

use super::{tokens, UNIT};
use crate::{
    actor::Actor,
    lodging::{Desk, Listing},
};

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
    let mut contracts = grid.contracts();
    contracts.reservations = Some(contract);
    // Each party acts through the same actions as the `gridtrust hotel` and `guest` commands.
    let listing = |details_hash| Listing {
        details_hash,
        compensation_bps: 1_000,
        requires_real_name: false,
        utc_offset: 0,
    };
    let clone_refused = refusal_of(
        Actor::new(chain, &contracts, clone).register_property(&listing([0; 32]), 100 * UNIT),
    )?;
    println!("  the clone tries to list: {}", refusal(&clone_refused));
    let mut desk = Actor::new(chain, &contracts, hotel);
    let property = desk.register_property(&listing([1; 32]), 200 * UNIT)?;
    let terms = RoomTerms {
        price_per_night: 80 * UNIT,
        refund_tiers: vec![RefundTier {
            min_days_before: 3,
            refund_bps: 10_000,
        }],
        no_show_refund_bps: 0,
        rules_hash: gridtrust_common::blake2_256(b"harbour hotel house rules v3"),
    };
    let room = desk.add_room(property, 1, terms)?;
    println!(
        "  harbour-hotel: property #{property}, 1 sea-view suite at 80 tokens a night, bond 200"
    );

    println!("\n== Two guests want the last suite for the same two nights");
    let check_in = (chain.now_ms()? / DAY_MS) as u32 + 5;
    let quote = Actor::new(chain, &contracts, guest).stay_quote(property, room, check_in, 2)?;
    let booking = Actor::new(chain, &contracts, guest).book(&quote)?;
    println!(
        "  guest-eva books: booking #{booking}, {} tokens in escrow",
        tokens(quote.terms.amount)
    );
    let second_guest_refused = refusal_of(Actor::new(chain, &contracts, late_guest).book(&quote))?;
    println!(
        "  guest-farid books the same nights: {}",
        refusal(&second_guest_refused)
    );

    println!("\n== At check-in the front desk checks the confirmation against the chain");
    let mut desk = Actor::new(chain, &contracts, hotel);
    let real = answer_of(desk.verify_booking(booking, guest, quote.terms_hash))?;
    let mut cheaper = quote.terms.clone();
    cheaper.amount /= 2;
    let forged =
        answer_of(desk.verify_booking(booking, guest, reservations::terms_hash(&cheaper)))?;
    println!(
        "  eva's confirmation: {}; a doctored one at half price: {}",
        desk_says(&real),
        desk_says(&forged)
    );

    chain.advance_time(5 * DAY_MS);
    chain.next_block();
    Actor::new(chain, &contracts, hotel).desk(booking, Desk::CheckIn)?;
    chain.advance_time(2 * DAY_MS);
    chain.next_block();
    let before = chain.balance(&hotel);
    // Settling has no command of its own (anyone may send it once the stay is over).
    let status = chain
        .call(
            &contract,
            call_builder::<Reservations>(contract).settle(booking),
            &guest,
            0,
        )
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

/// What the reservations contract answered: its answer or its refusal; any other failure stops the
/// demo.
fn answer_of<T>(result: Result<T, CallError>) -> Result<Result<T, Error>> {
    match result {
        Ok(answer) => Ok(Ok(answer)),
        Err(CallError::Refused {
            error: ContractError::Reservations(e),
            ..
        }) => Ok(Err(e)),
        Err(e) => Err(e.into()),
    }
}

/// The reservations contract's refusal of a call, or `None` when it accepted it.
fn refusal_of<T>(result: Result<T, CallError>) -> Result<Option<Error>> {
    Ok(answer_of(result)?.err())
}

/// A refusal in the contract's words (as every command says one), or "accepted".
fn refusal(error: &Option<Error>) -> String {
    match error {
        Some(e) => format!("refused, {}", ContractError::from(*e).words()),
        None => "accepted".to_owned(),
    }
}

/// What the front desk reads for a confirmation: the booking's status, or the refusal in words.
fn desk_says(answer: &Result<BookingStatus, Error>) -> String {
    match answer {
        Ok(status) => format!("{status:?}").to_lowercase(),
        Err(e) => refusal(&Some(*e)),
    }
}
