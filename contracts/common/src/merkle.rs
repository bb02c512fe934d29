//! Positional blake2-256 Merkle trees: the encoding contracts verify and off-chain code builds.
//!
//! Encoding (domain-separated so a leaf can never pass for a node, nor the reverse):
//! - leaf hash = `blake2_256(0x00 ‖ leaf data)`;
//! - node hash = `blake2_256(0x01 ‖ left ‖ right)`, children in position order (not sorted);
//! - a level with an odd number of nodes promotes its last node unchanged to the next level (it is not
//!   duplicated, so no two different leaf lists share a root by repeating the last leaf);
//! - the **root** commits to the number of leaves: `blake2_256(0x02 ‖ leaf count as u32 LE ‖ top)`,
//!   where `top` is the single node the levels reduce to (the leaf's hash for one leaf). Without the
//!   count, odd-node promotion would let one leaf verify at several (index, count) pairs; with it, a
//!   proof proves the leaf's index, because the path to the top fixes the index once the count is
//!   fixed. A tree has at least one leaf.
//!
//! A [`MerkleProof`] carries the leaf's index, the number of leaves and the sibling hashes from the leaf
//! upward, skipping levels where the node was promoted without a sibling.

use ink::prelude::vec::Vec;

use crate::{blake2_256, Digest};

/// Deepest tree a proof may describe (2^32 leaves); bounds a verifier's work.
pub const MAX_DEPTH: usize = 32;

const LEAF_PREFIX: u8 = 0x00;
const NODE_PREFIX: u8 = 0x01;
const ROOT_PREFIX: u8 = 0x02;

/// An inclusion proof for one leaf.
#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct MerkleProof {
    /// Position of the leaf, from 0.
    pub index: u32,
    /// Number of leaves in the tree.
    pub leaf_count: u32,
    /// Sibling hashes from the leaf level upward.
    pub siblings: Vec<Digest>,
}

/// The hash of a leaf whose data is `data`.
pub fn leaf_hash(data: &[u8]) -> Digest {
    let mut buf = Vec::with_capacity(data.len().saturating_add(1));
    buf.push(LEAF_PREFIX);
    buf.extend_from_slice(data);
    blake2_256(&buf)
}

/// The hash of an inner node with children `left` and `right`.
pub fn node_hash(left: &Digest, right: &Digest) -> Digest {
    let mut buf = [0u8; 65];
    buf[0] = NODE_PREFIX;
    buf[1..33].copy_from_slice(left);
    buf[33..].copy_from_slice(right);
    blake2_256(&buf)
}

fn next_level(level: &[Digest]) -> Vec<Digest> {
    level
        .chunks(2)
        .map(|pair| match pair {
            [left, right] => node_hash(left, right),
            [single] => *single,
            _ => unreachable!("chunks(2) yields one or two items"),
        })
        .collect()
}

/// The root of a `leaf_count`-leaf tree whose levels reduce to `top`.
fn counted_root(leaf_count: u32, top: &Digest) -> Digest {
    let mut buf = [0u8; 37];
    buf[0] = ROOT_PREFIX;
    buf[1..5].copy_from_slice(&leaf_count.to_le_bytes());
    buf[5..].copy_from_slice(top);
    blake2_256(&buf)
}

/// The root over leaf hashes `leaves`, or `None` for an empty list or more than `u32::MAX` leaves.
pub fn root(leaves: &[Digest]) -> Option<Digest> {
    let count = u32::try_from(leaves.len()).ok()?;
    let mut level = leaves.to_vec();
    while level.len() > 1 {
        level = next_level(&level);
    }
    level.first().map(|top| counted_root(count, top))
}

/// The proof that leaf `index` of `leaves` is in their tree, or `None` when out of range.
pub fn proof(leaves: &[Digest], index: usize) -> Option<MerkleProof> {
    if index >= leaves.len() {
        return None;
    }
    let mut siblings = Vec::new();
    let mut level = leaves.to_vec();
    let mut pos = index;
    while level.len() > 1 {
        let sibling = pos ^ 1;
        if let Some(hash) = level.get(sibling) {
            siblings.push(*hash);
        }
        level = next_level(&level);
        pos /= 2;
    }
    Some(MerkleProof {
        index: u32::try_from(index).ok()?,
        leaf_count: u32::try_from(leaves.len()).ok()?,
        siblings,
    })
}

/// Whether `leaf` (a leaf hash) sits at `proof.index` of a `proof.leaf_count`-leaf tree with `root`.
///
/// Never panics on any input: a malformed proof (index out of range, too many or too few siblings,
/// too deep) is simply `false`.
pub fn verify(root: &Digest, leaf: &Digest, proof: &MerkleProof) -> bool {
    if proof.index >= proof.leaf_count || proof.siblings.len() > MAX_DEPTH {
        return false;
    }
    let mut hash = *leaf;
    let mut pos = proof.index;
    let mut width = proof.leaf_count;
    let mut siblings = proof.siblings.iter();
    while width > 1 {
        let is_right = pos % 2 == 1;
        let has_sibling = is_right || pos.saturating_add(1) < width;
        if has_sibling {
            let Some(sibling) = siblings.next() else {
                return false;
            };
            hash = if is_right {
                node_hash(sibling, &hash)
            } else {
                node_hash(&hash, sibling)
            };
        }
        pos /= 2;
        width = width.div_ceil(2);
    }
    siblings.next().is_none() && counted_root(proof.leaf_count, &hash) == *root
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(n: usize) -> Vec<Digest> {
        (0..n)
            .map(|i| leaf_hash(&(i as u64).to_le_bytes()))
            .collect()
    }

    #[test]
    fn every_leaf_of_every_small_tree_proves() {
        for n in 1..=17 {
            let ls = leaves(n);
            let r = root(&ls).unwrap();
            for i in 0..n {
                let p = proof(&ls, i).unwrap();
                assert!(verify(&r, &ls[i], &p), "n={n} i={i}");
            }
        }
    }

    #[test]
    fn hand_computed_three_leaf_root() {
        let ls = leaves(3);
        // Level 1: H(l0,l1), l2 promoted; root: H(H(l0,l1), l2).
        let top = node_hash(&node_hash(&ls[0], &ls[1]), &ls[2]);
        assert_eq!(root(&ls), Some(counted_root(3, &top)));
        assert_eq!(root(&ls[..1]), Some(counted_root(1, &ls[0])));
        assert_eq!(root(&[]), None);
    }

    #[test]
    fn forged_proofs_fail() {
        let ls = leaves(6);
        let r = root(&ls).unwrap();
        let p = proof(&ls, 2).unwrap();
        // Wrong leaf.
        assert!(!verify(&r, &ls[3], &p));
        // Wrong index: positional encoding binds the position.
        assert!(!verify(
            &r,
            &ls[2],
            &MerkleProof {
                index: 3,
                ..p.clone()
            }
        ));
        // Tampered sibling.
        let mut bad = p.clone();
        bad.siblings[0][0] ^= 1;
        assert!(!verify(&r, &ls[2], &bad));
        // Extra or missing siblings.
        let mut long = p.clone();
        long.siblings.push([0; 32]);
        assert!(!verify(&r, &ls[2], &long));
        let mut short = p.clone();
        short.siblings.pop();
        assert!(!verify(&r, &ls[2], &short));
        // Index out of range.
        assert!(!verify(&r, &ls[2], &MerkleProof { index: 6, ..p }));
    }

    #[test]
    fn a_promoted_leaf_proves_only_its_own_index_and_count() {
        // In a 5-leaf tree leaf 4 is promoted twice, then paired with the node over leaves 0..=3:
        // without the count in the root, the same sibling would prove it as leaf 1 of 2.
        let ls = leaves(5);
        let r = root(&ls).unwrap();
        let p = proof(&ls, 4).unwrap();
        assert!(verify(&r, &ls[4], &p));
        assert_eq!(p.siblings.len(), 1);
        let as_pair = MerkleProof {
            index: 1,
            leaf_count: 2,
            siblings: p.siblings.clone(),
        };
        assert!(!verify(&r, &ls[4], &as_pair));
        let as_triple = MerkleProof {
            index: 2,
            leaf_count: 3,
            siblings: p.siblings,
        };
        assert!(!verify(&r, &ls[4], &as_triple));
    }

    #[test]
    fn a_leaf_cannot_pass_for_a_node() {
        let ls = leaves(2);
        let r = root(&ls).unwrap();
        let mut inner = Vec::new();
        inner.extend_from_slice(&ls[0]);
        inner.extend_from_slice(&ls[1]);
        let fake_leaf = leaf_hash(&inner);
        let p = MerkleProof {
            index: 0,
            leaf_count: 1,
            siblings: Vec::new(),
        };
        assert!(!verify(&r, &fake_leaf, &p));
    }
}
