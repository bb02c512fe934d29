//! # Facet router
//!
//! The code a split contract's instance runs (see `gridtrust_common::facets`). A contract whose
//! messages do not fit one 32 KiB code is built as two facets over the same storage; its constructor
//! records which selectors the second facet implements and switches the instance's code to this router.
//! From then on every call enters here and is delegate-called, input and value untouched, into the
//! facet that implements its selector. The facet runs on the instance's storage with the original
//! caller, and its output (or revert) is the call's output, so callers see one contract.
//!
//! The router never writes storage: the routes are the facet constructor's, and nothing can change
//! them. It cannot be instantiated on its own.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub use self::router::{Error, Router, RouterRef};

#[ink::contract]
mod router {
    use gridtrust_common::facets::{PrimaryFacet, RouterRoutes, Selector};
    use ink::env::{call::build_call, CallFlags};

    /// Every way the router can refuse.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, scale::Encode, scale::Decode)]
    #[cfg_attr(feature = "std", derive(scale_info::TypeInfo))]
    pub enum Error {
        /// No facets are installed: the router runs only as installed by a split contract's
        /// constructor, never as an instance of its own.
        NotInstalled,
    }

    /// The facets' own root storage, which the router loads (ink! loads an instance's root on every
    /// call) but neither reads nor writes: it decodes whatever is there.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[cfg_attr(
        feature = "std",
        derive(scale_info::TypeInfo, ink::storage::traits::StorageLayout)
    )]
    pub struct HostState;

    impl scale::Encode for HostState {
        fn size_hint(&self) -> usize {
            0
        }

        fn encode_to<T: scale::Output + ?Sized>(&self, _dest: &mut T) {}
    }

    impl scale::Decode for HostState {
        fn decode<I: scale::Input>(input: &mut I) -> core::result::Result<Self, scale::Error> {
            let mut chunk = [0u8; 64];
            while let Some(left) = input.remaining_len()?.filter(|left| *left > 0) {
                let take = chunk
                    .get_mut(..left.min(64))
                    .ok_or("chunk shorter than its own length")?;
                input.read(take)?;
            }
            Ok(Self)
        }
    }

    /// A split contract's instance, as the router sees it.
    #[ink(storage)]
    pub struct Router {
        routes: RouterRoutes,
        primary: PrimaryFacet,
        host: HostState,
    }

    impl Router {
        /// Always refuses: a router comes to be only through a facet constructor switching an
        /// instance to it.
        #[ink(constructor)]
        pub fn new() -> Result<Self, Error> {
            Err(Error::NotInstalled)
        }

        /// Runs the call in the facet that implements its selector and returns that facet's output.
        /// A facet that traps makes the call trap.
        #[ink(message, payable, selector = _)]
        pub fn forward(&self) -> Result<(), Error> {
            let selector: Selector = ink::env::decode_input().map_err(|_| Error::NotInstalled)?;
            let facet = self
                .routes
                .get(selector)
                .or_else(|| self.primary.get())
                .ok_or(Error::NotInstalled)?;
            // A tail call ends this execution with the facet's output; only a failure returns here,
            // and `invoke` turns that into a trap, as the facet's own failure would have been.
            build_call::<Environment>()
                .delegate(facet)
                .call_flags(CallFlags::FORWARD_INPUT | CallFlags::TAIL_CALL)
                .invoke();
            Ok(())
        }

        /// The code hash of the facet that runs `selector`.
        #[ink(message, selector = @)]
        pub fn facet_of(&self, selector: Selector) -> Option<Hash> {
            self.routes.get(selector).or_else(|| self.primary.get())
        }
    }
}
