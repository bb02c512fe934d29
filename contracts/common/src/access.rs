//! Ownership of a contract, handed over in two steps.
//!
//! A contract embeds one [`Ownership`] in its storage and implements [`Owned`] by delegating to it, so
//! the four ownership messages have one definition (and one selector each) in every GridTrust contract.
//! A transfer is a proposal by the owner and an acceptance by the proposed account: a mistyped address
//! can never receive the contract, because it would have to sign the acceptance, and the zero account
//! (whose key nobody holds) cannot even be proposed.

use ink::primitives::AccountId;

/// A role a contract defines, such as "regulator" (see `roles`).
pub type RoleId = u8;

pub use codec::AccessError;

// parity-scale-codec's derive casts `usize` variant indices to `u8` on data-carrying enums, which trips
// cargo-contract's `-D clippy::cast_possible_truncation`; the allow covers only the derived code here.
#[allow(clippy::cast_possible_truncation)]
mod codec {
    use super::RoleId;

    /// Why an access check refused a caller.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    pub enum AccessError {
        /// The caller is not the owner.
        NotOwner,
        /// The caller does not hold the role the message needs (see `roles`).
        MissingRole(RoleId),
        /// The caller is not the account the owner proposed, or no transfer is proposed.
        NotPendingOwner,
        /// The zero account holds no key: proposing it would lose the contract.
        ZeroAccount,
    }
}

/// The owner proposed handing the contract to `to`; it moves when `to` accepts.
#[ink::event]
#[derive(Debug)]
pub struct OwnershipProposed {
    /// The current owner.
    #[ink(topic)]
    pub from: AccountId,
    /// The account that may accept.
    #[ink(topic)]
    pub to: AccountId,
}

/// The contract changed owner.
#[ink::event]
#[derive(Debug)]
pub struct OwnershipTransferred {
    /// The previous owner.
    #[ink(topic)]
    pub from: AccountId,
    /// The new owner.
    #[ink(topic)]
    pub to: AccountId,
}

/// The ownership messages every GridTrust contract with an owner answers.
#[ink::trait_definition]
pub trait Owned {
    /// The contract's owner.
    #[ink(message)]
    fn owner(&self) -> AccountId;

    /// The account the owner proposed as the next owner, until it accepts.
    #[ink(message)]
    fn pending_owner(&self) -> Option<AccountId>;

    /// Proposes `new_owner` as the next owner (owner only); a later proposal replaces an earlier
    /// one. Emits `OwnershipProposed`.
    ///
    /// # Errors
    /// `NotOwner` for any other caller; `ZeroAccount` for the zero account.
    #[ink(message)]
    fn propose_owner(&mut self, new_owner: AccountId) -> Result<(), AccessError>;

    /// Makes the caller the owner, if the owner proposed it. Emits `OwnershipTransferred`.
    ///
    /// # Errors
    /// `NotPendingOwner` when the caller is not the proposed account.
    #[ink(message)]
    fn accept_ownership(&mut self) -> Result<(), AccessError>;
}

fn emit<E: ink::env::Event>(event: E) {
    ink::env::emit_event::<ink::env::DefaultEnvironment, E>(event);
}

/// A contract's owner and the account proposed to succeed it.
#[ink::storage_item]
#[derive(Debug)]
pub struct Ownership {
    /// Who may call owner-only messages.
    owner: AccountId,
    /// Who may call `accept_ownership`; `None` when no transfer is proposed.
    pending: Option<AccountId>,
}

impl Ownership {
    /// Ownership by `owner`, no transfer proposed.
    pub fn new(owner: AccountId) -> Self {
        Self {
            owner,
            pending: None,
        }
    }

    /// The current owner.
    pub fn owner(&self) -> AccountId {
        self.owner
    }

    /// The proposed next owner.
    pub fn pending(&self) -> Option<AccountId> {
        self.pending
    }

    /// `Ok` when `caller` is the owner.
    pub fn ensure_owner(&self, caller: AccountId) -> Result<(), AccessError> {
        if caller == self.owner {
            Ok(())
        } else {
            Err(AccessError::NotOwner)
        }
    }

    /// Records `new_owner` as the proposed next owner; only the owner may.
    pub fn propose(&mut self, caller: AccountId, new_owner: AccountId) -> Result<(), AccessError> {
        self.ensure_owner(caller)?;
        if new_owner == AccountId::from([0u8; 32]) {
            return Err(AccessError::ZeroAccount);
        }
        self.pending = Some(new_owner);
        emit(OwnershipProposed {
            from: caller,
            to: new_owner,
        });
        Ok(())
    }

    /// Makes `caller` the owner when it is the proposed one.
    pub fn accept(&mut self, caller: AccountId) -> Result<(), AccessError> {
        if self.pending != Some(caller) {
            return Err(AccessError::NotPendingOwner);
        }
        let from = self.owner;
        self.owner = caller;
        self.pending = None;
        emit(OwnershipTransferred { from, to: caller });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acct(n: u8) -> AccountId {
        AccountId::from([n; 32])
    }

    #[ink::test]
    fn ownership_moves_only_when_the_proposed_account_accepts() {
        let mut o = Ownership::new(acct(1));
        assert_eq!(o.propose(acct(2), acct(2)), Err(AccessError::NotOwner));
        assert_eq!(o.propose(acct(1), acct(0)), Err(AccessError::ZeroAccount));
        assert_eq!(o.accept(acct(2)), Err(AccessError::NotPendingOwner));
        assert_eq!(o.propose(acct(1), acct(2)), Ok(()));
        assert_eq!(o.owner(), acct(1), "a proposal alone moves nothing");
        assert_eq!(o.accept(acct(3)), Err(AccessError::NotPendingOwner));
        assert_eq!(o.accept(acct(2)), Ok(()));
        assert_eq!(o.owner(), acct(2));
        assert_eq!(o.pending(), None);
        assert_eq!(o.ensure_owner(acct(1)), Err(AccessError::NotOwner));
        assert_eq!(o.accept(acct(2)), Err(AccessError::NotPendingOwner));
    }
}
