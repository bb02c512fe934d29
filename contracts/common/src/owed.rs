//! Payments the chain refused, kept for their payee instead of failing the whole message.
//!
//! A transfer can fail for reasons the payer cannot see or fix (below the existential deposit, a
//! frozen account). When one payment among many (a payout batch, a settlement, the two sides of a
//! booking) fails, reverting the message would block every other payee and can lock the funds behind
//! it. So the contract keeps such an amount in [`Owed`], and the payee takes it later with
//! `claim_owed` ([`OwedPayments`]).

use ink::{primitives::AccountId, storage::Mapping};

/// A payment the chain refused was kept for its payee.
#[ink::event]
#[derive(Debug)]
pub struct PaymentDeferred {
    /// Who is owed it.
    #[ink(topic)]
    pub payee: AccountId,
    /// How much.
    pub amount: u128,
}

/// A payee took what it was owed.
#[ink::event]
#[derive(Debug)]
pub struct OwedClaimed {
    /// The payee.
    #[ink(topic)]
    pub payee: AccountId,
    /// How much was paid.
    pub amount: u128,
}

/// Why `claim_owed` refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum OwedError {
    /// The caller is owed nothing.
    NothingOwed,
    /// The chain refused the transfer again; the amount stays owed.
    TransferFailed,
}

/// The messages of a contract that keeps refused payments for their payees.
#[ink::trait_definition]
pub trait OwedPayments {
    /// What refused payments left owed to `payee`.
    #[ink(message)]
    fn owed_to(&self, payee: AccountId) -> u128;

    /// Pays the caller everything it is owed. Emits `OwedClaimed`.
    ///
    /// # Errors
    /// `NothingOwed`; `TransferFailed` when the chain refuses again (nothing changes).
    #[ink(message)]
    fn claim_owed(&mut self) -> Result<u128, OwedError>;
}

fn emit<E: ink::env::Event>(event: E) {
    ink::env::emit_event::<ink::env::DefaultEnvironment, E>(event);
}

/// What each payee is owed.
#[ink::storage_item]
#[derive(Debug)]
pub struct Owed {
    /// Payee → amount kept for it; absent when nothing.
    owed: Mapping<AccountId, u128>,
}

impl Default for Owed {
    fn default() -> Self {
        Self {
            owed: Mapping::new(),
        }
    }
}

impl Owed {
    /// What `payee` is owed.
    pub fn of(&self, payee: AccountId) -> u128 {
        self.owed.get(payee).unwrap_or(0)
    }

    /// Keeps `amount` for `payee`.
    fn keep(&mut self, payee: AccountId, amount: u128) {
        self.owed
            .insert(payee, &self.of(payee).saturating_add(amount));
    }

    /// Transfers `amount` to `payee`, or keeps it owed (emitting [`PaymentDeferred`]) when the chain
    /// refuses; never fails. Returns whether it was transferred.
    pub fn pay_or_keep(&mut self, payee: AccountId, amount: u128) -> bool {
        if amount == 0 {
            return true;
        }
        if ink::env::transfer::<ink::env::DefaultEnvironment>(payee, amount).is_ok() {
            return true;
        }
        self.keep(payee, amount);
        emit(PaymentDeferred { payee, amount });
        false
    }

    /// Pays `caller` everything it is owed.
    pub fn claim(&mut self, caller: AccountId) -> Result<u128, OwedError> {
        let amount = self.of(caller);
        if amount == 0 {
            return Err(OwedError::NothingOwed);
        }
        ink::env::transfer::<ink::env::DefaultEnvironment>(caller, amount)
            .map_err(|_| OwedError::TransferFailed)?;
        self.owed.remove(caller);
        emit(OwedClaimed {
            payee: caller,
            amount,
        });
        Ok(amount)
    }
}
