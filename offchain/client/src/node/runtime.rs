//! Calls to the chain's own pallets (not contracts) and reads of their storage, by pallet and name
//! as the node's metadata describes them: what governing the chain itself takes (a validator set's
//! motions and votes, session keys), which no contract type describes.

use ink::primitives::AccountId;
use subxt::{dynamic::Value, ext::scale_value::Composite};

use super::NodeChain;
use crate::client::ChainError;

/// An event a runtime call emitted.
#[derive(Debug, Clone)]
pub struct RuntimeEvent {
    /// Its pallet, as the metadata names it (`ValidatorSet`).
    pub pallet: String,
    /// Its name (`ValidatorAdded`).
    pub name: String,
    /// Its fields.
    pub fields: Composite<u32>,
}

impl RuntimeEvent {
    /// Field `name`, if the event has it.
    pub fn field(&self, name: &str) -> Option<&Value<u32>> {
        match &self.fields {
            Composite::Named(fields) => fields.iter().find(|(n, _)| n == name).map(|(_, v)| v),
            Composite::Unnamed(_) => None,
        }
    }
}

impl NodeChain {
    /// Calls `pallet::call(args)` signed by `signer` and waits until it is done; returns its events.
    /// A call the runtime refuses is [`ChainError::Dispatch`] with the pallet's error by name.
    pub fn dispatch(
        &self,
        pallet: &str,
        call: &str,
        args: Vec<Value>,
        signer: &AccountId,
    ) -> Result<Vec<RuntimeEvent>, ChainError> {
        let payload = subxt::dynamic::tx(pallet, call, args);
        let included = self.submit(&payload, signer)?;
        match included.outcome {
            Ok(()) => Ok(included
                .raw
                .iter()
                .flat_map(|events| events.iter().flatten())
                .filter_map(|event| {
                    Some(RuntimeEvent {
                        pallet: event.pallet_name().to_owned(),
                        name: event.variant_name().to_owned(),
                        fields: event.field_values().ok()?,
                    })
                })
                .collect()),
            Err(e) => Err(ChainError::Dispatch {
                reason: format!("{pallet}.{call}: {e}"),
                debug: String::new(),
            }),
        }
    }

    /// Storage item `pallet::entry` under `keys`, at the block reads see; `None` when unset.
    pub fn storage(
        &self,
        pallet: &str,
        entry: &str,
        keys: Vec<Value>,
    ) -> Result<Option<Value<u32>>, ChainError> {
        self.storage_value(pallet, entry, keys)
    }
}
