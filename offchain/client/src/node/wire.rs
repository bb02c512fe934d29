//! pallet-contracts' types as they travel over RPC, declared here (not taken from a runtime crate) so
//! the node client does not link a Substrate runtime.

use ink::primitives::AccountId;
use scale::{Decode, Encode};
use subxt::dynamic::Value;

use crate::client::{ChainError, Weight};

pub(super) fn account_bytes(account: &AccountId) -> &[u8; 32] {
    account.as_ref()
}

pub(super) fn account_value(account: &AccountId) -> Value {
    Value::from_bytes(account_bytes(account))
}

pub(super) fn multi_address(account: &AccountId) -> Value {
    Value::unnamed_variant("Id", [account_value(account)])
}

pub(super) fn weight_value(weight: Weight) -> Value {
    Value::named_composite([
        ("ref_time", Value::u128(u128::from(weight.ref_time()))),
        ("proof_size", Value::u128(u128::from(weight.proof_size()))),
    ])
}

pub(super) fn none() -> Value {
    Value::unnamed_variant("None", [])
}

/// A message's answer: `Result<R, LangError>` as ink! encodes it.
pub(super) fn decode_answer<R: Decode>(data: &[u8]) -> Result<R, ChainError> {
    let answer: Result<R, ink::LangError> = Decode::decode(&mut &data[..])?;
    answer.map_err(ChainError::Lang)
}

/// `sp_weights::Weight` as the runtime API encodes it.
#[derive(Encode, Decode, Clone, Copy)]
pub(super) struct RpcWeight {
    #[codec(compact)]
    pub(super) ref_time: u64,
    #[codec(compact)]
    pub(super) proof_size: u64,
}

/// pallet-contracts' `Code`: upload with the call, or use code already on chain.
#[derive(Encode)]
#[allow(dead_code)] // only `Existing` is sent; `Upload` keeps the variant index right
pub(super) enum RpcCode {
    Upload(Vec<u8>),
    Existing([u8; 32]),
}

/// pallet-contracts' `StorageDeposit`.
#[derive(Decode)]
#[allow(dead_code)] // read to skip past it; the deposit itself is not reported
pub(super) enum StorageDeposit {
    Refund(u128),
    Charge(u128),
}

/// pallet-contracts' `ExecReturnValue`.
pub(super) struct ExecReturn {
    pub(super) flags: u32,
    pub(super) data: Vec<u8>,
}

impl ExecReturn {
    pub(super) fn decode(input: &mut &[u8]) -> Result<Self, scale::Error> {
        Ok(Self {
            flags: u32::decode(input)?,
            data: Vec::<u8>::decode(input)?,
        })
    }

    pub(super) fn reverted(&self) -> bool {
        // `ReturnFlags::REVERT`, the only flag.
        self.flags & 1 == 1
    }
}

/// A decoded `ContractResult` whose execution succeeded.
pub(super) struct DryRun<T> {
    pub(super) gas_consumed: Weight,
    pub(super) gas_required: Weight,
    pub(super) result: T,
}

pub(super) enum DryRunError {
    Codec(scale::Error),
    /// The runtime's `DispatchError`, still encoded (it is decoded with the chain's metadata), and the
    /// contract's debug output.
    Dispatch {
        error: Vec<u8>,
        debug: String,
    },
}

impl From<scale::Error> for DryRunError {
    fn from(e: scale::Error) -> Self {
        Self::Codec(e)
    }
}

impl<T> DryRun<T> {
    /// Decodes `ContractResult { gas_consumed, gas_required, storage_deposit, debug_message, result,
    /// .. }`, reading an `Ok` result with `ok`.
    pub(super) fn decode(
        bytes: &[u8],
        ok: impl FnOnce(&mut &[u8]) -> Result<T, scale::Error>,
    ) -> Result<Self, DryRunError> {
        let input = &mut &bytes[..];
        let consumed = RpcWeight::decode(input)?;
        let required = RpcWeight::decode(input)?;
        StorageDeposit::decode(input)?;
        let debug = String::from_utf8_lossy(&Vec::<u8>::decode(input)?).into_owned();
        match u8::decode(input)? {
            0 => Ok(Self {
                gas_consumed: Weight::from_parts(consumed.ref_time, consumed.proof_size),
                gas_required: Weight::from_parts(required.ref_time, required.proof_size),
                result: ok(input)?,
            }),
            1 => Err(DryRunError::Dispatch {
                error: input.to_vec(),
                debug,
            }),
            _ => Err(DryRunError::Codec("a Result is 0 or 1".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use drink::{frame_support::sp_runtime::DispatchError as RuntimeError, pallet_contracts};

    /// What the runtime API answers, built with pallet-contracts' own types.
    fn encoded(result: Result<pallet_contracts::ExecReturnValue, RuntimeError>) -> Vec<u8> {
        pallet_contracts::ContractExecResult::<u128, ()> {
            gas_consumed: drink::Weight::from_parts(7, 8),
            gas_required: drink::Weight::from_parts(9, 10),
            storage_deposit: pallet_contracts::StorageDeposit::Charge(5),
            debug_message: b"dbg".to_vec(),
            result,
            events: None,
        }
        .encode()
    }

    #[test]
    fn dry_run_answers_decode_as_pallet_contracts_encodes_them() {
        let reverted = pallet_contracts::ExecReturnValue {
            flags: Decode::decode(&mut &1u32.to_le_bytes()[..]).unwrap(),
            data: vec![1, 2, 3],
        };
        let dry = DryRun::decode(&encoded(Ok(reverted)), ExecReturn::decode)
            .ok()
            .expect("an Ok result decodes");
        assert_eq!(dry.gas_consumed, Weight::from_parts(7, 8));
        assert_eq!(dry.gas_required, Weight::from_parts(9, 10));
        assert!(dry.result.reverted());
        assert_eq!(dry.result.data, vec![1, 2, 3]);

        let failed = encoded(Err(RuntimeError::BadOrigin));
        match DryRun::decode(&failed, ExecReturn::decode) {
            Err(DryRunError::Dispatch { error, debug }) => {
                // The error comes first; what follows it (the events) is ignored when decoding.
                assert!(error.starts_with(&RuntimeError::BadOrigin.encode()));
                assert_eq!(debug, "dbg");
            }
            _ => panic!("a dispatch error is reported as one"),
        }
    }
}
