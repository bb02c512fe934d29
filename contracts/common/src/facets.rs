//! Splitting one contract's messages over two Wasm codes ("facets") behind a router.
//!
//! A contract whose surface does not fit the 32 KiB code budget is built twice from the same source:
//! each build keeps only some of its messages (cargo features select them), so each code is small, and
//! both declare the same storage. The deployed instance runs the `router` contract's code: every call
//! enters the router, which looks up the called selector and delegate-calls the facet that implements
//! it. A delegate call runs the facet's code on the instance's own storage, balance, caller and value,
//! so to its users the instance is one contract at one address with one storage.
//!
//! How an instance comes to be:
//! 1. the three codes (router, primary facet, secondary facet) are uploaded;
//! 2. the primary facet's constructor runs as usual (it writes the storage), and before it returns it
//!    calls [`install`]: it records which selectors the secondary facet implements, switches the
//!    instance's code to the router and locks both facets' codes, so nobody can remove them while the
//!    instance lives.
//!
//! The routes are written once, in the constructor, and no message changes them: the split is not an
//! upgrade mechanism. [`RouterRoutes`] and [`PrimaryFacet`] are the storage both the router and the
//! facets' constructors use; their keys are fixed here so the two sides cannot disagree.
use ink::{
    env::DefaultEnvironment,
    primitives::Hash,
    storage::{traits::ManualKey, Lazy, Mapping},
};

/// A message selector: the first four bytes of a call's input.
pub type Selector = [u8; 4];

/// Storage key of the route table (`"GTr1"`). ink! derives the split contracts' own keys by hashing
/// field names; the facet tests check that none of them is one of these two.
const ROUTES_KEY: u32 = 0x4754_7231;
/// Storage key of the primary facet's code hash (`"GTr0"`).
const PRIMARY_KEY: u32 = 0x4754_7230;

/// Selector → code hash of the facet that runs it, for every selector not run by the primary facet.
pub type RouterRoutes = Mapping<Selector, Hash, ManualKey<ROUTES_KEY>>;
/// Code hash of the facet that runs every selector without a route.
pub type PrimaryFacet = Lazy<Hash, ManualKey<PRIMARY_KEY>>;

/// The codes a split contract is made of, as its constructor receives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo))]
pub struct FacetCodes {
    /// The router's code, which the instance runs once constructed.
    pub router: Hash,
    /// The facet that runs every message the other one does not.
    pub primary: Hash,
    /// The facet that runs the messages its contract lists as secondary.
    pub secondary: Hash,
}

/// The instance being constructed now runs the router over these facets (emitted by [`install`]).
#[ink::event]
#[derive(Debug)]
pub struct FacetsInstalled {
    /// The router's code, which the instance runs.
    pub router: Hash,
    /// The facet that runs every selector without a route.
    pub primary: Hash,
    /// The facet that runs the routed selectors.
    pub secondary: Hash,
    /// How many selectors are routed to the secondary facet.
    pub routed: u32,
}

/// Why [`install`] refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, scale::Encode, scale::Decode)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo))]
pub enum FacetError {
    /// Two of the three code hashes are the same.
    DuplicateCode,
    /// A code hash is not on chain.
    UnknownCode,
}

/// Routes `secondary_messages` to `codes.secondary` and everything else to `codes.primary`, then turns
/// the instance being constructed into a router over them. Call it last in the constructor.
pub fn install(codes: &FacetCodes, secondary_messages: &[Selector]) -> Result<(), FacetError> {
    if codes.router == codes.primary
        || codes.router == codes.secondary
        || codes.primary == codes.secondary
    {
        return Err(FacetError::DuplicateCode);
    }
    // pallet-contracts has no "does this code exist" query and `lock_delegate_dependency` traps on an
    // unknown hash; `set_code_hash` reports it as an error instead. Switching to each code in turn
    // checks all three, and the last switch (to the router) is the one that stays.
    for code in [&codes.secondary, &codes.primary, &codes.router] {
        ink::env::set_code_hash::<DefaultEnvironment>(code).map_err(|_| FacetError::UnknownCode)?;
    }
    ink::env::lock_delegate_dependency::<DefaultEnvironment>(&codes.primary);
    ink::env::lock_delegate_dependency::<DefaultEnvironment>(&codes.secondary);

    let mut routes = RouterRoutes::new();
    for selector in secondary_messages {
        routes.insert(selector, &codes.secondary);
    }
    let mut primary = PrimaryFacet::new();
    primary.set(&codes.primary);
    ink::env::emit_event::<DefaultEnvironment, _>(FacetsInstalled {
        router: codes.router,
        primary: codes.primary,
        secondary: codes.secondary,
        routed: u32::try_from(secondary_messages.len()).unwrap_or(u32::MAX),
    });
    Ok(())
}
