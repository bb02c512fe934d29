//! # Reservation records
//!
//! Hotel-style bookings that cannot be altered, a calendar that cannot overbook, and merchants that must
//! be attested — so a guest arriving at the front desk can prove the booking, and a phishing clone of a
//! hotel cannot take one.
//!
//! ## Merchants and bonds
//! Registering a property needs a valid attestation of the *merchant schema* in the attestations
//! contract (checked by cross-contract call), and a bond of at least `min_bond`. The attestation is
//! checked again at every booking: a merchant whose attestation was revoked stops taking bookings at
//! once. The bond compensates guests when the merchant cancels; while the property has open bookings the
//! merchant may withdraw it only down to `min_bond`, and a property whose bond fell below `min_bond`
//! takes no bookings until topped up.
//!
//! ## Calendar
//! Nights are local day numbers (whole days since 1970-01-01 by the property's calendar): each property
//! states its time zone as a fixed offset from UTC (`gridtrust_common::time`), and "today", the nights
//! of a stay, the check-in day and the days before it a cancellation counts all turn at the property's
//! local midnight, not at UTC's. Every room type keeps a per-night count of
//! rooms booked; `book` checks and reserves every night of the stay in the same message, so two guests
//! can never both get the last room. Capacity can be lowered only down to the most rooms booked on any
//! night still to come.
//!
//! ## Bookings
//! A booking stores the guest, the agreed [`BookingTerms`] (property, room type, nights, amount, refund
//! schedule, no-show and compensation rules, the hash of the house rules) and their hash, and when it
//! was made. Nothing in it ever changes but its status. The guest passes the terms hash they were shown
//! (see `quote`) to `book`, so a price or policy change in between makes the booking fail instead of
//! binding the guest to terms they never saw.
//!
//! | from | message | to | money |
//! |---|---|---|---|
//! | Booked | `cancel` (guest, up to the check-in day) | CancelledByGuest | refund tier to guest, rest to merchant |
//! | Booked | `merchant_cancel` (merchant) | CancelledByMerchant | all to guest, plus compensation from the bond |
//! | Booked | `check_in` (merchant, during the stay) | CheckedIn | — |
//! | Booked | `mark_no_show` (merchant, after the check-in day) | NoShow | no-show refund to guest, rest to merchant |
//! | CheckedIn | `settle` (anyone, from the check-out day) | Completed | all to merchant |
//! | Booked | `settle` (anyone, from the check-out day) | Lapsed | all to guest: the merchant recorded neither arrival nor no-show |
//!
//! Refunds and compensation round down (`gridtrust_common::refunds::share_of`); the remainder goes to
//! the merchant. Nights freed by a cancellation or no-show (from today on) can be booked again.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub use self::reservations::{
    Booking, BookingStatus, BookingTerms, Error, Property, Quote, Reservations, ReservationsRef,
    RoomTerms, RoomType, Settings, DAY_MS, MAX_ADVANCE_DAYS, MAX_CAPACITY, MAX_NIGHTS,
};

/// The contract's events, for decoding off-chain with the contract's own types.
pub mod events {
    pub use super::reservations::{
        BondChanged, Booked, BookingEnded, CheckedIn, PropertyOpenChanged, PropertyRegistered,
        RoomTypeSet, SettingsChanged,
    };
    pub use gridtrust_common::{
        access::{OwnershipProposed, OwnershipTransferred},
        owed::{OwedClaimed, PaymentDeferred},
    };
}

/// The hash a booking's terms are agreed by: what the guest's app shows, what `book` expects and what
/// the front desk checks. Domain-separated so it can never collide with another GridTrust hash.
pub fn terms_hash(terms: &BookingTerms) -> gridtrust_common::Digest {
    gridtrust_common::blake2_256_of(&(b"gridtrust/booking-terms/v1", terms))
}

#[gridtrust_messages::shared_messages(Owned, OwedPayments)]
#[ink::contract]
mod reservations {
    use gridtrust_common::{
        access::{AccessError, Owned, Ownership},
        owed::{Owed, OwedError, OwedPayments},
        refunds::{self, RefundTier},
        time::{self, UtcOffset},
        verifier::{self, SchemaId},
        Digest,
    };
    use ink::{prelude::vec::Vec, storage::Mapping};

    /// Sequential id of a property.
    pub type PropertyId = u32;
    /// Id of a room type within its property, sequential from 0.
    pub type RoomTypeId = u32;
    /// Sequential id of a booking.
    pub type BookingId = u64;
    /// A night, as whole days since 1970-01-01 by the property's local calendar.
    pub type Day = u32;
    /// One night of one room type.
    type NightKey = (PropertyId, RoomTypeId, Day);

    /// One day in milliseconds.
    pub const DAY_MS: u64 = gridtrust_common::time::DAY_MS;
    /// Longest stay one booking may cover; bounds the weight of `book`.
    pub const MAX_NIGHTS: u32 = 30;
    /// Furthest ahead (in days from today) a stay may begin; bounds the scan when capacity is lowered.
    pub const MAX_ADVANCE_DAYS: u32 = 365;
    /// Most rooms of one type.
    pub const MAX_CAPACITY: u32 = 10_000;

    /// Where merchants and guests are checked, and the bond a property must hold.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct Settings {
        /// The attestations contract.
        pub attestations: AccountId,
        /// Schema of "verified merchant" attestations.
        pub merchant_schema: SchemaId,
        /// Schema of real-name attestations, required of guests by properties that ask for it.
        pub guest_schema: SchemaId,
        /// Least bond a property must hold to register and to take bookings.
        pub min_bond: Balance,
    }

    /// A property as stored.
    #[derive(Debug, Clone, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct Property {
        /// The merchant who registered it and receives its takings.
        pub merchant: AccountId,
        /// Hash of its public listing (name, address, photos), kept off chain.
        pub details_hash: Digest,
        /// Bond held for guest compensation.
        pub bond: Balance,
        /// Compensation paid from the bond when the merchant cancels, in bps of the booking amount.
        pub compensation_bps: u32,
        /// Whether guests must hold a real-name attestation.
        pub requires_real_name: bool,
        /// Its time zone, minutes east of UTC: its days turn at its local midnight.
        pub utc_offset: UtcOffset,
        /// Whether it takes new bookings.
        pub open: bool,
        /// Room types defined so far (their ids are `0..room_types`).
        pub room_types: u32,
        /// Bookings not yet ended (booked or checked in).
        pub open_bookings: u32,
    }

    /// What a merchant may change about a room type; changes apply to new bookings only.
    #[derive(Debug, Clone, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct RoomTerms {
        /// Price of one night.
        pub price_per_night: Balance,
        /// Cancellation refunds, see `gridtrust_common::refunds`.
        pub refund_tiers: Vec<RefundTier>,
        /// Share refunded to a guest who never arrives, in bps.
        pub no_show_refund_bps: u32,
        /// Hash of the house rules text.
        pub rules_hash: Digest,
    }

    impl RoomTerms {
        /// What makes these terms unusable for a room type, in words, or `None` when the contract
        /// takes them: it refuses with `InvalidTerms` exactly when this names a problem, and off-chain
        /// tools check terms with it before anything is signed.
        pub fn problem(&self) -> Option<&'static str> {
            if self.price_per_night == 0 {
                Some("price per night: must be more than 0")
            } else if self.no_show_refund_bps > refunds::BPS {
                Some("no-show refund: at most 100 %")
            } else if !refunds::is_valid(&self.refund_tiers) {
                Some("refund tiers: at most 8, days before check-in strictly decreasing, refunds at most 100 % and never growing as check-in nears")
            } else {
                None
            }
        }
    }

    /// A room type as stored.
    #[derive(Debug, Clone, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct RoomType {
        /// Rooms of this type.
        pub capacity: u32,
        /// Current terms.
        pub terms: RoomTerms,
        /// Latest night ever booked; lowering capacity checks nights up to it.
        pub last_booked_night: Day,
    }

    /// Everything a guest agrees to when booking; its [`crate::terms_hash`] is stored with the booking.
    #[derive(Debug, Clone, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct BookingTerms {
        /// The property.
        pub property: PropertyId,
        /// The room type.
        pub room_type: RoomTypeId,
        /// First night.
        pub check_in: Day,
        /// Number of nights; the guest leaves on day `check_in + nights`.
        pub nights: u32,
        /// Price of the whole stay.
        pub amount: Balance,
        /// Cancellation refunds.
        pub refund_tiers: Vec<RefundTier>,
        /// Share refunded on a no-show, in bps.
        pub no_show_refund_bps: u32,
        /// Compensation on a merchant cancellation, in bps of `amount`, paid from the bond.
        pub compensation_bps: u32,
        /// Hash of the house rules.
        pub rules_hash: Digest,
    }

    /// Where a booking is in its life.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub enum BookingStatus {
        /// Paid and held in escrow.
        Booked,
        /// The merchant recorded the guest's arrival.
        CheckedIn,
        /// The guest cancelled.
        CancelledByGuest,
        /// The merchant cancelled.
        CancelledByMerchant,
        /// The guest never arrived.
        NoShow,
        /// The stay is over and the merchant was paid.
        Completed,
        /// The stay is over with neither arrival nor no-show recorded; the guest was refunded.
        Lapsed,
    }

    /// A booking as stored; only `status` ever changes.
    #[derive(Debug, Clone, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct Booking {
        /// Who booked and paid.
        pub guest: AccountId,
        /// What was agreed.
        pub terms: BookingTerms,
        /// `crate::terms_hash(&terms)`.
        pub terms_hash: Digest,
        /// When it was made (ms).
        pub booked_at: Timestamp,
        /// Where it is now.
        pub status: BookingStatus,
    }

    /// The terms a booking would have now, and their hash to pass to `book`.
    #[derive(Debug, Clone, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    pub struct Quote {
        /// The terms.
        pub terms: BookingTerms,
        /// Their hash.
        pub terms_hash: Digest,
        /// Rooms of the type free on every night of the stay now (0: `book` would fail `SoldOut`).
        pub available: u32,
    }

    pub use codec::Error;

    // parity-scale-codec's derive casts `usize` variant indices to `u8` on data-carrying enums, which
    // trips cargo-contract's `-D clippy::cast_possible_truncation`; the allow covers only this type.
    #[allow(clippy::cast_possible_truncation)]
    mod codec {
        use super::Day;

        gridtrust_common::contract_error! {
        /// Every way a message of this contract can refuse.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[ink::scale_derive(Encode, Decode, TypeInfo)]
        pub enum Error {
            /// The merchant holds no valid verified-merchant attestation.
            NotVerifiedMerchant,
            /// The property requires guests to hold a valid real-name attestation, and the caller does not.
            RealNameRequired,
            /// No property with that id.
            PropertyNotFound,
            /// No room type with that id in the property.
            RoomTypeNotFound,
            /// No booking with that id.
            BookingNotFound,
            /// Only the property's merchant may do this.
            NotMerchant,
            /// Only the booking's guest may do this.
            NotGuest,
            /// The property takes no bookings now.
            PropertyClosed,
            /// The bond sent or held is below the minimum.
            BondTooLow,
            /// The bond cannot go that low: with open bookings it must stay at the minimum.
            InsufficientBond,
            /// Terms out of range: zero price, a malformed refund schedule, or a share over 100 %.
            InvalidTerms,
            /// Capacity must be 1..=`MAX_CAPACITY`.
            InvalidCapacity,
            /// `night` already has `booked` rooms booked, more than the new capacity.
            CapacityBelowBooked {
                /// The night.
                night: Day,
                /// Rooms booked that night.
                booked: u32,
            },
            /// The stay is malformed: 0 or more than `MAX_NIGHTS` nights, beginning in the past or more
            /// than `MAX_ADVANCE_DAYS` ahead.
            InvalidStay,
            /// Every room of the type is booked on `night`.
            SoldOut {
                /// The first full night of the stay.
                night: Day,
            },
            /// The value sent is not exactly the price of the stay.
            WrongAmount,
            /// The terms changed since the guest's quote; quote again.
            TermsChanged,
            /// The booking's hash of terms is not the one presented.
            TermsMismatch,
            /// The booking is not in a state that allows this.
            WrongStatus,
            /// Too early for this: before the check-in day (check-in), before the check-in day is over
            /// (no-show) or before the check-out day (settle).
            TooEarly,
            /// Too late for this: past the check-in day (guest cancel) or the check-out day (check-in).
            TooLate,
        }
        }
    }

    /// Result of this contract's messages.
    pub type Result<T> = core::result::Result<T, Error>;

    /// The owner changed the settings.
    #[ink(event)]
    pub struct SettingsChanged {
        /// The new settings.
        pub settings: Settings,
    }

    /// A property was registered.
    #[ink(event)]
    pub struct PropertyRegistered {
        /// Its id.
        #[ink(topic)]
        pub property: PropertyId,
        /// Its merchant.
        #[ink(topic)]
        pub merchant: AccountId,
        /// Hash of its listing.
        pub details_hash: Digest,
        /// Compensation on merchant cancellation, in bps.
        pub compensation_bps: u32,
        /// Whether guests need a real-name attestation.
        pub requires_real_name: bool,
        /// Its time zone, minutes east of UTC.
        pub utc_offset: UtcOffset,
    }

    /// A property's bond changed (added, withdrawn or paid out as compensation).
    #[ink(event)]
    pub struct BondChanged {
        /// The property.
        #[ink(topic)]
        pub property: PropertyId,
        /// The bond now.
        pub bond: Balance,
    }

    /// A property opened or closed for new bookings.
    #[ink(event)]
    pub struct PropertyOpenChanged {
        /// The property.
        #[ink(topic)]
        pub property: PropertyId,
        /// Whether it takes bookings now.
        pub open: bool,
    }

    /// A room type was added or its capacity or terms changed.
    #[ink(event)]
    pub struct RoomTypeSet {
        /// The property.
        #[ink(topic)]
        pub property: PropertyId,
        /// The room type.
        pub room_type: RoomTypeId,
        /// Rooms of the type now.
        pub capacity: u32,
        /// Terms for new bookings now.
        pub terms: RoomTerms,
    }

    /// A stay was booked and paid into escrow.
    #[ink(event)]
    pub struct Booked {
        /// Its id.
        #[ink(topic)]
        pub booking: BookingId,
        /// The guest.
        #[ink(topic)]
        pub guest: AccountId,
        /// The property.
        #[ink(topic)]
        pub property: PropertyId,
        /// The room type.
        pub room_type: RoomTypeId,
        /// First night.
        pub check_in: Day,
        /// Nights.
        pub nights: u32,
        /// Paid into escrow.
        pub amount: Balance,
        /// Hash of the agreed terms.
        pub terms_hash: Digest,
    }

    /// The merchant recorded the guest's arrival.
    #[ink(event)]
    pub struct CheckedIn {
        /// The booking.
        #[ink(topic)]
        pub booking: BookingId,
    }

    /// A booking ended and its escrow was paid out.
    #[ink(event)]
    pub struct BookingEnded {
        /// The booking.
        #[ink(topic)]
        pub booking: BookingId,
        /// How it ended.
        pub status: BookingStatus,
        /// Paid to the guest (refund, plus compensation from the bond on a merchant cancellation).
        pub to_guest: Balance,
        /// Paid to the merchant.
        pub to_merchant: Balance,
    }

    /// The reservation registry: properties, room calendars and bookings.
    #[ink(storage)]
    pub struct Reservations {
        /// Who may change the settings.
        owner: Ownership,
        /// Where merchants and guests are checked, and the minimum bond.
        settings: Settings,
        /// Every property by id.
        properties: Mapping<PropertyId, Property>,
        /// The id the next property gets.
        next_property: PropertyId,
        /// (property, room type) → its terms and capacity.
        room_types: Mapping<(PropertyId, RoomTypeId), RoomType>,
        /// Rooms booked per night: (property, room type, night) → count; absent means 0.
        booked: Mapping<NightKey, u32>,
        /// Every booking by id, kept after it ends so a guest can prove it.
        bookings: Mapping<BookingId, Booking>,
        /// The id the next booking gets.
        next_booking: BookingId,
        /// Sum of the amounts of bookings not yet ended.
        escrow: Balance,
        /// Sum of all properties' bonds.
        bonds: Balance,
        /// Payments whose transfer the chain refused, kept for the guest or merchant to claim.
        owed: Owed,
    }

    impl Reservations {
        /// Deploys with the attestations contract, the merchant and guest schemas and the minimum bond.
        /// The caller becomes the owner.
        #[ink(constructor)]
        pub fn new(settings: Settings) -> Self {
            Self {
                owner: Ownership::new(Self::env().caller()),
                settings,
                properties: Mapping::new(),
                next_property: 0,
                room_types: Mapping::new(),
                booked: Mapping::new(),
                bookings: Mapping::new(),
                next_booking: 0,
                escrow: 0,
                bonds: 0,
                owed: Owed::default(),
            }
        }

        // ---- administration --------------------------------------------------------------------

        /// Replaces the settings (owner only). A higher minimum bond applies to new bookings at once.
        /// Emits `SettingsChanged`.
        ///
        /// # Errors
        /// `Access(NotOwner)`.
        #[ink(message)]
        pub fn set_settings(&mut self, settings: Settings) -> Result<()> {
            self.owner
                .ensure_owner(self.env().caller())
                .map_err(Error::Access)?;
            self.settings = settings;
            self.env().emit_event(SettingsChanged { settings });
            Ok(())
        }

        // ---- properties ------------------------------------------------------------------------

        /// Registers a property of the caller, who must be a verified merchant; the value sent is its
        /// bond and must be at least the minimum. `utc_offset` is its time zone in minutes east of UTC
        /// (480 for China): its nights and cut-offs turn at its local midnight. It opens at once, with
        /// no room types yet. Emits `PropertyRegistered` and `BondChanged`.
        ///
        /// # Errors
        /// `InvalidTerms` for a compensation over 100 % or an offset beyond ±14 hours; `BondTooLow`; `NotVerifiedMerchant`,
        /// `AttestationsUnavailable`; `Overflow`.
        #[ink(message, payable)]
        pub fn register_property(
            &mut self,
            details_hash: Digest,
            compensation_bps: u32,
            requires_real_name: bool,
            utc_offset: UtcOffset,
        ) -> Result<PropertyId> {
            if compensation_bps > refunds::BPS || !time::is_valid_offset(utc_offset) {
                return Err(Error::InvalidTerms);
            }
            let bond = self.env().transferred_value();
            if bond < self.settings.min_bond {
                return Err(Error::BondTooLow);
            }
            let merchant = self.env().caller();
            self.ensure_merchant_attested(merchant)?;
            let id = self.next_property;
            self.next_property = id.checked_add(1).ok_or(Error::Overflow)?;
            self.bonds = self.bonds.checked_add(bond).ok_or(Error::Overflow)?;
            self.properties.insert(
                id,
                &Property {
                    merchant,
                    details_hash,
                    bond,
                    compensation_bps,
                    requires_real_name,
                    utc_offset,
                    open: true,
                    room_types: 0,
                    open_bookings: 0,
                },
            );
            self.env().emit_event(PropertyRegistered {
                property: id,
                merchant,
                details_hash,
                compensation_bps,
                requires_real_name,
                utc_offset,
            });
            self.env().emit_event(BondChanged { property: id, bond });
            Ok(id)
        }

        /// Adds the value sent to `property`'s bond (anyone may top it up). Emits `BondChanged`.
        ///
        /// # Errors
        /// `ZeroAmount`; `PropertyNotFound`; `Overflow`.
        #[ink(message, payable)]
        pub fn add_bond(&mut self, property: PropertyId) -> Result<Balance> {
            let amount = self.env().transferred_value();
            if amount == 0 {
                return Err(Error::ZeroAmount);
            }
            let mut p = self.property_or_err(property)?;
            p.bond = p.bond.checked_add(amount).ok_or(Error::Overflow)?;
            self.bonds = self.bonds.checked_add(amount).ok_or(Error::Overflow)?;
            self.save_bond(property, &p);
            Ok(p.bond)
        }

        /// Pays `amount` of `property`'s bond back to its merchant. While the property has open
        /// bookings the bond must stay at least the minimum. Emits `BondChanged`.
        ///
        /// # Errors
        /// `ZeroAmount`; `PropertyNotFound`, `NotMerchant`; `InsufficientBond`; `TransferFailed`.
        #[ink(message)]
        pub fn withdraw_bond(&mut self, property: PropertyId, amount: Balance) -> Result<Balance> {
            if amount == 0 {
                return Err(Error::ZeroAmount);
            }
            let mut p = self.merchant_property(property)?;
            let keep = if p.open_bookings > 0 {
                self.settings.min_bond
            } else {
                0
            };
            let rest = p.bond.checked_sub(amount).ok_or(Error::InsufficientBond)?;
            if rest < keep {
                return Err(Error::InsufficientBond);
            }
            p.bond = rest;
            self.bonds = self.bonds.checked_sub(amount).ok_or(Error::Overflow)?;
            self.save_bond(property, &p);
            self.pay(p.merchant, amount)?;
            Ok(rest)
        }

        /// Opens or closes `property` for new bookings (its merchant only); existing bookings stand.
        /// Emits `PropertyOpenChanged`.
        ///
        /// # Errors
        /// `PropertyNotFound`, `NotMerchant`.
        #[ink(message)]
        pub fn set_open(&mut self, property: PropertyId, open: bool) -> Result<()> {
            let mut p = self.merchant_property(property)?;
            p.open = open;
            self.properties.insert(property, &p);
            self.env()
                .emit_event(PropertyOpenChanged { property, open });
            Ok(())
        }

        // ---- inventory -------------------------------------------------------------------------

        /// Adds a room type with `capacity` rooms and `terms` to `property` (its merchant only). Emits
        /// `RoomTypeSet`.
        ///
        /// # Errors
        /// `PropertyNotFound`, `NotMerchant`; `InvalidCapacity`; `InvalidTerms`; `Overflow`.
        #[ink(message)]
        pub fn add_room_type(
            &mut self,
            property: PropertyId,
            capacity: u32,
            terms: RoomTerms,
        ) -> Result<RoomTypeId> {
            let mut p = self.merchant_property(property)?;
            Self::check_capacity(capacity)?;
            Self::check_terms(&terms)?;
            let id = p.room_types;
            p.room_types = id.checked_add(1).ok_or(Error::Overflow)?;
            self.properties.insert(property, &p);
            let room = RoomType {
                capacity,
                terms,
                last_booked_night: 0,
            };
            self.save_room(property, id, room);
            Ok(id)
        }

        /// Changes a room type (its merchant only): its capacity, its terms for new bookings, or both;
        /// bookings made keep their terms. Lowering capacity is refused while any night from today on has
        /// more rooms booked than the new capacity. Emits `RoomTypeSet`.
        ///
        /// # Errors
        /// `PropertyNotFound`, `NotMerchant`, `RoomTypeNotFound`; `InvalidCapacity`; `InvalidTerms`;
        /// `CapacityBelowBooked` names the first night that holds more bookings.
        #[ink(message)]
        pub fn update_room_type(
            &mut self,
            property: PropertyId,
            room_type: RoomTypeId,
            capacity: Option<u32>,
            terms: Option<RoomTerms>,
        ) -> Result<()> {
            let p = self.merchant_property(property)?;
            let mut room = self.room_or_err(property, room_type)?;
            if let Some(terms) = terms {
                Self::check_terms(&terms)?;
                room.terms = terms;
            }
            if let Some(capacity) = capacity {
                Self::check_capacity(capacity)?;
                if capacity < room.capacity {
                    // Stays begin at most MAX_ADVANCE_DAYS ahead, so `last_booked_night` bounds the
                    // scan.
                    let mut night = self.today(&p);
                    while night <= room.last_booked_night {
                        let booked = self.booked_on(property, room_type, night);
                        if booked > capacity {
                            return Err(Error::CapacityBelowBooked { night, booked });
                        }
                        night = night.checked_add(1).ok_or(Error::Overflow)?;
                    }
                }
                room.capacity = capacity;
            }
            self.save_room(property, room_type, room);
            Ok(())
        }

        // ---- guests ----------------------------------------------------------------------------

        /// Books `nights` nights from `check_in` in a room of `room_type` at `property`, paying exactly
        /// the price into escrow. `expected_terms_hash` is the hash from the guest's `quote`; the booking
        /// fails if the terms changed since. Every night is checked and reserved here, atomically. Any
        /// guest may (holding a real-name attestation where the property asks for one). Emits `Booked`.
        ///
        /// # Errors
        /// `PropertyNotFound`, `RoomTypeNotFound`; `InvalidStay`; `TermsChanged`; `WrongAmount`;
        /// `PropertyClosed`; `BondTooLow`; `NotVerifiedMerchant`, `RealNameRequired`,
        /// `AttestationsUnavailable`; `SoldOut` names the first full night; `Overflow`.
        #[ink(message, payable)]
        pub fn book(
            &mut self,
            property: PropertyId,
            room_type: RoomTypeId,
            check_in: Day,
            nights: u32,
            expected_terms_hash: Digest,
        ) -> Result<BookingId> {
            let (mut p, mut room, terms) = self.terms_for(property, room_type, check_in, nights)?;
            let terms_hash = crate::terms_hash(&terms);
            if terms_hash != expected_terms_hash {
                return Err(Error::TermsChanged);
            }
            if self.env().transferred_value() != terms.amount {
                return Err(Error::WrongAmount);
            }
            if !p.open {
                return Err(Error::PropertyClosed);
            }
            if p.bond < self.settings.min_bond {
                return Err(Error::BondTooLow);
            }
            self.ensure_merchant_attested(p.merchant)?;
            let guest = self.env().caller();
            if p.requires_real_name {
                let schema = self.settings.guest_schema;
                if !self.attested(guest, schema)? {
                    return Err(Error::RealNameRequired);
                }
            }
            // A refusal below reverts every night reserved before it.
            let check_out = Self::check_out(&terms)?;
            for night in check_in..check_out {
                let booked = self.booked_on(property, room_type, night);
                if booked >= room.capacity {
                    return Err(Error::SoldOut { night });
                }
                self.booked.insert(
                    (property, room_type, night),
                    &booked.checked_add(1).ok_or(Error::Overflow)?,
                );
            }
            let last = check_out.checked_sub(1).ok_or(Error::Overflow)?;
            if last > room.last_booked_night {
                room.last_booked_night = last;
                self.room_types.insert((property, room_type), &room);
            }
            p.open_bookings = p.open_bookings.checked_add(1).ok_or(Error::Overflow)?;
            self.properties.insert(property, &p);
            self.escrow = self
                .escrow
                .checked_add(terms.amount)
                .ok_or(Error::Overflow)?;
            let id = self.next_booking;
            self.next_booking = id.checked_add(1).ok_or(Error::Overflow)?;
            self.env().emit_event(Booked {
                booking: id,
                guest,
                property,
                room_type,
                check_in,
                nights,
                amount: terms.amount,
                terms_hash,
            });
            self.bookings.insert(
                id,
                &Booking {
                    guest,
                    terms,
                    terms_hash,
                    booked_at: self.env().block_timestamp(),
                    status: BookingStatus::Booked,
                },
            );
            Ok(id)
        }

        /// Cancels the caller's booking, up to and including the check-in day: the refund tier reached
        /// goes to the guest, the rest to the merchant, and the nights are freed. A refused transfer is
        /// kept for its payee to `claim_owed`. Emits `BookingEnded`.
        ///
        /// # Errors
        /// `BookingNotFound`; `WrongStatus`; `NotGuest`; `TooLate` after the check-in day.
        #[ink(message)]
        pub fn cancel(&mut self, booking: BookingId) -> Result<Balance> {
            let b = self.booking_in(booking, BookingStatus::Booked)?;
            if b.guest != self.env().caller() {
                return Err(Error::NotGuest);
            }
            let p = self.property_or_err(b.terms.property)?;
            let days_before = b
                .terms
                .check_in
                .checked_sub(self.today(&p))
                .ok_or(Error::TooLate)?;
            let bps = refunds::refund_bps(&b.terms.refund_tiers, days_before);
            let refund = refunds::share_of(b.terms.amount, bps).ok_or(Error::Overflow)?;
            self.end(booking, b, p, BookingStatus::CancelledByGuest, refund, 0)?;
            Ok(refund)
        }

        // ---- merchants -------------------------------------------------------------------------

        /// Cancels a booking not yet checked in (its property's merchant only): the guest gets the full
        /// amount back plus the agreed compensation, paid from the bond as far as it reaches. Emits
        /// `BookingEnded` (and `BondChanged`).
        ///
        /// # Errors
        /// `BookingNotFound`; `WrongStatus`; `PropertyNotFound`, `NotMerchant`; `Overflow`.
        #[ink(message)]
        pub fn merchant_cancel(&mut self, booking: BookingId) -> Result<Balance> {
            let b = self.booking_in(booking, BookingStatus::Booked)?;
            let p = self.merchant_property(b.terms.property)?;
            let owed = refunds::share_of(b.terms.amount, b.terms.compensation_bps)
                .ok_or(Error::Overflow)?;
            let compensation = owed.min(p.bond);
            let amount = b.terms.amount;
            self.end(
                booking,
                b,
                p,
                BookingStatus::CancelledByMerchant,
                amount,
                compensation,
            )?;
            Ok(compensation)
        }

        /// Records the guest's arrival (the property's merchant only), from the check-in day until the
        /// day before check-out. Emits `CheckedIn`.
        ///
        /// # Errors
        /// `BookingNotFound`; `WrongStatus`; `PropertyNotFound`, `NotMerchant`; `TooEarly`; `TooLate`.
        #[ink(message)]
        pub fn check_in(&mut self, booking: BookingId) -> Result<()> {
            let mut b = self.booking_in(booking, BookingStatus::Booked)?;
            let p = self.merchant_property(b.terms.property)?;
            let today = self.today(&p);
            if today < b.terms.check_in {
                return Err(Error::TooEarly);
            }
            if today >= Self::check_out(&b.terms)? {
                return Err(Error::TooLate);
            }
            b.status = BookingStatus::CheckedIn;
            self.bookings.insert(booking, &b);
            self.env().emit_event(CheckedIn { booking });
            Ok(())
        }

        /// Records that the guest never arrived (the property's merchant only), once the check-in day
        /// is over: the no-show refund goes to the guest, the rest to the merchant, and the nights from
        /// today on are freed. Emits `BookingEnded`.
        ///
        /// # Errors
        /// `BookingNotFound`; `WrongStatus`; `PropertyNotFound`, `NotMerchant`; `TooEarly` until the
        /// check-in day is over.
        #[ink(message)]
        pub fn mark_no_show(&mut self, booking: BookingId) -> Result<Balance> {
            let b = self.booking_in(booking, BookingStatus::Booked)?;
            let p = self.merchant_property(b.terms.property)?;
            if self.today(&p) <= b.terms.check_in {
                return Err(Error::TooEarly);
            }
            let refund = refunds::share_of(b.terms.amount, b.terms.no_show_refund_bps)
                .ok_or(Error::Overflow)?;
            self.end(booking, b, p, BookingStatus::NoShow, refund, 0)?;
            Ok(refund)
        }

        /// Releases a finished stay's escrow (anyone may call, from the check-out day): to the merchant
        /// if the guest checked in; back to the guest if the merchant recorded neither arrival nor
        /// no-show. Returns the final status. Emits `BookingEnded`.
        ///
        /// # Errors
        /// `BookingNotFound`; `TooEarly` before the check-out day; `WrongStatus` for a booking already
        /// ended.
        #[ink(message)]
        pub fn settle(&mut self, booking: BookingId) -> Result<BookingStatus> {
            let b = self.booking_or_err(booking)?;
            let p = self.property_or_err(b.terms.property)?;
            if self.today(&p) < Self::check_out(&b.terms)? {
                return Err(Error::TooEarly);
            }
            let (status, refund) = match b.status {
                BookingStatus::CheckedIn => (BookingStatus::Completed, 0),
                BookingStatus::Booked => (BookingStatus::Lapsed, b.terms.amount),
                _ => return Err(Error::WrongStatus),
            };
            self.end(booking, b, p, status, refund, 0)?;
            Ok(status)
        }

        // ---- queries ---------------------------------------------------------------------------

        /// The current settings.
        #[ink(message)]
        pub fn settings(&self) -> Settings {
            self.settings
        }

        /// A property, if it exists.
        #[ink(message)]
        pub fn property(&self, property: PropertyId) -> Option<Property> {
            self.properties.get(property)
        }

        /// A room type, if it exists.
        #[ink(message)]
        pub fn room_type(&self, property: PropertyId, room_type: RoomTypeId) -> Option<RoomType> {
            self.room_types.get((property, room_type))
        }

        /// A booking, if it exists.
        #[ink(message)]
        pub fn booking(&self, booking: BookingId) -> Option<Booking> {
            self.bookings.get(booking)
        }

        /// How many bookings were ever made: their ids are `0..booking_count()`, so a reader can
        /// page through the newest.
        #[ink(message)]
        pub fn booking_count(&self) -> BookingId {
            self.next_booking
        }

        /// Front-desk check: the booking's status, if it exists, belongs to `guest` and was made on
        /// terms hashing to `terms_hash`.
        ///
        /// # Errors
        /// `BookingNotFound`; `NotGuest`; `TermsMismatch`.
        #[ink(message)]
        pub fn verify_booking(
            &self,
            booking: BookingId,
            guest: AccountId,
            terms_hash: Digest,
        ) -> Result<BookingStatus> {
            let b = self.booking_or_err(booking)?;
            if b.guest != guest {
                return Err(Error::NotGuest);
            }
            if b.terms_hash != terms_hash {
                return Err(Error::TermsMismatch);
            }
            Ok(b.status)
        }

        /// Rooms of `room_type` booked on `night`.
        #[ink(message)]
        pub fn booked(&self, property: PropertyId, room_type: RoomTypeId, night: Day) -> u32 {
            self.booked_on(property, room_type, night)
        }

        /// The terms and price a booking of this stay would have now, with the hash `book` expects and
        /// how many rooms are free for it.
        ///
        /// # Errors
        /// `PropertyNotFound`, `RoomTypeNotFound`; `InvalidStay`; `Overflow`.
        #[ink(message)]
        pub fn quote(
            &self,
            property: PropertyId,
            room_type: RoomTypeId,
            check_in: Day,
            nights: u32,
        ) -> Result<Quote> {
            let (_, room, terms) = self.terms_for(property, room_type, check_in, nights)?;
            let terms_hash = crate::terms_hash(&terms);
            let mut available = room.capacity;
            for night in check_in..Self::check_out(&terms)? {
                let booked = self.booked_on(property, room_type, night);
                available = available.min(room.capacity.saturating_sub(booked));
            }
            Ok(Quote {
                terms,
                terms_hash,
                available,
            })
        }

        /// Funds the contract holds for others: (escrow of open bookings, all bonds). Its balance
        /// always covers both.
        #[ink(message)]
        pub fn liabilities(&self) -> (Balance, Balance) {
            (self.escrow, self.bonds)
        }

        // ---- internals -------------------------------------------------------------------------

        /// Today's local day at `property`, by the chain's clock.
        fn today(&self, property: &Property) -> Day {
            let day = time::local_day(self.env().block_timestamp(), property.utc_offset);
            Day::try_from(day).unwrap_or(Day::MAX)
        }

        fn property_or_err(&self, property: PropertyId) -> Result<Property> {
            self.properties.get(property).ok_or(Error::PropertyNotFound)
        }

        /// The property, if the caller is its merchant.
        fn merchant_property(&self, property: PropertyId) -> Result<Property> {
            let p = self.property_or_err(property)?;
            if p.merchant != self.env().caller() {
                return Err(Error::NotMerchant);
            }
            Ok(p)
        }

        fn room_or_err(&self, property: PropertyId, room_type: RoomTypeId) -> Result<RoomType> {
            self.room_types
                .get((property, room_type))
                .ok_or(Error::RoomTypeNotFound)
        }

        fn booking_or_err(&self, booking: BookingId) -> Result<Booking> {
            self.bookings.get(booking).ok_or(Error::BookingNotFound)
        }

        fn booking_in(&self, booking: BookingId, status: BookingStatus) -> Result<Booking> {
            let b = self.booking_or_err(booking)?;
            if b.status != status {
                return Err(Error::WrongStatus);
            }
            Ok(b)
        }

        fn booked_on(&self, property: PropertyId, room_type: RoomTypeId, night: Day) -> u32 {
            self.booked.get((property, room_type, night)).unwrap_or(0)
        }

        fn check_out(terms: &BookingTerms) -> Result<Day> {
            terms
                .check_in
                .checked_add(terms.nights)
                .ok_or(Error::Overflow)
        }

        fn check_capacity(capacity: u32) -> Result<()> {
            if capacity == 0 || capacity > MAX_CAPACITY {
                return Err(Error::InvalidCapacity);
            }
            Ok(())
        }

        fn check_terms(terms: &RoomTerms) -> Result<()> {
            if terms.problem().is_some() {
                return Err(Error::InvalidTerms);
            }
            Ok(())
        }

        /// The terms of a valid stay at a room type as they stand now.
        fn terms_for(
            &self,
            property: PropertyId,
            room_type: RoomTypeId,
            check_in: Day,
            nights: u32,
        ) -> Result<(Property, RoomType, BookingTerms)> {
            let p = self.property_or_err(property)?;
            let room = self.room_or_err(property, room_type)?;
            let today = self.today(&p);
            let latest = today.checked_add(MAX_ADVANCE_DAYS).ok_or(Error::Overflow)?;
            if nights == 0 || nights > MAX_NIGHTS || check_in < today || check_in > latest {
                return Err(Error::InvalidStay);
            }
            let amount = room
                .terms
                .price_per_night
                .checked_mul(u128::from(nights))
                .ok_or(Error::Overflow)?;
            let terms = BookingTerms {
                property,
                room_type,
                check_in,
                nights,
                amount,
                refund_tiers: room.terms.refund_tiers.clone(),
                no_show_refund_bps: room.terms.no_show_refund_bps,
                compensation_bps: p.compensation_bps,
                rules_hash: room.terms.rules_hash,
            };
            Ok((p, room, terms))
        }

        fn attested(&self, subject: AccountId, schema: SchemaId) -> Result<bool> {
            verifier::ask(self.settings.attestations, subject, schema, None)
                .map_err(|_| Error::AttestationsUnavailable)
        }

        fn ensure_merchant_attested(&self, merchant: AccountId) -> Result<()> {
            if !self.attested(merchant, self.settings.merchant_schema)? {
                return Err(Error::NotVerifiedMerchant);
            }
            Ok(())
        }

        fn save_bond(&mut self, property: PropertyId, p: &Property) {
            self.properties.insert(property, p);
            self.env().emit_event(BondChanged {
                property,
                bond: p.bond,
            });
        }

        fn save_room(&mut self, property: PropertyId, room_type: RoomTypeId, room: RoomType) {
            self.room_types.insert((property, room_type), &room);
            self.env().emit_event(RoomTypeSet {
                property,
                room_type,
                capacity: room.capacity,
                terms: room.terms,
            });
        }

        /// Ends booking `id` of property `p` (as its caller read it, so it is not read again) with
        /// `status`: `refund` of the escrow goes to the guest and the rest to the merchant,
        /// `compensation` comes from the bond to the guest, nights from today on are freed unless the
        /// stay was completed.
        fn end(
            &mut self,
            id: BookingId,
            mut b: Booking,
            mut p: Property,
            status: BookingStatus,
            refund: Balance,
            compensation: Balance,
        ) -> Result<()> {
            let t = &b.terms;
            let to_merchant = t.amount.checked_sub(refund).ok_or(Error::Overflow)?;
            let to_guest = refund.checked_add(compensation).ok_or(Error::Overflow)?;
            if b.status == BookingStatus::Booked {
                let check_out = Self::check_out(t)?;
                for night in self.today(&p).max(t.check_in)..check_out {
                    let key = (t.property, t.room_type, night);
                    let booked = self.booked.get(key).unwrap_or(0);
                    self.booked
                        .insert(key, &booked.checked_sub(1).ok_or(Error::Overflow)?);
                }
            }
            p.open_bookings = p.open_bookings.checked_sub(1).ok_or(Error::Overflow)?;
            self.escrow = self.escrow.checked_sub(t.amount).ok_or(Error::Overflow)?;
            if compensation > 0 {
                p.bond = p.bond.checked_sub(compensation).ok_or(Error::Overflow)?;
                self.bonds = self
                    .bonds
                    .checked_sub(compensation)
                    .ok_or(Error::Overflow)?;
                self.save_bond(t.property, &p);
            } else {
                self.properties.insert(t.property, &p);
            }
            b.status = status;
            self.bookings.insert(id, &b);
            // One side's refused transfer must not stop the other's, nor leave the booking open.
            self.owed.pay_or_keep(b.guest, to_guest);
            self.owed.pay_or_keep(p.merchant, to_merchant);
            self.env().emit_event(BookingEnded {
                booking: id,
                status,
                to_guest,
                to_merchant,
            });
            Ok(())
        }

        fn pay(&self, to: AccountId, amount: Balance) -> Result<()> {
            if amount == 0 {
                return Ok(());
            }
            self.env()
                .transfer(to, amount)
                .map_err(|_| Error::TransferFailed)
        }
    }
}
