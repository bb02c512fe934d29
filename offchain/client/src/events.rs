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
    /// The event decoded as `E`, when its signature topic is `E`'s.
    pub fn decode<E>(&self) -> Option<E>
    where
        E: ink::env::Event + scale::Decode,
    {
        let signature = E::SIGNATURE_TOPIC?;
        if self.topics.first() != Some(&signature) {
            return None;
        }
        E::decode(&mut &self.data[..]).ok()
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
