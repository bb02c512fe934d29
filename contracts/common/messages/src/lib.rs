//! `#[shared_messages(..)]`: the impls of `gridtrust-common`'s message traits, written once.
//!
//! ink! 5 dispatches only messages written inside `#[ink::contract]`, and its trait definitions take no
//! default bodies, so every contract that keeps an `Ownership`, a `Committee`, an `Owed` or
//! `MeterHolders` had to spell out the same forwarding impls. This attribute goes *above*
//! `#[ink::contract]`, runs before it and writes those impls into the module, so ink! sees them as if
//! they were typed there: same selectors, same labels, same metadata.
//!
//! ```ignore
//! #[gridtrust_messages::shared_messages(Owned, Oracle, OwedPayments)]
//! #[ink::contract]
//! mod my_contract { /* storage with `owner`, `committee` and `owed` fields */ }
//! ```
//!
//! Each trait forwards to a storage field of a fixed name; a missing field is a compile error that
//! names it:
//!
//! | trait | fields |
//! |---|---|
//! | `Owned` | `owner: Ownership` |
//! | `Oracle` | `committee: Committee` |
//! | `OwedPayments` | `owed: Owed` |
//! | `MeterHolderSettings` | `meter_holders: MeterHolders`, `owner: Ownership` (the setter is owner only) |
//!
//! Each written message carries the documentation of its trait's message, read from the trait
//! definitions in `contracts/common` when the attribute runs: ink! puts into the metadata the docs of
//! the impl, not of the trait, so without this the shared messages would be undocumented in every
//! contract's metadata (what Contracts UI and polkadot.js show). A message the trait does not define,
//! or defines without docs, is a compile error.
//!
//! The impls name their types as the contract module imports them (`AccountId`, `Vec`, `Digest`,
//! `AccessError`, …), not by full path: ink! writes a type's path as written into the metadata, and
//! clients know these names. The impls go right after the `#[ink(storage)]` struct, in the order the
//! attribute lists them, which is the order of the messages in the metadata.

use proc_macro::TokenStream;
use proc_macro2::TokenStream as Tokens;
use quote::quote;
use syn::{
    parse_macro_input, punctuated::Punctuated, spanned::Spanned, Attribute, Fields, Ident,
    ImplItem, Item, ItemMod, Token, TraitItem,
};

/// What the attribute writes for one trait.
struct Shared {
    /// The storage fields the impl forwards to.
    fields: &'static [&'static str],
    /// The `contracts/common` source that defines the trait, read for its messages' docs.
    definition: &'static str,
    /// The impl for the contract's storage struct.
    body: Tokens,
}

/// See the crate documentation.
#[proc_macro_attribute]
pub fn shared_messages(args: TokenStream, item: TokenStream) -> TokenStream {
    let traits = parse_macro_input!(args with Punctuated::<Ident, Token![,]>::parse_terminated);
    let module = parse_macro_input!(item as ItemMod);
    match write_impls(traits.into_iter().collect(), module) {
        Ok(module) => quote!(#module).into(),
        Err(error) => error.to_compile_error().into(),
    }
}

fn write_impls(traits: Vec<Ident>, mut module: ItemMod) -> syn::Result<ItemMod> {
    let Some((_, items)) = module.content.as_mut() else {
        return Err(syn::Error::new(
            module.span(),
            "shared_messages needs an inline module: `mod name { .. }`",
        ));
    };
    let (at, storage) = items
        .iter()
        .enumerate()
        .find_map(|(at, item)| match item {
            Item::Struct(s) if s.attrs.iter().any(is_ink_storage) => Some((at, s)),
            _ => None,
        })
        .ok_or_else(|| {
            syn::Error::new(
                module.ident.span(),
                "shared_messages found no `#[ink(storage)]` struct in this module",
            )
        })?;
    let fields: Vec<String> = match &storage.fields {
        Fields::Named(named) => named
            .named
            .iter()
            .filter_map(|f| f.ident.as_ref().map(Ident::to_string))
            .collect(),
        _ => Vec::new(),
    };
    let name = storage.ident.clone();
    let mut impls = Vec::with_capacity(traits.len());
    for trait_name in &traits {
        let shared = trait_impl(trait_name, &name)?;
        if let Some(missing) = shared
            .fields
            .iter()
            .find(|f| !fields.iter().any(|have| have == *f))
        {
            return Err(syn::Error::new(
                trait_name.span(),
                format!(
                    "`{trait_name}` forwards to a storage field `{missing}`, which `{name}` lacks"
                ),
            ));
        }
        let mut written = syn::parse2::<syn::ItemImpl>(shared.body)?;
        document(trait_name, shared.definition, &mut written)?;
        impls.push(Item::Impl(written));
    }
    let after = at.saturating_add(1);
    items.splice(after..after, impls);
    Ok(module)
}

/// Gives each message of `written` the docs of `trait_name`'s message of the same name, as `source`
/// defines it.
fn document(trait_name: &Ident, source: &str, written: &mut syn::ItemImpl) -> syn::Result<()> {
    let definition = syn::parse_file(source)?
        .items
        .into_iter()
        .find_map(|item| match item {
            Item::Trait(t) if t.ident == *trait_name => Some(t),
            _ => None,
        })
        .ok_or_else(|| {
            syn::Error::new(
                trait_name.span(),
                format!("no trait `{trait_name}` in contracts/common"),
            )
        })?;
    for item in &mut written.items {
        let ImplItem::Fn(message) = item else {
            continue;
        };
        let docs: Vec<Attribute> = definition
            .items
            .iter()
            .find_map(|t| match t {
                TraitItem::Fn(f) if f.sig.ident == message.sig.ident => Some(&f.attrs),
                _ => None,
            })
            .into_iter()
            .flatten()
            .filter(|attr| attr.path().is_ident("doc"))
            .cloned()
            .collect();
        if docs.is_empty() {
            return Err(syn::Error::new(
                trait_name.span(),
                format!(
                    "`{trait_name}` defines no documented message `{}`",
                    message.sig.ident
                ),
            ));
        }
        message.attrs.splice(0..0, docs);
    }
    Ok(())
}

fn is_ink_storage(attr: &syn::Attribute) -> bool {
    attr.path().is_ident("ink") && attr.parse_args::<Ident>().is_ok_and(|arg| arg == "storage")
}

/// What the attribute writes for `trait_name` into the contract whose storage struct is `name`.
fn trait_impl(trait_name: &Ident, name: &Ident) -> syn::Result<Shared> {
    Ok(match trait_name.to_string().as_str() {
        "Owned" => Shared {
            fields: &["owner"],
            definition: include_str!("../../src/access.rs"),
            body: quote! {
                impl Owned for #name {
                    #[ink(message)]
                    fn owner(&self) -> AccountId {
                        self.owner.owner()
                    }

                    #[ink(message)]
                    fn pending_owner(&self) -> Option<AccountId> {
                        self.owner.pending()
                    }

                    #[ink(message)]
                    fn propose_owner(&mut self, new_owner: AccountId) -> core::result::Result<(), AccessError> {
                        self.owner.propose(self.env().caller(), new_owner)
                    }

                    #[ink(message)]
                    fn accept_ownership(&mut self) -> core::result::Result<(), AccessError> {
                        self.owner.accept(self.env().caller())
                    }
                }
            },
        },
        "Oracle" => Shared {
            fields: &["committee"],
            definition: include_str!("../../src/committee.rs"),
            body: quote! {
                impl Oracle for #name {
                    #[ink(message)]
                    fn committee(&self) -> (Vec<AccountId>, u32) {
                        (self.committee.members(), self.committee.threshold())
                    }

                    #[ink(message)]
                    fn report_finalized(&self, id: ReportId) -> Option<Digest> {
                        self.committee.finalized(id)
                    }

                    #[ink(message)]
                    fn propose_committee(
                        &mut self,
                        members: Vec<AccountId>,
                        threshold: u32,
                    ) -> core::result::Result<VoteOutcome, CommitteeError> {
                        self.committee.propose(self.env().caller(), members, threshold)
                    }

                    #[ink(message)]
                    fn heartbeat(&mut self) -> core::result::Result<(), CommitteeError> {
                        self.committee.heartbeat(self.env().caller())
                    }

                    #[ink(message)]
                    fn last_heard(&self) -> Vec<(AccountId, Timestamp)> {
                        self.committee.last_heard()
                    }

                    #[ink(message)]
                    fn ballots(&self, id: ReportId) -> Vec<(AccountId, Option<Digest>)> {
                        self.committee.ballots(id)
                    }
                }
            },
        },
        "OwedPayments" => Shared {
            fields: &["owed"],
            definition: include_str!("../../src/owed.rs"),
            body: quote! {
                impl OwedPayments for #name {
                    #[ink(message)]
                    fn owed_to(&self, payee: AccountId) -> Balance {
                        self.owed.of(payee)
                    }

                    #[ink(message)]
                    fn claim_owed(&mut self) -> core::result::Result<Balance, OwedError> {
                        self.owed.claim(self.env().caller())
                    }
                }
            },
        },
        "MeterHolderSettings" => Shared {
            fields: &["meter_holders", "owner"],
            definition: include_str!("../../src/meter_holders.rs"),
            body: quote! {
                impl MeterHolderSettings for #name {
                    #[ink(message)]
                    fn attestations(&self) -> (AccountId, SchemaId) {
                        self.meter_holders.get()
                    }

                    #[ink(message)]
                    fn set_attestations(
                        &mut self,
                        attestations: AccountId,
                        meter_schema: SchemaId,
                    ) -> core::result::Result<(), AccessError> {
                        self.owner.ensure_owner(self.env().caller())?;
                        self.meter_holders.set(attestations, meter_schema);
                        Ok(())
                    }
                }
            },
        },
        other => {
            return Err(syn::Error::new(
                trait_name.span(),
                format!(
                    "shared_messages writes Owned, Oracle, OwedPayments and MeterHolderSettings, not `{other}`"
                ),
            ))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module() -> ItemMod {
        syn::parse_quote! {
            mod contract {
                use something::Else;

                #[ink(storage)]
                pub struct Contract {
                    owner: Ownership,
                    owed: Owed,
                }

                impl Contract {}
            }
        }
    }

    fn names(traits: &str) -> Vec<Ident> {
        traits
            .split(", ")
            .map(|t| Ident::new(t, proc_macro2::Span::call_site()))
            .collect()
    }

    #[test]
    fn the_impls_follow_the_storage_in_the_order_named() {
        let written = write_impls(names("OwedPayments, Owned"), module()).unwrap();
        let items = written.content.unwrap().1;
        let traits: Vec<String> = items
            .iter()
            .map(|item| match item {
                Item::Impl(i) => i
                    .trait_
                    .as_ref()
                    .map_or("inherent".into(), |(_, path, _)| quote!(#path).to_string()),
                Item::Struct(_) => "storage".into(),
                _ => "other".into(),
            })
            .collect();
        assert_eq!(
            traits,
            ["other", "storage", "OwedPayments", "Owned", "inherent"]
        );
    }

    #[test]
    fn each_message_carries_its_traits_docs() {
        let written = write_impls(names("Owned"), module()).unwrap();
        let owned = written
            .content
            .unwrap()
            .1
            .into_iter()
            .find_map(|item| match item {
                Item::Impl(i) if i.trait_.is_some() => Some(i),
                _ => None,
            });
        let docs: Vec<(String, String)> = owned
            .unwrap()
            .items
            .iter()
            .filter_map(|item| match item {
                ImplItem::Fn(f) => Some((f.sig.ident.to_string(), f.attrs.first()?.clone())),
                _ => None,
            })
            .map(|(name, attr)| match attr.meta {
                syn::Meta::NameValue(doc) => (name, quote!(#doc).to_string()),
                other => (name, quote!(#other).to_string()),
            })
            .collect();
        assert_eq!(docs.len(), 4, "{docs:?}");
        assert_eq!(docs[0].0, "owner");
        assert_eq!(docs[0].1, "doc = \" The contract's owner.\"");
    }

    #[test]
    fn a_missing_field_is_named() {
        let Err(error) = write_impls(names("Owned, Oracle"), module()) else {
            panic!("a module without `committee` got an Oracle impl");
        };
        assert_eq!(
            error.to_string(),
            "`Oracle` forwards to a storage field `committee`, which `Contract` lacks"
        );
    }

    #[test]
    fn an_unknown_trait_is_refused() {
        let Err(error) = write_impls(names("Roles"), module()) else {
            panic!("an unknown trait was accepted");
        };
        assert!(error.to_string().contains("not `Roles`"), "{error}");
    }
}
