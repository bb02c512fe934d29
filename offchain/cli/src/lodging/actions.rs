//! A hotel's and a guest's actions on the reservations contract over the `Chain` trait, so the same
//! handlers run on the sandbox in tests and against a node from the command line.

use gridtrust_chain::{
    encode::call_builder, AccountId, Answer, CallError, Chain, ContractError, Contracts,
};
use gridtrust_common::{
    time::{self, UtcOffset},
    Digest,
};
use reservations::{BookingStatus, Quote, Reservations, RoomTerms};

/// The reservations contract of `contracts`, or a refusal naming why there is none.
fn contract(contracts: &Contracts) -> Result<AccountId, CallError> {
    contracts.reservations.ok_or(CallError::Refused {
        message: "reservations",
        // The deployment has no lodging part: the nearest typed answer is "no such property".
        error: ContractError::Reservations(reservations::Error::PropertyNotFound),
    })
}

/// What a property is registered with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listing {
    /// blake2-256 of its public details (name, address, photos).
    pub details_hash: Digest,
    /// What a guest receives on top of a refund when the hotel cancels, in bps.
    pub compensation_bps: u32,
    /// Whether guests must hold a real-name attestation.
    pub requires_real_name: bool,
    /// Its time zone, minutes east of UTC: its nights turn at its local midnight.
    pub utc_offset: UtcOffset,
}

/// Registers `listing` as a property of `merchant` (a verified merchant) with `bond`; returns its id.
pub fn register(
    chain: &mut impl Chain,
    contracts: &Contracts,
    merchant: &AccountId,
    listing: &Listing,
    bond: u128,
) -> Result<u32, CallError> {
    let address = contract(contracts)?;
    let mut api = call_builder::<Reservations>(address);
    chain
        .call(
            &address,
            api.register_property(
                listing.details_hash,
                listing.compensation_bps,
                listing.requires_real_name,
                listing.utc_offset,
            ),
            merchant,
            bond,
        )
        .or_refused("register_property")
}

/// Today at `property`: its local day by the chain's clock, the day a booking for "tonight" checks
/// in (the contract counts nights the same way, `gridtrust_common::time::local_day`).
pub fn local_today(
    chain: &mut impl Chain,
    contracts: &Contracts,
    asker: &AccountId,
    property: u32,
) -> Result<u32, CallError> {
    let address = contract(contracts)?;
    let api = call_builder::<Reservations>(address);
    let p = chain
        .query(&address, api.property(property), asker)?
        .ok_or(CallError::Refused {
            message: "property",
            error: ContractError::Reservations(reservations::Error::PropertyNotFound),
        })?;
    let day = time::local_day(chain.now_ms()?, p.utc_offset);
    Ok(u32::try_from(day).unwrap_or(u32::MAX))
}

/// Adds a room type to `property`; returns its id.
pub fn add_room(
    chain: &mut impl Chain,
    contracts: &Contracts,
    merchant: &AccountId,
    property: u32,
    capacity: u32,
    terms: RoomTerms,
) -> Result<u32, CallError> {
    let address = contract(contracts)?;
    let mut api = call_builder::<Reservations>(address);
    chain
        .call(
            &address,
            api.add_room_type(property, capacity, terms),
            merchant,
            0,
        )
        .or_refused("add_room_type")
}

/// Changes a room type's capacity, its terms for new bookings, or both.
pub fn update_room(
    chain: &mut impl Chain,
    contracts: &Contracts,
    merchant: &AccountId,
    property: u32,
    room_type: u32,
    capacity: Option<u32>,
    terms: Option<RoomTerms>,
) -> Result<(), CallError> {
    let address = contract(contracts)?;
    let mut api = call_builder::<Reservations>(address);
    chain
        .call(
            &address,
            api.update_room_type(property, room_type, capacity, terms),
            merchant,
            0,
        )
        .or_refused("update_room_type")
}

/// What a property does with one booking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Desk {
    /// The guest arrived.
    CheckIn,
    /// The guest never came (after the check-in day).
    NoShow,
    /// The property cancels: the guest gets everything back plus the agreed compensation.
    Cancel,
}

/// Applies `action` to `booking` as the property's merchant.
pub fn desk(
    chain: &mut impl Chain,
    contracts: &Contracts,
    merchant: &AccountId,
    booking: u64,
    action: Desk,
) -> Result<(), CallError> {
    let address = contract(contracts)?;
    let mut api = call_builder::<Reservations>(address);
    match action {
        Desk::CheckIn => chain
            .call(&address, api.check_in(booking), merchant, 0)
            .or_refused("check_in"),
        Desk::NoShow => chain
            .call(&address, api.mark_no_show(booking), merchant, 0)
            .or_refused("mark_no_show")
            .map(drop),
        Desk::Cancel => chain
            .call(&address, api.merchant_cancel(booking), merchant, 0)
            .or_refused("merchant_cancel")
            .map(drop),
    }
}

/// The stay's terms, price and free rooms now.
pub fn quote(
    chain: &mut impl Chain,
    contracts: &Contracts,
    asker: &AccountId,
    property: u32,
    room_type: u32,
    check_in: u32,
    nights: u32,
) -> Result<Quote, CallError> {
    let address = contract(contracts)?;
    let api = call_builder::<Reservations>(address);
    chain
        .query(
            &address,
            api.quote(property, room_type, check_in, nights),
            asker,
        )?
        .map_err(|e| CallError::Refused {
            message: "quote",
            error: e.into(),
        })
}

/// Books the stay `quote` describes as `guest`, paying its price into escrow; the booking fails if
/// the terms changed since the quote. Returns the booking's id.
pub fn book(
    chain: &mut impl Chain,
    contracts: &Contracts,
    guest: &AccountId,
    quote: &Quote,
) -> Result<u64, CallError> {
    let address = contract(contracts)?;
    let mut api = call_builder::<Reservations>(address);
    let t = &quote.terms;
    chain
        .call(
            &address,
            api.book(
                t.property,
                t.room_type,
                t.check_in,
                t.nights,
                quote.terms_hash,
            ),
            guest,
            t.amount,
        )
        .or_refused("book")
}

/// Cancels `booking` as its guest; returns the refund.
pub fn cancel(
    chain: &mut impl Chain,
    contracts: &Contracts,
    guest: &AccountId,
    booking: u64,
) -> Result<u128, CallError> {
    let address = contract(contracts)?;
    let mut api = call_builder::<Reservations>(address);
    chain
        .call(&address, api.cancel(booking), guest, 0)
        .or_refused("cancel")
}

/// The front desk's check: `booking`'s status, if it belongs to `guest` and was made on terms
/// hashing to `terms_hash`.
pub fn verify(
    chain: &mut impl Chain,
    contracts: &Contracts,
    asker: &AccountId,
    booking: u64,
    guest: AccountId,
    terms_hash: Digest,
) -> Result<BookingStatus, CallError> {
    let address = contract(contracts)?;
    let api = call_builder::<Reservations>(address);
    chain
        .query(
            &address,
            api.verify_booking(booking, guest, terms_hash),
            asker,
        )?
        .map_err(|e| CallError::Refused {
            message: "verify_booking",
            error: e.into(),
        })
}
