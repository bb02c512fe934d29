//! The four contracts' refusals as one type, carried unflattened from the call to the logs, the
//! metrics and the command line.
//!
//! A message that refuses answers `Err(Error)` with its contract's own `Error`; [`ContractError`] holds
//! any of the four, and [`Answer::or_refused`] turns a call's outcome into a `Result` in one step, so
//! no caller matches on `CallOutcome::value` by hand.

use contracts_client::{CallOutcome, ChainError};
use gridtrust_common::{access::AccessError, committee::CommitteeError, owed::OwedError};

use crate::lodging::show_day;

/// A refusal by one of the GridTrust contracts, in that contract's own `Error` type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContractError {
    /// The attestations contract refused.
    Attestations(attestations::Error),
    /// The demand-response contract refused.
    DemandResponse(demand_response::Error),
    /// The outage insurance contract refused.
    OutageInsurance(outage_insurance::Error),
    /// The reservations contract refused.
    Reservations(reservations::Error),
    /// A message every product contract shares refused on access grounds (ownership, meter-holder
    /// settings): those messages answer `AccessError` itself, whichever contract they are sent to.
    Access(AccessError),
    /// The committee every committee contract shares refused (`propose_committee`, `heartbeat`).
    Committee(CommitteeError),
    /// The owed-payments messages every paying contract shares refused (`claim_owed`).
    Owed(OwedError),
}

impl ContractError {
    /// The refusing contract's crate name (`outage_insurance`, ...); `None` for a shared message's
    /// refusal, which does not say which contract answered.
    pub fn contract(&self) -> Option<&'static str> {
        match self {
            Self::Attestations(_) => Some("attestations"),
            Self::DemandResponse(_) => Some("demand_response"),
            Self::OutageInsurance(_) => Some("outage_insurance"),
            Self::Reservations(_) => Some("reservations"),
            Self::Access(_) | Self::Committee(_) | Self::Owed(_) => None,
        }
    }

    /// The error's variant as the contract's metadata names it (`NotMeterHolder`, `Access`, ...): a
    /// stable label for metrics and `--json` output.
    pub fn variant(&self) -> String {
        let code = self.code();
        code.split(|c: char| !c.is_alphanumeric())
            .next()
            .unwrap_or_default()
            .to_owned()
    }

    /// The error in words, as a person reads it: `not meter holder`, `access: not owner`, `sold out
    /// on 2026-01-13`.
    pub fn words(&self) -> String {
        use reservations::Error::{CapacityBelowBooked, SoldOut};
        // A night is a day number, which a guest or a hotel reads as a date.
        match self {
            Self::Reservations(SoldOut { night }) => format!("sold out on {}", show_day(*night)),
            Self::Reservations(CapacityBelowBooked { night, booked }) => format!(
                "capacity below booked: {booked} rooms booked on {}",
                show_day(*night)
            ),
            _ => words(&self.code()),
        }
    }

    /// The error as the contract's metadata spells it, fields included: `Committee(AlreadyVoted)`.
    pub fn code(&self) -> String {
        match self {
            Self::Attestations(e) => format!("{e:?}"),
            Self::DemandResponse(e) => format!("{e:?}"),
            Self::OutageInsurance(e) => format!("{e:?}"),
            Self::Reservations(e) => format!("{e:?}"),
            Self::Access(e) => format!("Access({e:?})"),
            Self::Committee(e) => format!("Committee({e:?})"),
            Self::Owed(e) => format!("Owed({e:?})"),
        }
    }
}

impl std::fmt::Display for ContractError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.contract() {
            Some(contract) => write!(f, "the {contract} contract refused: {}", self.words()),
            None => write!(f, "the contract refused: {}", self.words()),
        }
    }
}

impl std::error::Error for ContractError {}

macro_rules! from_contract_error {
    ($($krate:ident => $variant:ident),*) => {
        $(impl From<$krate::Error> for ContractError {
            fn from(e: $krate::Error) -> Self {
                Self::$variant(e)
            }
        })*
    };
}

from_contract_error!(
    attestations => Attestations,
    demand_response => DemandResponse,
    outage_insurance => OutageInsurance,
    reservations => Reservations
);

impl From<AccessError> for ContractError {
    fn from(e: AccessError) -> Self {
        Self::Access(e)
    }
}

impl From<OwedError> for ContractError {
    fn from(e: OwedError) -> Self {
        Self::Owed(e)
    }
}

impl From<CommitteeError> for ContractError {
    fn from(e: CommitteeError) -> Self {
        Self::Committee(e)
    }
}

/// `CamelCase(Inner)` as lower-case words, nesting shown with a colon: `Access(NotOwner)` is
/// `access: not owner`; a variant's named fields keep their names.
fn words(debug: &str) -> String {
    let mut out = String::with_capacity(debug.len() + 8);
    let mut previous_lower = false;
    for c in debug.chars() {
        match c {
            '(' => {
                out.push_str(": ");
                previous_lower = false;
            }
            ')' => previous_lower = false,
            c if c.is_uppercase() => {
                if previous_lower {
                    out.push(' ');
                }
                out.extend(c.to_lowercase());
                previous_lower = false;
            }
            c => {
                out.push(c);
                previous_lower = c.is_lowercase() || c.is_ascii_digit();
            }
        }
    }
    out
}

/// Why a call to a GridTrust contract did not give what was asked.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// The chain failed the call (unreachable, out of gas, trapped, ...).
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// The contract refused message `message`.
    #[error("{message}: {error}")]
    Refused {
        /// The message, as the contract names it.
        message: &'static str,
        /// The contract's own error.
        error: ContractError,
    },
}

impl CallError {
    /// The contract's refusal `error` of `message` (as the contract names the message).
    pub fn refused(message: &'static str, error: impl Into<ContractError>) -> Self {
        Self::Refused {
            message,
            error: error.into(),
        }
    }

    /// Whether trying again later may succeed (the node was unreachable or busy); a refusal never
    /// turns into success by repeating it.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Chain(e) if e.is_transient())
    }

    /// The contract's refusal, when that is what this is.
    pub fn refusal(&self) -> Option<&ContractError> {
        match self {
            Self::Refused { error, .. } => Some(error),
            Self::Chain(_) => None,
        }
    }
}

/// A contract's answer `Result<T, Error>`, as a call or a query returns it, turned into the answer or a
/// [`CallError`] naming the message.
pub trait Answer<T> {
    /// The answer, or why there is none (`message` names the call in the error).
    fn or_refused(self, message: &'static str) -> Result<T, CallError>;
}

impl<T, E: Into<ContractError>> Answer<T> for Result<CallOutcome<Result<T, E>>, ChainError> {
    fn or_refused(self, message: &'static str) -> Result<T, CallError> {
        self?.value.map_err(|e| CallError::refused(message, e))
    }
}

impl<T, E: Into<ContractError>> Answer<T> for Result<Result<T, E>, ChainError> {
    fn or_refused(self, message: &'static str) -> Result<T, CallError> {
        self?.map_err(|e| CallError::refused(message, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_reads_as_words_and_keeps_its_type() {
        let e = ContractError::from(outage_insurance::Error::Access(AccessError::NotOwner));
        assert_eq!(
            e.to_string(),
            "the outage_insurance contract refused: access: not owner"
        );
        assert_eq!(e.variant(), "Access");
        let e = ContractError::from(demand_response::Error::NotMeterHolder);
        assert_eq!(e.words(), "not meter holder");
        assert_eq!(
            e,
            ContractError::DemandResponse(demand_response::Error::NotMeterHolder)
        );
        let shared = ContractError::from(AccessError::NotOwner);
        assert_eq!(
            shared.to_string(),
            "the contract refused: access: not owner"
        );
        assert_eq!(shared.variant(), "Access");
        let full = ContractError::from(reservations::Error::SoldOut { night: 20_466 });
        assert_eq!(full.words(), "sold out on 2026-01-13");
        assert_eq!(full.code(), "SoldOut { night: 20466 }");
    }

    #[test]
    fn an_answer_becomes_a_result_naming_the_message() {
        let refused: Result<Result<u32, attestations::Error>, ChainError> =
            Ok(Err(attestations::Error::SchemaNotFound));
        let e = refused.or_refused("attest").expect_err("refused");
        assert_eq!(
            e.to_string(),
            "attest: the attestations contract refused: schema not found"
        );
        assert!(!e.is_transient());
        let answered: Result<Result<u32, attestations::Error>, ChainError> = Ok(Ok(7));
        assert_eq!(answered.or_refused("attest").ok(), Some(7));
        let down: Result<Result<u32, attestations::Error>, ChainError> =
            Err(ChainError::Connection("gone".into()));
        assert!(down.or_refused("attest").expect_err("down").is_transient());
    }
}
