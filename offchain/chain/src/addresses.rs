//! Where the GridTrust contracts are on one chain: the one type the oracle, the daemon, the command
//! line and the tests pass around, made from a [`crate::Grid`] on the sandbox or from a deployment's
//! [`crate::Manifest`] on a node.

use ink::primitives::AccountId;

/// The addresses of one deployment's contracts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Contracts {
    /// The attestations contract.
    pub attestations: AccountId,
    /// The outage insurance contract.
    pub insurance: AccountId,
    /// The demand-response settlement contract.
    pub demand: AccountId,
    /// The reservations contract, when one is deployed next to the others.
    pub reservations: Option<AccountId>,
}
