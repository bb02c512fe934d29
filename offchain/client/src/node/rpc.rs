//! Talking to the node: reads and dry runs retried while the connection is down, runtime API calls,
//! and storage read at the block reads see ([`super::finality`]).

use std::time::Duration;

use ink::primitives::AccountId;
use scale::Encode;
use subxt::{dynamic::Value, error::DispatchError};

use super::{
    wire::{DryRun, DryRunError, ExecReturn, RpcWeight},
    Client, Config, NodeChain,
};
use crate::client::ChainError;

pub(super) fn connection(e: impl std::fmt::Display) -> ChainError {
    ChainError::Connection(e.to_string())
}

/// Whether a subxt error means the node could not be talked to, as opposed to it answering "no".
///
/// The reconnecting client reports every failed request as a lost connection, including the node's
/// own JSON-RPC error answers (a transaction the pool refuses, a runtime call that fails); those carry
/// jsonrpsee's `ErrorObject`, which is how they are told apart.
pub(super) fn is_connection_error(e: &subxt::Error) -> bool {
    match e {
        subxt::Error::Io(_) => true,
        subxt::Error::Rpc(rpc) => !rpc.to_string().contains("ErrorObject"),
        other => other.is_disconnected_will_reconnect(),
    }
}

impl NodeChain {
    /// Runs a read against the node, retrying for `reconnect_for` while the connection is down.
    pub(super) fn block_on_read<T, F, Fut>(&self, read: F) -> Result<T, ChainError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<T, subxt::Error>>,
    {
        self.inner.runtime.block_on(async {
            let deadline = tokio::time::Instant::now() + self.inner.options.reconnect_for;
            loop {
                match read().await {
                    Ok(v) => return Ok(v),
                    Err(e) if is_connection_error(&e) && tokio::time::Instant::now() < deadline => {
                        tokio::time::sleep(Duration::from_millis(250)).await;
                    }
                    Err(e) if is_connection_error(&e) => return Err(connection(e)),
                    Err(e) => {
                        return Err(ChainError::Dispatch {
                            reason: e.to_string(),
                            debug: String::new(),
                        })
                    }
                }
            }
        })
    }

    /// Calls runtime API `function` with SCALE-encoded `args` at the block reads see.
    pub(super) fn state_call(&self, function: &str, args: &[u8]) -> Result<Vec<u8>, ChainError> {
        self.block_on_read(|| async {
            let at = self.read_head().await?;
            self.inner
                .rpc
                .state_call(function, Some(args), Some(at))
                .await
        })
    }

    /// A runtime `DispatchError` (SCALE bytes at the front of `bytes`) by pallet and name.
    pub(super) fn dispatch_error(&self, bytes: &[u8]) -> String {
        match DispatchError::decode_from(bytes, self.inner.client.metadata()) {
            Ok(e) => e.to_string(),
            Err(_) => format!("undecodable dispatch error 0x{}", hex::encode(bytes)),
        }
    }

    /// Dry-runs a contract call as `origin`.
    pub(super) fn dry_run_call(
        &self,
        origin: &AccountId,
        contract: &AccountId,
        value: u128,
        data: &[u8],
    ) -> Result<DryRun<ExecReturn>, ChainError> {
        let args = (
            origin,
            contract,
            value,
            Option::<RpcWeight>::None,
            Option::<u128>::None,
            data,
        )
            .encode();
        let bytes = self.state_call("ContractsApi_call", &args)?;
        DryRun::decode(&bytes, ExecReturn::decode).map_err(|e| self.dry_run_error(e))
    }

    pub(super) fn dry_run_error(&self, e: DryRunError) -> ChainError {
        match e {
            DryRunError::Codec(e) => ChainError::Decode(e),
            DryRunError::Dispatch { error, debug } => ChainError::Dispatch {
                reason: self.dispatch_error(&error),
                debug,
            },
        }
    }

    /// Storage as of the block reads see. (subxt's `at_latest` is always the finalized block, which
    /// on a dev chain without instant finality would not show what was just written.)
    pub(super) async fn storage_at_head(
        &self,
    ) -> Result<subxt::storage::Storage<Config, Client>, subxt::Error> {
        let at = self.read_head().await?;
        Ok(self.inner.client.storage().at(at))
    }

    pub(super) fn storage_value(
        &self,
        pallet: &str,
        entry: &str,
        keys: Vec<Value>,
    ) -> Result<Option<Value<u32>>, ChainError> {
        self.block_on_read(|| {
            let address = subxt::dynamic::storage(pallet, entry, keys.clone());
            async move {
                let storage = self.storage_at_head().await?;
                match storage.fetch(&address).await? {
                    Some(thunk) => Ok(Some(thunk.to_value()?)),
                    None => Ok(None),
                }
            }
        })
    }

    pub(super) fn storage_exists(
        &self,
        pallet: &str,
        entry: &str,
        key: Value,
    ) -> Result<bool, ChainError> {
        let keys = vec![key];
        self.block_on_read(|| {
            let address = subxt::dynamic::storage(pallet, entry, keys.clone());
            async move {
                let storage = self.storage_at_head().await?;
                let bytes = self.inner.client.storage().address_bytes(&address)?;
                Ok(storage.fetch_raw(bytes).await?.is_some())
            }
        })
    }
}
