//! pallet-contracts as GridTrust's codes need it: the limits and deposits of contracts-node 0.42 where
//! they matter to the codes (what a call may weigh, what storage costs, the host functions of
//! polkadot-sdk v1.0 on), and nothing a production chain should not have (no unstable host
//! functions, no runtime call a contract could dispatch).

use frame_support::{
    parameter_types,
    traits::{ConstBool, ConstU32, Nothing},
};
use frame_system::EnsureSigned;
use sp_runtime::Perbill;

use crate::{
    Balance, Balances, RandomnessCollectiveFlip, Runtime, RuntimeCall, RuntimeEvent,
    RuntimeHoldReason, Timestamp, MILLI_UNIT, UNIT,
};

/// Storage deposit for `items` storage items of `bytes` bytes in all: 0.1 token an item and 0.005
/// token a byte, as contracts-node 0.42 charges, so a contract's deposits are the same on both.
const fn deposit(items: u32, bytes: u32) -> Balance {
    (items as Balance * UNIT + (bytes as Balance) * (5 * MILLI_UNIT / 100)) / 10
}

parameter_types! {
    pub const DepositPerItem: Balance = deposit(1, 0);
    pub const DepositPerByte: Balance = deposit(0, 1);
    pub const DefaultDepositLimit: Balance = deposit(1024, 1024 * 1024);
    pub Schedule: pallet_contracts::Schedule<Runtime> = Default::default();
    pub const CodeHashLockupDepositPercent: Perbill = Perbill::from_percent(0);
}

impl pallet_contracts::Config for Runtime {
    type Time = Timestamp;
    type Randomness = RandomnessCollectiveFlip;
    type Currency = Balances;
    type RuntimeEvent = RuntimeEvent;
    type RuntimeCall = RuntimeCall;
    // Contracts dispatch no runtime call: nothing a contract does can move a validator or a vote.
    type CallFilter = Nothing;
    type DepositPerItem = DepositPerItem;
    type DepositPerByte = DepositPerByte;
    type CallStack = [pallet_contracts::Frame<Self>; 5];
    type WeightPrice = pallet_transaction_payment::Pallet<Self>;
    type WeightInfo = pallet_contracts::weights::SubstrateWeight<Self>;
    type ChainExtension = ();
    type Schedule = Schedule;
    type AddressGenerator = pallet_contracts::DefaultAddressGenerator;
    // Every GridTrust code is at most 64 KiB; twice that leaves room without inviting bloat.
    type MaxCodeLen = ConstU32<{ 128 * 1024 }>;
    type DefaultDepositLimit = DefaultDepositLimit;
    type MaxStorageKeyLen = ConstU32<128>;
    type MaxTransientStorageSize = ConstU32<{ 1024 * 1024 }>;
    type MaxDebugBufferLen = ConstU32<{ 2 * 1024 * 1024 }>;
    type UnsafeUnstableInterface = ConstBool<false>;
    type CodeHashLockupDepositPercent = CodeHashLockupDepositPercent;
    type MaxDelegateDependencies = ConstU32<32>;
    type RuntimeHoldReason = RuntimeHoldReason;
    type Environment = ();
    type Debug = ();
    type ApiVersion = ();
    type Migrations = ();
    type Xcm = ();
    type UploadOrigin = EnsureSigned<Self::AccountId>;
    type InstantiateOrigin = EnsureSigned<Self::AccountId>;
}
