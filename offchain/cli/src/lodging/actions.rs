//! A hotel's and a guest's actions on the reservations contract: a property and its rooms, the
//! front desk, and a guest's quotes, bookings and checks.

use gridtrust_chain::{AccountId, CallError, Chain};
use gridtrust_common::{
    time::{self, UtcOffset},
    Digest,
};
use reservations::{BookingStatus, Quote, RoomTerms};

use crate::actor::Actor;

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

impl<C: Chain> Actor<'_, C> {
    /// Registers `listing` as a property of this (verified) merchant with `bond`; returns its id.
    pub fn register_property(&mut self, listing: &Listing, bond: u128) -> Result<u32, CallError> {
        let message = self.reservations()?.register_property(
            listing.details_hash,
            listing.compensation_bps,
            listing.requires_real_name,
            listing.utc_offset,
        );
        self.send("register_property", message, bond)
    }

    /// Today at `property`: its local day by the chain's clock, the day a booking for "tonight"
    /// checks in (the contract counts nights the same way, `gridtrust_common::time::local_day`).
    pub fn local_today(&mut self, property: u32) -> Result<u32, CallError> {
        let p = self
            .ask(self.reservations()?.property(property))?
            .ok_or_else(|| CallError::refused("property", reservations::Error::PropertyNotFound))?;
        let day = time::local_day(self.chain.now_ms()?, p.utc_offset);
        Ok(u32::try_from(day).unwrap_or(u32::MAX))
    }

    /// Adds a room type to `property`; returns its id.
    pub fn add_room(
        &mut self,
        property: u32,
        capacity: u32,
        terms: RoomTerms,
    ) -> Result<u32, CallError> {
        let message = self
            .reservations()?
            .add_room_type(property, capacity, terms);
        self.send("add_room_type", message, 0)
    }

    /// Changes a room type's capacity, its terms for new bookings, or both.
    pub fn update_room(
        &mut self,
        property: u32,
        room_type: u32,
        capacity: Option<u32>,
        terms: Option<RoomTerms>,
    ) -> Result<(), CallError> {
        let message = self
            .reservations()?
            .update_room_type(property, room_type, capacity, terms);
        self.send("update_room_type", message, 0)
    }

    /// Applies `action` to `booking` as the property's merchant.
    pub fn desk(&mut self, booking: u64, action: Desk) -> Result<(), CallError> {
        let mut api = self.reservations()?;
        match action {
            Desk::CheckIn => self.send("check_in", api.check_in(booking), 0),
            Desk::NoShow => self
                .send("mark_no_show", api.mark_no_show(booking), 0)
                .map(drop),
            Desk::Cancel => self
                .send("merchant_cancel", api.merchant_cancel(booking), 0)
                .map(drop),
        }
    }

    /// The stay's terms, price and free rooms now.
    pub fn stay_quote(
        &mut self,
        property: u32,
        room_type: u32,
        check_in: u32,
        nights: u32,
    ) -> Result<Quote, CallError> {
        let message = self
            .reservations()?
            .quote(property, room_type, check_in, nights);
        self.ask_or_refused("quote", message)
    }

    /// Books the stay `quote` describes as a guest, paying its price into escrow; the booking
    /// fails if the terms changed since the quote. Returns the booking's id.
    pub fn book(&mut self, quote: &Quote) -> Result<u64, CallError> {
        let t = &quote.terms;
        let message = self.reservations()?.book(
            t.property,
            t.room_type,
            t.check_in,
            t.nights,
            quote.terms_hash,
        );
        self.send("book", message, t.amount)
    }

    /// Cancels `booking` as its guest; returns the refund.
    pub fn cancel_booking(&mut self, booking: u64) -> Result<u128, CallError> {
        self.send("cancel", self.reservations()?.cancel(booking), 0)
    }

    /// The front desk's check: `booking`'s status, if it belongs to `guest` and was made on terms
    /// hashing to `terms_hash`.
    pub fn verify_booking(
        &mut self,
        booking: u64,
        guest: AccountId,
        terms_hash: Digest,
    ) -> Result<BookingStatus, CallError> {
        let message = self
            .reservations()?
            .verify_booking(booking, guest, terms_hash);
        self.ask_or_refused("verify_booking", message)
    }
}
