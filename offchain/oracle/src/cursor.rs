//! Cursors kept in the store across restarts, so a round looks only at what may still need work.

use crate::store::{Store, StoreError};

/// A named cursor in the store below which every id is done for good. It passes an id only when
/// every id before it is done too, so one still pending is looked at again next round.
pub(crate) struct LowWater {
    name: &'static str,
    /// Where this round started.
    pub(crate) first: u64,
    next: u64,
}

impl LowWater {
    pub(crate) fn load(store: &Store, name: &'static str) -> Result<Self, StoreError> {
        let first = store.progress(name)?;
        Ok(Self {
            name,
            first,
            next: first,
        })
    }

    /// Id `id` is done for good.
    pub(crate) fn done(&mut self, id: u64) {
        if self.next == id {
            self.next = id + 1;
        }
    }

    /// Keeps the cursor in the store, when it moved.
    pub(crate) fn save(self, store: &mut Store) -> Result<(), StoreError> {
        if self.next != self.first {
            store.set_progress(self.name, self.next)?;
        }
        Ok(())
    }
}
