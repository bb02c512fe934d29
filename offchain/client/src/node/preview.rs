//! What a transaction will do and cost, shown before it is signed: the hook a command line uses to
//! show the fee and ask before sending, as cargo-contract does.

use std::sync::Arc;

use ink::primitives::AccountId;

use crate::client::Weight;

/// A contract call about to be signed, after its dry run succeeded.
#[derive(Debug, Clone)]
pub struct Preview {
    /// The contract called.
    pub contract: AccountId,
    /// The message's selector (the first four bytes of the call data).
    pub selector: [u8; 4],
    /// Tokens sent with the call, in the chain's smallest unit.
    pub value: u128,
    /// Who signs and pays.
    pub signer: AccountId,
    /// The weight the transaction offers: what the dry run needed plus the margin.
    pub weight: Weight,
    /// The fee the node estimates for the signed transaction, tip excluded, in the smallest unit.
    pub fee: u128,
}

/// Decides, from a [`Preview`], whether a transaction is sent: `Err(reason)` sends nothing and the
/// call fails with [`ChainError::Declined`](crate::ChainError::Declined) carrying the reason.
#[derive(Clone)]
pub struct Confirm(Arc<Decide>);

type Decide = dyn Fn(&Preview) -> Result<(), String> + Send + Sync;

impl Confirm {
    /// A confirmation by `decide`.
    pub fn new(decide: impl Fn(&Preview) -> Result<(), String> + Send + Sync + 'static) -> Self {
        Self(Arc::new(decide))
    }

    pub(super) fn decide(&self, preview: &Preview) -> Result<(), String> {
        (self.0)(preview)
    }
}

impl std::fmt::Debug for Confirm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Confirm(..)")
    }
}
