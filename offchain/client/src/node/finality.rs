//! When a transaction counts as done, and which block reads see.
//!
//! On a chain with several block authors, two of them can build on the same parent and the chain
//! follows one fork: a block is only certain once GRANDPA finalized it. A payout or a vote counted
//! on a best block that is then replaced would be counted and lost. So on such a chain a transaction
//! is done once a *finalized* block includes it, and reads and dry runs see the last finalized block:
//! what the client acts on is then never undone. A one-author dev chain never replaces a block, and
//! there the best block is used.

use std::str::FromStr;

use scale::{Compact, Decode};
use subxt::utils::H256;

use super::NodeChain;
use crate::client::ChainError;

/// When a transaction counts as done, and which block reads and dry runs see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Finality {
    /// Decided on connecting: [`Finality::Finalized`] when the chain has more than one block author,
    /// else [`Finality::BestBlock`].
    #[default]
    Auto,
    /// Done once a block includes it; reads see the best block. For one-author (dev) chains.
    BestBlock,
    /// Done once a finalized block includes it; reads see the last finalized block.
    Finalized,
}

impl FromStr for Finality {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(Self::Auto),
            "best" => Ok(Self::BestBlock),
            "finalized" => Ok(Self::Finalized),
            other => Err(format!(
                "unknown finality `{other}`: expected auto, best or finalized"
            )),
        }
    }
}

/// A block the client read at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockRef {
    /// Its number.
    pub number: u64,
    /// Its hash.
    pub hash: [u8; 32],
    /// Whether it was finalized when read.
    pub finalized: bool,
}

impl std::fmt::Display for BlockRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hash = hex::encode(self.hash);
        write!(
            f,
            "block #{} (0x{}…{}, {})",
            self.number,
            &hash[..8],
            &hash[56..],
            if self.finalized { "finalized" } else { "best" }
        )
    }
}

/// Where a node is: its heads and how many peers it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Heads {
    /// The best block's number.
    pub best: u64,
    /// The last finalized block's number.
    pub finalized: u64,
    /// Its hash.
    pub finalized_hash: [u8; 32],
    /// Its state root: two nodes with the same one hold the same state.
    pub finalized_state_root: [u8; 32],
    /// Peers the node is connected to.
    pub peers: u64,
    /// Whether the node is still catching up with its peers.
    pub syncing: bool,
}

/// A block of a node's canonical chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockState {
    /// Its hash.
    pub hash: [u8; 32],
    /// Its state root.
    pub state_root: [u8; 32],
}

impl NodeChain {
    /// The node's heads and peers.
    pub fn heads(&self) -> Result<Heads, ChainError> {
        self.block_on_read(|| async {
            let rpc = &self.inner.rpc;
            let health = rpc.system_health().await?;
            let best = rpc
                .chain_get_header(None)
                .await?
                .ok_or_else(|| subxt::Error::Other("the node has no best block".into()))?;
            let finalized_hash = rpc.chain_get_finalized_head().await?;
            let finalized = rpc
                .chain_get_header(Some(finalized_hash))
                .await?
                .ok_or_else(|| subxt::Error::Other("the node has no finalized header".into()))?;
            Ok(Heads {
                best: u64::from(best.number),
                finalized: u64::from(finalized.number),
                finalized_hash: finalized_hash.0,
                finalized_state_root: finalized.state_root.0,
                peers: health.peers as u64,
                syncing: health.is_syncing,
            })
        })
    }

    /// The hash and state root of the block the node's canonical chain has at `number`, if it has
    /// one: nodes agree on a finalized block when they answer the same for its number.
    pub fn block_at(&self, number: u64) -> Result<Option<BlockState>, ChainError> {
        self.block_on_read(|| async {
            let rpc = &self.inner.rpc;
            let Some(hash) = rpc.chain_get_block_hash(Some(number.into())).await? else {
                return Ok(None);
            };
            let header = rpc.chain_get_header(Some(hash)).await?;
            Ok(header.map(|h| BlockState {
                hash: hash.0,
                state_root: h.state_root.0,
            }))
        })
    }

    /// Whether transactions wait for finality and reads see the finalized head.
    pub fn waits_for_finality(&self) -> bool {
        self.inner.finalized
    }

    /// The block the last read or dry run saw, if there was one.
    pub fn last_read(&self) -> Result<Option<BlockRef>, ChainError> {
        let Some(hash) = *self.inner.last_read.lock().expect("last read lock") else {
            return Ok(None);
        };
        let number = self.block_on_read(|| async {
            let header = self
                .inner
                .rpc
                .chain_get_header(Some(hash))
                .await?
                .ok_or_else(|| subxt::Error::Other(format!("the node forgot block {hash:?}")))?;
            Ok(u64::from(header.number))
        })?;
        Ok(Some(BlockRef {
            number,
            hash: hash.0,
            finalized: self.inner.finalized,
        }))
    }

    /// Makes every read until [`NodeChain::unpin_reads`] see the block reads see now, so that what a
    /// command shows is one block's state; returns that block. Contract calls are dry-run at that
    /// block too, so pin only around reads.
    pub fn pin_reads(&self) -> Result<BlockRef, ChainError> {
        self.unpin_reads();
        let hash = self.block_on_read(|| self.read_head())?;
        *self.inner.pinned.lock().expect("pinned lock") = Some(hash);
        Ok(self.last_read()?.expect("a block was just read"))
    }

    /// Reads see the newest block again.
    pub fn unpin_reads(&self) {
        *self.inner.pinned.lock().expect("pinned lock") = None;
    }

    /// The block reads and dry runs see now, remembered for [`NodeChain::last_read`].
    pub(super) async fn read_head(&self) -> Result<H256, subxt::Error> {
        let pinned = *self.inner.pinned.lock().expect("pinned lock");
        if let Some(hash) = pinned {
            *self.inner.last_read.lock().expect("last read lock") = Some(hash);
            return Ok(hash);
        }
        let hash = if self.inner.finalized {
            self.inner.rpc.chain_get_finalized_head().await?
        } else {
            self.inner
                .rpc
                .chain_get_block_hash(None)
                .await?
                .ok_or_else(|| subxt::Error::Other("the node has no best block".into()))?
        };
        *self.inner.last_read.lock().expect("last read lock") = Some(hash);
        Ok(hash)
    }
}

/// Whether `finality` means waiting for finalized blocks on a chain with `authors` block authors.
pub(super) fn waits(finality: Finality, authors: Option<u32>) -> bool {
    match finality {
        Finality::BestBlock => false,
        Finality::Finalized => true,
        // A chain without Aura (contracts-node's dev chain) has one sealer.
        Finality::Auto => authors.is_some_and(|n| n > 1),
    }
}

/// The number of block authors in `Aura.Authorities`' raw value (a SCALE vector).
pub(super) fn authority_count(raw: &[u8]) -> Result<u32, scale::Error> {
    Compact::<u32>::decode(&mut &raw[..]).map(|c| c.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_waits_only_for_several_authors() {
        assert!(!waits(Finality::Auto, None));
        assert!(!waits(Finality::Auto, Some(1)));
        assert!(waits(Finality::Auto, Some(4)));
        assert!(waits(Finality::Finalized, Some(1)));
        assert!(!waits(Finality::BestBlock, Some(4)));
    }

    #[test]
    fn counts_the_authorities_of_a_scale_vector() {
        let four = scale::Encode::encode(&vec![[7u8; 32]; 4]);
        assert_eq!(authority_count(&four).unwrap(), 4);
        assert!(authority_count(&[]).is_err());
    }

    #[test]
    fn finality_names_parse() {
        assert_eq!("finalized".parse::<Finality>(), Ok(Finality::Finalized));
        assert!("final"
            .parse::<Finality>()
            .unwrap_err()
            .contains("auto, best or finalized"));
    }
}
