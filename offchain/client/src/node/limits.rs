//! What one block of the chain can hold, from the runtime's own constants (`System::BlockWeights`,
//! `System::BlockLength`) as its metadata carries them: the figures batch sizes and per-block
//! throughputs must be measured against, rather than a development chain's assumed values.

use scale::Decode;

use super::{wire::RpcWeight, NodeChain};
use crate::client::{ChainError, Weight};

/// What the normal dispatch class (every signed transaction) may use of one block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockLimits {
    /// All normal transactions of one block together: ref_time and proof size.
    pub normal_total: Weight,
    /// One normal transaction at most.
    pub max_extrinsic: Weight,
    /// Bytes of normal transactions in one block.
    pub normal_length: u32,
}

/// `frame_system::limits::WeightsPerClass`.
#[derive(Decode)]
struct PerClass {
    _base_extrinsic: RpcWeight,
    max_extrinsic: Option<RpcWeight>,
    max_total: Option<RpcWeight>,
    _reserved: Option<RpcWeight>,
}

/// `frame_system::limits::BlockWeights`; the classes are normal, operational, mandatory.
#[derive(Decode)]
struct BlockWeights {
    _base_block: RpcWeight,
    max_block: RpcWeight,
    normal: PerClass,
    _operational: PerClass,
    _mandatory: PerClass,
}

/// `frame_system::limits::BlockLength`: bytes per class.
#[derive(Decode)]
struct BlockLength {
    normal: u32,
    _operational: u32,
    _mandatory: u32,
}

fn weight(w: RpcWeight) -> Weight {
    Weight::from_parts(w.ref_time, w.proof_size)
}

impl NodeChain {
    /// The chain's block limits for normal transactions, read from its runtime metadata. A class
    /// without its own limit is bounded by the whole block.
    pub fn block_limits(&self) -> Result<BlockLimits, ChainError> {
        let metadata = self.inner.client.metadata();
        let constant = |name: &str| {
            metadata
                .pallet_by_name("System")
                .and_then(|p| p.constant_by_name(name))
                .map(|c| c.value().to_vec())
                .ok_or_else(|| {
                    ChainError::Unsupported(format!("the runtime has no System::{name} constant"))
                })
        };
        let weights = BlockWeights::decode(&mut &constant("BlockWeights")?[..])?;
        let length = BlockLength::decode(&mut &constant("BlockLength")?[..])?;
        let block = weight(weights.max_block);
        Ok(BlockLimits {
            normal_total: weights.normal.max_total.map_or(block, weight),
            max_extrinsic: weights.normal.max_extrinsic.map_or(block, weight),
            normal_length: length.normal,
        })
    }
}
