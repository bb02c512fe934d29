//! Owner and role based access control.
//!
//! A contract embeds one [`AccessControl`] in its storage; every change emits its own event
//! ([`OwnershipTransferred`], [`RoleChanged`]), so no contract can forget to. The owner is a single account that can hand
//! itself over; roles are small numbers the contract names (for example `OPERATOR = 1`), each held by any
//! number of accounts and granted or revoked only by the owner.

use ink::{primitives::AccountId, storage::Mapping};

/// A role a contract defines, such as "regulator" or "operator".
pub type RoleId = u8;

pub use codec::AccessError;

// parity-scale-codec's derive casts `usize` variant indices to `u8` on data-carrying enums, which trips
// cargo-contract's `-D clippy::cast_possible_truncation`; the allow covers only the derived code here.
#[allow(clippy::cast_possible_truncation)]
mod codec {
    use super::RoleId;

    /// Why an access check refused a caller.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, scale::Encode, scale::Decode)]
    #[cfg_attr(feature = "std", derive(scale_info::TypeInfo))]
    pub enum AccessError {
        /// The caller is not the owner.
        NotOwner,
        /// The caller does not hold the role the message needs.
        MissingRole(RoleId),
    }
}

/// Emitted when a contract changes owner.
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

/// Emitted when a role is granted or revoked.
#[ink::event]
#[derive(Debug)]
pub struct RoleChanged {
    /// The role.
    pub role: RoleId,
    /// The account.
    #[ink(topic)]
    pub account: AccountId,
    /// Whether the account holds the role now.
    pub granted: bool,
}

fn emit<E: ink::env::Event>(event: E) {
    ink::env::emit_event::<ink::env::DefaultEnvironment, E>(event);
}

/// The owner of a contract and the accounts holding each role.
#[ink::storage_item]
#[derive(Debug)]
pub struct AccessControl {
    owner: AccountId,
    roles: Mapping<(RoleId, AccountId), ()>,
}

impl AccessControl {
    /// Access control owned by `owner`, with no roles granted.
    pub fn new(owner: AccountId) -> Self {
        Self {
            owner,
            roles: Mapping::new(),
        }
    }

    /// The current owner.
    pub fn owner(&self) -> AccountId {
        self.owner
    }

    /// `Ok` when `caller` is the owner.
    pub fn ensure_owner(&self, caller: AccountId) -> Result<(), AccessError> {
        if caller == self.owner {
            Ok(())
        } else {
            Err(AccessError::NotOwner)
        }
    }

    /// Hands ownership to `new_owner`; only the owner may.
    pub fn transfer_ownership(
        &mut self,
        caller: AccountId,
        new_owner: AccountId,
    ) -> Result<(), AccessError> {
        self.ensure_owner(caller)?;
        self.owner = new_owner;
        emit(OwnershipTransferred {
            from: caller,
            to: new_owner,
        });
        Ok(())
    }

    /// Whether `account` holds `role`.
    pub fn has_role(&self, role: RoleId, account: AccountId) -> bool {
        self.roles.contains((role, account))
    }

    /// `Ok` when `caller` holds `role`.
    pub fn ensure_role(&self, role: RoleId, caller: AccountId) -> Result<(), AccessError> {
        if self.has_role(role, caller) {
            Ok(())
        } else {
            Err(AccessError::MissingRole(role))
        }
    }

    /// Gives `role` to `account`; only the owner may. Returns whether it was newly granted.
    pub fn grant_role(
        &mut self,
        caller: AccountId,
        role: RoleId,
        account: AccountId,
    ) -> Result<bool, AccessError> {
        self.ensure_owner(caller)?;
        let fresh = !self.has_role(role, account);
        self.roles.insert((role, account), &());
        if fresh {
            emit(RoleChanged {
                role,
                account,
                granted: true,
            });
        }
        Ok(fresh)
    }

    /// Takes `role` from `account`; only the owner may. Returns whether it was held.
    pub fn revoke_role(
        &mut self,
        caller: AccountId,
        role: RoleId,
        account: AccountId,
    ) -> Result<bool, AccessError> {
        self.ensure_owner(caller)?;
        let held = self.has_role(role, account);
        self.roles.remove((role, account));
        if held {
            emit(RoleChanged {
                role,
                account,
                granted: false,
            });
        }
        Ok(held)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acct(n: u8) -> AccountId {
        AccountId::from([n; 32])
    }

    #[ink::test]
    fn only_the_owner_grants_and_revokes_roles() {
        let mut ac = AccessControl::new(acct(1));
        assert_eq!(
            ac.grant_role(acct(2), 7, acct(3)),
            Err(AccessError::NotOwner)
        );
        assert!(!ac.has_role(7, acct(3)));
        assert_eq!(ac.grant_role(acct(1), 7, acct(3)), Ok(true));
        assert_eq!(ac.grant_role(acct(1), 7, acct(3)), Ok(false));
        assert_eq!(ac.ensure_role(7, acct(3)), Ok(()));
        assert_eq!(ac.ensure_role(8, acct(3)), Err(AccessError::MissingRole(8)));
        assert_eq!(
            ac.revoke_role(acct(3), 7, acct(3)),
            Err(AccessError::NotOwner)
        );
        assert_eq!(ac.revoke_role(acct(1), 7, acct(3)), Ok(true));
        assert_eq!(ac.ensure_role(7, acct(3)), Err(AccessError::MissingRole(7)));
    }

    #[ink::test]
    fn ownership_moves_only_by_the_owner() {
        let mut ac = AccessControl::new(acct(1));
        assert_eq!(
            ac.transfer_ownership(acct(2), acct(2)),
            Err(AccessError::NotOwner)
        );
        assert_eq!(ac.transfer_ownership(acct(1), acct(2)), Ok(()));
        assert_eq!(ac.owner(), acct(2));
        assert_eq!(ac.ensure_owner(acct(1)), Err(AccessError::NotOwner));
    }
}
