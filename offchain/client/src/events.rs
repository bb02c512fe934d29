//! Contract events and their decoding with the contracts' own event types.

use ink::primitives::AccountId;

/// One event a contract emitted, as the chain recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractEvent {
    /// The emitting contract.
    pub contract: AccountId,
    /// Topics; for ink! 5 events topic 0 is the event's signature topic.
    pub topics: Vec<[u8; 32]>,
    /// The SCALE-encoded event.
    pub data: Vec<u8>,
}

impl ContractEvent {
    /// The event decoded as `E`, when its signature topic is `E`'s. An anonymous `E` (no signature
    /// topic) matches an event with no topics whose data decodes as `E` to the last byte: callers
    /// keep to the events of the contract that declares `E`, whose only topic-less event it must be.
    pub fn decode<E>(&self) -> Option<E>
    where
        E: ink::env::Event + scale::Decode,
    {
        match E::SIGNATURE_TOPIC {
            Some(signature) if self.topics.first() != Some(&signature) => return None,
            None if !self.topics.is_empty() => return None,
            _ => {}
        }
        let mut data = &self.data[..];
        let event = E::decode(&mut data).ok()?;
        data.is_empty().then_some(event)
    }
}

/// Every event in `events` that decodes as `E`.
pub fn decode_all<E>(events: &[ContractEvent]) -> Vec<E>
where
    E: ink::env::Event + scale::Decode,
{
    events
        .iter()
        .filter_map(ContractEvent::decode::<E>)
        .collect()
}
