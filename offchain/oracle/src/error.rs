//! Why the oracle's work against the chain stopped early (what it did before stays done).

use gridtrust_chain::{CallError, ChainError, ContractError};

use crate::store::StoreError;

/// Why a round, a measurement or a verification stopped.
#[derive(Debug, thiserror::Error)]
pub enum OracleError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The chain could not be asked, or a contract refused a call; the refusal keeps its type.
    #[error(transparent)]
    Call(#[from] CallError),
    /// The chain does not hold what the work is about (an event, a program, an entry).
    #[error("{0}")]
    Missing(String),
}

impl From<ChainError> for OracleError {
    fn from(e: ChainError) -> Self {
        Self::Call(e.into())
    }
}

impl OracleError {
    /// Whether the chain was unreachable (the next round may do better).
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Call(e) if e.is_transient())
    }

    /// The contract's refusal that stopped the work, when that is what did.
    pub fn refusal(&self) -> Option<&ContractError> {
        match self {
            Self::Call(e) => e.refusal(),
            _ => None,
        }
    }
}
