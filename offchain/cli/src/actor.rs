//! One account acting on a deployment: the chain, where the contracts are and who signs, held
//! together once so that each role's actions (in `customer`, `insurer`, `utility`, `lodging`) take
//! only what the action itself is about. The same actions run on the sandbox in tests and against a
//! node from the command line, because an [`Actor`] works over any [`Chain`].

use gridtrust_chain::{
    encode::{addressed, call_builder, MessageBuilder},
    AccountId, Answer, CallError, Chain, ContractError, Contracts,
};
use scale::{Decode, Encode};

/// A contract's call builder: one method per message, each returning a [`MessageBuilder`].
pub(crate) type Api<C> = <C as ink::codegen::ContractCallBuilder>::Type;

/// An account acting on a deployment's contracts over a chain.
pub struct Actor<'a, C> {
    /// The chain the contracts live on.
    pub(crate) chain: &'a mut C,
    /// Where the contracts are.
    pub(crate) contracts: &'a Contracts,
    /// Who signs the calls and asks the queries.
    pub(crate) who: AccountId,
}

impl<'a, C: Chain> Actor<'a, C> {
    /// `who` acting on `contracts` over `chain`.
    pub fn new(chain: &'a mut C, contracts: &'a Contracts, who: AccountId) -> Self {
        Self {
            chain,
            contracts,
            who,
        }
    }

    /// Sends `message` with `value` attached; a refusal is the contract's typed error, said to come
    /// from `name` (the message as the contract names it).
    pub(crate) fn send<A, T, E>(
        &mut self,
        name: &'static str,
        message: MessageBuilder<A, Result<T, E>>,
        value: u128,
    ) -> Result<T, CallError>
    where
        A: Encode,
        Result<T, E>: Decode,
        E: Into<ContractError>,
    {
        let (contract, message) = addressed(message);
        self.chain
            .call(&contract, message, &self.who, value)
            .or_refused(name)
    }

    /// Asks the read-only `message`; nothing is signed or paid.
    pub(crate) fn ask<A: Encode, R: Decode>(
        &mut self,
        message: MessageBuilder<A, R>,
    ) -> Result<R, CallError> {
        let (contract, message) = addressed(message);
        Ok(self.chain.query(&contract, message, &self.who)?)
    }

    /// Asks the read-only `message` whose answer may be the contract's refusal, said to come from
    /// `name`.
    pub(crate) fn ask_or_refused<A, T, E>(
        &mut self,
        name: &'static str,
        message: MessageBuilder<A, Result<T, E>>,
    ) -> Result<T, CallError>
    where
        A: Encode,
        Result<T, E>: Decode,
        E: Into<ContractError>,
    {
        self.ask(message)?.map_err(|e| CallError::refused(name, e))
    }

    /// The attestations contract's messages.
    pub(crate) fn attestations(&self) -> Api<attestations::Attestations> {
        call_builder::<attestations::Attestations>(self.contracts.attestations)
    }

    /// The outage insurance contract's messages.
    pub(crate) fn insurance(&self) -> Api<outage_insurance::OutageInsurance> {
        call_builder::<outage_insurance::OutageInsurance>(self.contracts.insurance)
    }

    /// The demand-response contract's messages.
    pub(crate) fn demand(&self) -> Api<demand_response::DemandResponse> {
        call_builder::<demand_response::DemandResponse>(self.contracts.demand)
    }

    /// The reservations contract's messages, or a refusal when the deployment has no lodging part.
    pub(crate) fn reservations(&self) -> Result<Api<reservations::Reservations>, CallError> {
        let address = self.contracts.reservations.ok_or_else(|| {
            // The nearest typed answer to "no reservations contract" is "no such property".
            CallError::refused("reservations", reservations::Error::PropertyNotFound)
        })?;
        Ok(call_builder::<reservations::Reservations>(address))
    }
}
