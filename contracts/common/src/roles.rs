//! Named roles granted by a contract's owner.
//!
//! Roles are small numbers the contract names (for example `REGULATOR = 2`), each held by any number of
//! accounts. The contract checks that its owner asked (`access::Ownership::ensure_owner`) before it
//! grants or revokes; every change emits [`RoleChanged`].

use ink::{primitives::AccountId, storage::Mapping};

use crate::access::{AccessError, RoleId};

/// A role was granted or revoked.
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

/// Which accounts hold which roles.
#[ink::storage_item]
#[derive(Debug)]
pub struct Roles {
    /// (role, account) → held; absent when not held.
    held: Mapping<(RoleId, AccountId), ()>,
}

impl Default for Roles {
    fn default() -> Self {
        Self {
            held: Mapping::new(),
        }
    }
}

impl Roles {
    /// Whether `account` holds `role`.
    pub fn has(&self, role: RoleId, account: AccountId) -> bool {
        self.held.contains((role, account))
    }

    /// `Ok` when `caller` holds `role`.
    pub fn ensure(&self, role: RoleId, caller: AccountId) -> Result<(), AccessError> {
        if self.has(role, caller) {
            Ok(())
        } else {
            Err(AccessError::MissingRole(role))
        }
    }

    /// Gives `role` to `account`; returns whether it was newly granted.
    pub fn grant(&mut self, role: RoleId, account: AccountId) -> bool {
        let fresh = !self.has(role, account);
        if fresh {
            self.held.insert((role, account), &());
            ink::env::emit_event::<ink::env::DefaultEnvironment, _>(RoleChanged {
                role,
                account,
                granted: true,
            });
        }
        fresh
    }

    /// Takes `role` from `account`; returns whether it was held.
    pub fn revoke(&mut self, role: RoleId, account: AccountId) -> bool {
        let held = self.has(role, account);
        if held {
            self.held.remove((role, account));
            ink::env::emit_event::<ink::env::DefaultEnvironment, _>(RoleChanged {
                role,
                account,
                granted: false,
            });
        }
        held
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acct(n: u8) -> AccountId {
        AccountId::from([n; 32])
    }

    #[ink::test]
    fn roles_are_granted_and_revoked_once() {
        let mut roles = Roles::default();
        assert!(!roles.has(7, acct(3)));
        assert!(roles.grant(7, acct(3)));
        assert!(!roles.grant(7, acct(3)));
        assert_eq!(roles.ensure(7, acct(3)), Ok(()));
        assert_eq!(roles.ensure(8, acct(3)), Err(AccessError::MissingRole(8)));
        assert!(roles.revoke(7, acct(3)));
        assert!(!roles.revoke(7, acct(3)));
        assert_eq!(roles.ensure(7, acct(3)), Err(AccessError::MissingRole(7)));
    }
}
