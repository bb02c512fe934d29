//! Transactions: nonces reserved per account, signing, sending, and following a transaction until it
//! is done: a block includes it, or a finalized one does ([`super::Finality`]).

use ink::primitives::AccountId;
use scale::Decode;
use subxt::{config::DefaultExtrinsicParamsBuilder, error::DispatchError, tx::TxStatus};

use super::{
    rpc::{connection, is_connection_error},
    wire::account_bytes,
    Config, NodeChain,
};
use crate::{
    client::{ChainError, Weight},
    events::ContractEvent,
};

pub(super) type Payload = subxt::tx::DefaultPayload<subxt::ext::scale_value::Composite<()>>;

impl NodeChain {
    /// Reserves the next nonce of `account`: the larger of what the node expects and what this client
    /// handed out last.
    pub(super) async fn next_nonce(&self, account: &AccountId) -> Result<u64, ChainError> {
        let on_chain = self
            .inner
            .rpc
            .system_account_next_index(&subxt::utils::AccountId32(*account_bytes(account)))
            .await
            .map_err(connection)?;
        let mut nonces = self.inner.nonces.lock().expect("nonce lock");
        let next = nonces.get(account).copied().unwrap_or(0).max(on_chain);
        nonces.insert(*account, next.saturating_add(1));
        Ok(next)
    }

    pub(super) fn forget_nonce(&self, account: &AccountId) {
        self.inner
            .nonces
            .lock()
            .expect("nonce lock")
            .remove(account);
    }

    /// Signs `call` as `signer`, sends it and waits until it is done; returns its events.
    ///
    /// Waiting for finality, a block that includes it and is then replaced changes nothing: the
    /// node's pool takes the transaction back and puts it in another block, or drops it (then it is
    /// [`ChainError::Rejected`] and nothing of it happened). Only a finalized block's events count.
    pub(super) fn submit(
        &self,
        call: &Payload,
        signer: &AccountId,
    ) -> Result<Included, ChainError> {
        let key = self.key(signer)?;
        self.inner.runtime.block_on(async {
            let nonce = self.next_nonce(signer).await?;
            let params = DefaultExtrinsicParamsBuilder::<Config>::new()
                .nonce(nonce)
                .build();
            let signed = self
                .inner
                .client
                .tx()
                .create_signed_offline(call, key.pair(), params)
                .map_err(|e| ChainError::Rejected(e.to_string()))?;
            let mut progress = match signed.submit_and_watch().await {
                Ok(p) => p,
                Err(e) => {
                    // It never reached the pool: the nonce is free again.
                    self.forget_nonce(signer);
                    return Err(if is_connection_error(&e) {
                        connection(e)
                    } else {
                        ChainError::Rejected(e.to_string())
                    });
                }
            };
            let wait = async {
                while let Some(status) = progress.next().await {
                    match status {
                        Err(e) if is_connection_error(&e) => {
                            return Err(ChainError::OutcomeUnknown(e.to_string()))
                        }
                        Err(e) => return Err(ChainError::Rejected(e.to_string())),
                        Ok(TxStatus::InBestBlock(_)) if self.inner.finalized => continue,
                        Ok(TxStatus::InBestBlock(block) | TxStatus::InFinalizedBlock(block)) => {
                            return match block.wait_for_success().await {
                                Ok(events) => Ok(Included::from_events(events)),
                                Err(subxt::Error::Runtime(e)) => Ok(Included::failed(e)),
                                Err(e) if is_connection_error(&e) => {
                                    Err(ChainError::OutcomeUnknown(e.to_string()))
                                }
                                Err(e) => Err(ChainError::Dispatch {
                                    reason: format!("reading the transaction's events: {e}"),
                                    debug: String::new(),
                                }),
                            };
                        }
                        Ok(TxStatus::Error { message } | TxStatus::Invalid { message }) => {
                            self.forget_nonce(signer);
                            return Err(ChainError::Rejected(message));
                        }
                        Ok(TxStatus::Dropped { message }) => {
                            self.forget_nonce(signer);
                            return Err(ChainError::Rejected(format!("dropped: {message}")));
                        }
                        Ok(_) => continue,
                    }
                }
                Err(ChainError::OutcomeUnknown(
                    "the node stopped reporting the transaction's progress".into(),
                ))
            };
            match tokio::time::timeout(self.inner.options.inclusion_timeout, wait).await {
                Ok(result) => result,
                Err(_) => Err(ChainError::OutcomeUnknown(format!(
                    "not {} within {:?}",
                    if self.inner.finalized {
                        "finalized"
                    } else {
                        "included"
                    },
                    self.inner.options.inclusion_timeout
                ))),
            }
        })
    }

    /// The fee the node asks for `call` signed by `signer`, tip excluded (`TransactionPaymentApi`).
    pub(super) fn fee_estimate(
        &self,
        call: &Payload,
        signer: &AccountId,
    ) -> Result<u128, ChainError> {
        let key = self.key(signer)?;
        // Signed with nonce 0: the fee depends on the length and weight, never on the nonce, and the
        // real nonce is reserved only when the transaction is sent.
        let signed = self
            .inner
            .client
            .tx()
            .create_signed_offline(call, key.pair(), Default::default())
            .map_err(|e| ChainError::Rejected(e.to_string()))?;
        self.block_on_read(|| signed.partial_fee_estimate())
    }

    /// Weight to offer for a call that needed `required` in the dry run.
    pub(super) fn with_margin(&self, required: Weight) -> Weight {
        let grow =
            |v: u64| v.saturating_add(v.saturating_mul(self.inner.options.gas_margin_pct) / 100);
        Weight::from_parts(grow(required.ref_time()), grow(required.proof_size()))
    }
}

/// What a block recorded for one of our extrinsics.
pub(super) struct Included {
    /// `Err` with the runtime's error when the extrinsic failed.
    pub(super) outcome: Result<(), DispatchError>,
    /// Contract events, in order.
    pub(super) contract_events: Vec<ContractEvent>,
    /// Contracts instantiated, as (deployer, contract).
    pub(super) instantiated: Vec<(AccountId, AccountId)>,
    /// Every event of the extrinsic, undecoded: only a runtime call ([`NodeChain::dispatch`])
    /// reads them as values; a contract call's events are decoded as contract events alone.
    pub(super) raw: Option<subxt::blocks::ExtrinsicEvents<Config>>,
}

impl Included {
    pub(super) fn failed(error: DispatchError) -> Self {
        Self {
            outcome: Err(error),
            contract_events: Vec::new(),
            instantiated: Vec::new(),
            raw: None,
        }
    }

    pub(super) fn from_events(events: subxt::blocks::ExtrinsicEvents<Config>) -> Self {
        let mut included = Self {
            outcome: Ok(()),
            contract_events: Vec::new(),
            instantiated: Vec::new(),
            raw: None,
        };
        for event in events.iter().flatten() {
            if event.pallet_name() != "Contracts" {
                continue;
            }
            let mut fields = event.field_bytes();
            match event.variant_name() {
                "ContractEmitted" => {
                    if let Ok((contract, data)) = <([u8; 32], Vec<u8>)>::decode(&mut fields) {
                        included.contract_events.push(ContractEvent {
                            contract: AccountId::from(contract),
                            topics: event.topics().iter().map(|t| t.0).collect(),
                            data,
                        });
                    }
                }
                "Instantiated" => {
                    if let Ok((deployer, contract)) = <([u8; 32], [u8; 32])>::decode(&mut fields) {
                        included
                            .instantiated
                            .push((AccountId::from(deployer), AccountId::from(contract)));
                    }
                }
                _ => {}
            }
        }
        included.raw = Some(events);
        included
    }

    pub(super) fn is_contract_reverted(&self) -> bool {
        match &self.outcome {
            Err(DispatchError::Module(m)) => m.details().is_ok_and(|d| {
                d.pallet.name() == "Contracts" && d.variant.name == "ContractReverted"
            }),
            _ => false,
        }
    }
}
