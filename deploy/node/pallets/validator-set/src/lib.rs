//! # Validator set
//!
//! The parties whose nodes author (Aura) and finalize (GRANDPA) a GridTrust network's blocks — the grid
//! company, the insurers, the regulator. No single party, and no sudo key, changes who they are: a
//! validator is added or removed only by `ChangeOrigin`, which the runtime sets to a motion of the
//! validators' collective passed by more than half of them. This pallet keeps that collective's
//! members equal to the validators, so each change also changes who votes on the next.
//!
//! A change takes effect through pallet-session: the new set is handed over at the next session
//! rotation and is in force from the session after it. A validator can only be added once it has
//! set its session keys (`Session::set_keys`), or the network would wait for blocks nobody can make.
//!
//! The chain's timing — slot length, session length, and whether blocks may share a slot (a dev
//! chain that seals a block for every transaction) — is set in the genesis and never changes: a slot
//! length that changed under a running chain would break Aura.
#![cfg_attr(not(feature = "std"), no_std)]

pub use pallet::*;

use frame_support::traits::Get;
use sp_std::marker::PhantomData;

#[frame_support::pallet]
pub mod pallet {
    use frame_support::{pallet_prelude::*, traits::ChangeMembers};
    use frame_system::pallet_prelude::*;
    use sp_runtime::traits::Convert;
    use sp_std::vec::Vec;

    #[pallet::pallet]
    pub struct Pallet<T>(_);

    #[pallet::config]
    pub trait Config:
        frame_system::Config + pallet_session::Config<ValidatorId = <Self as frame_system::Config>::AccountId>
    {
        /// The overarching event type.
        type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;
        /// Who may add or remove a validator: in the runtime, more than half of the validators.
        type ChangeOrigin: EnsureOrigin<Self::RuntimeOrigin>;
        /// Told of every change, so the validators' collective has the same members.
        type MembershipChanged: ChangeMembers<Self::AccountId>;
        /// Most validators the set may hold.
        #[pallet::constant]
        type MaxValidators: Get<u32>;
        /// Fewest validators the set may keep: a removal below it is refused.
        #[pallet::constant]
        type MinValidators: Get<u32>;
    }

    /// The validators, sorted: who authors and finalizes blocks from the session after a change.
    #[pallet::storage]
    pub type Validators<T: Config> =
        StorageValue<_, BoundedVec<T::AccountId, T::MaxValidators>, ValueQuery>;

    /// Whether the set changed since the last session rotation handed it over.
    #[pallet::storage]
    pub type Changed<T: Config> = StorageValue<_, bool, ValueQuery>;

    /// The chain's slot length (ms), fixed at genesis.
    #[pallet::storage]
    pub type SlotMillis<T: Config> = StorageValue<_, u64, ValueQuery>;

    /// Blocks per session, fixed at genesis.
    #[pallet::storage]
    pub type SessionBlocks<T: Config> = StorageValue<_, u32, ValueQuery>;

    /// Whether several blocks may share a slot and timestamp (a dev chain sealing a block per
    /// transaction), fixed at genesis. Never on a network.
    #[pallet::storage]
    pub type InstantBlocks<T: Config> = StorageValue<_, bool, ValueQuery>;

    #[pallet::genesis_config]
    #[derive(frame_support::DefaultNoBound)]
    pub struct GenesisConfig<T: Config> {
        /// The first validators.
        pub validators: Vec<T::AccountId>,
        /// Slot length (ms).
        pub slot_millis: u64,
        /// Blocks per session.
        pub session_blocks: u32,
        /// Whether several blocks may share a slot (dev chains only).
        pub instant_blocks: bool,
    }

    #[pallet::genesis_build]
    impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
        fn build(&self) {
            assert!(self.slot_millis > 0, "a chain needs a slot length");
            assert!(self.session_blocks > 0, "a chain needs a session length");
            let mut validators = self.validators.clone();
            validators.sort();
            validators.dedup();
            assert!(
                validators.len() >= T::MinValidators::get() as usize,
                "fewer validators than MinValidators"
            );
            T::MembershipChanged::set_members_sorted(&validators, &[]);
            let bounded: BoundedVec<_, _> =
                validators.try_into().expect("more validators than MaxValidators");
            Validators::<T>::put(bounded);
            SlotMillis::<T>::put(self.slot_millis);
            SessionBlocks::<T>::put(self.session_blocks);
            InstantBlocks::<T>::put(self.instant_blocks);
        }
    }

    #[pallet::event]
    #[pallet::generate_deposit(pub(super) fn deposit_event)]
    pub enum Event<T: Config> {
        /// A validator was added; it authors and finalizes from the session after next.
        ValidatorAdded { validator: T::AccountId },
        /// A validator was removed; it stops from the session after next.
        ValidatorRemoved { validator: T::AccountId },
    }

    #[pallet::error]
    pub enum Error<T> {
        /// The account is a validator already.
        AlreadyValidator,
        /// The account is not a validator.
        NotValidator,
        /// The set holds `MaxValidators` already.
        TooManyValidators,
        /// The set would fall below `MinValidators`.
        TooFewValidators,
        /// The account has not set its session keys (`Session::set_keys`), so it could not author
        /// or vote.
        NoSessionKeys,
    }

    #[pallet::call]
    impl<T: Config> Pallet<T> {
        /// Adds `validator`, which must have set its session keys (`ChangeOrigin` only: a motion of
        /// the validators). Emits `ValidatorAdded`.
        #[pallet::call_index(0)]
        #[pallet::weight(T::DbWeight::get().reads_writes(3, 3).saturating_add(Weight::from_parts(50_000_000, 0)))]
        pub fn add_validator(origin: OriginFor<T>, validator: T::AccountId) -> DispatchResult {
            T::ChangeOrigin::ensure_origin(origin)?;
            let id = <T as pallet_session::Config>::ValidatorIdOf::convert(validator.clone())
                .ok_or(Error::<T>::NoSessionKeys)?;
            ensure!(
                pallet_session::NextKeys::<T>::contains_key(&id),
                Error::<T>::NoSessionKeys
            );
            let mut validators = Validators::<T>::get();
            let at = validators
                .binary_search(&validator)
                .err()
                .ok_or(Error::<T>::AlreadyValidator)?;
            validators
                .try_insert(at, validator.clone())
                .map_err(|_| Error::<T>::TooManyValidators)?;
            T::MembershipChanged::change_members_sorted(&[validator.clone()], &[], &validators);
            Validators::<T>::put(validators);
            Changed::<T>::put(true);
            Self::deposit_event(Event::ValidatorAdded { validator });
            Ok(())
        }

        /// Removes `validator` (`ChangeOrigin` only: a motion of the validators). Emits
        /// `ValidatorRemoved`.
        #[pallet::call_index(1)]
        #[pallet::weight(T::DbWeight::get().reads_writes(2, 3).saturating_add(Weight::from_parts(50_000_000, 0)))]
        pub fn remove_validator(origin: OriginFor<T>, validator: T::AccountId) -> DispatchResult {
            T::ChangeOrigin::ensure_origin(origin)?;
            let mut validators = Validators::<T>::get();
            let at = validators
                .binary_search(&validator)
                .map_err(|_| Error::<T>::NotValidator)?;
            ensure!(
                validators.len() > T::MinValidators::get() as usize,
                Error::<T>::TooFewValidators
            );
            validators.remove(at);
            T::MembershipChanged::change_members_sorted(&[], &[validator.clone()], &validators);
            Validators::<T>::put(validators);
            Changed::<T>::put(true);
            Self::deposit_event(Event::ValidatorRemoved { validator });
            Ok(())
        }
    }

    impl<T: Config> pallet_session::SessionManager<T::AccountId> for Pallet<T> {
        fn new_session(_index: u32) -> Option<Vec<T::AccountId>> {
            Changed::<T>::take().then(|| Validators::<T>::get().into_inner())
        }

        fn new_session_genesis(_index: u32) -> Option<Vec<T::AccountId>> {
            Some(Validators::<T>::get().into_inner())
        }

        fn end_session(_index: u32) {}

        fn start_session(_index: u32) {}
    }
}

/// The slot length fixed at genesis, as `pallet_aura::Config::SlotDuration` reads it.
pub struct SlotDuration<T>(PhantomData<T>);

impl<T: Config> Get<u64> for SlotDuration<T> {
    fn get() -> u64 {
        SlotMillis::<T>::get()
    }
}

/// The session length fixed at genesis, as `pallet_session::PeriodicSessions` reads it.
pub struct SessionPeriod<T>(PhantomData<T>);

impl<T: Config> Get<BlockNumberFor<T>> for SessionPeriod<T> {
    fn get() -> BlockNumberFor<T> {
        SessionBlocks::<T>::get().into()
    }
}

/// Whether blocks may share a slot: `pallet_aura::Config::AllowMultipleBlocksPerSlot`.
pub struct AllowInstantBlocks<T>(PhantomData<T>);

impl<T: Config> Get<bool> for AllowInstantBlocks<T> {
    fn get() -> bool {
        InstantBlocks::<T>::get()
    }
}

/// The least time between blocks (ms), `pallet_timestamp::Config::MinimumPeriod`: half a slot, or
/// none on a dev chain whose blocks share slots.
pub struct MinimumPeriod<T>(PhantomData<T>);

impl<T: Config> Get<u64> for MinimumPeriod<T> {
    fn get() -> u64 {
        if InstantBlocks::<T>::get() {
            0
        } else {
            SlotMillis::<T>::get() / 2
        }
    }
}

use frame_system::pallet_prelude::BlockNumberFor;
