//! Call data from the contract crates' own builders.
//!
//! A contract crate depended on with `ink-as-dependency` exposes `XRef::new(..)` (a create builder) and,
//! through [`call_builder`], one method per message returning a call builder. [`Constructor`] and
//! [`Message`] take those builders and keep just the SCALE-encoded selector and arguments, plus the
//! message's return type so the answer decodes into the contract's own type.

use std::marker::PhantomData;

use ink::env::{
    call::{
        utils::{ReturnType, Set, Unset},
        Call, CallBuilder, CreateBuilder, ExecutionInput, FromAccountId,
    },
    DefaultEnvironment,
};
use scale::Encode;

type Env = DefaultEnvironment;

/// Call data for a constructor.
#[derive(Debug, Clone)]
pub struct Constructor {
    /// Selector followed by the encoded arguments.
    pub data: Vec<u8>,
}

/// A contract's constructor call as `XRef::new(..)` returns it: input set, chain details still open.
type ConstructorBuilder<C, L, A, R> = CreateBuilder<
    Env,
    C,
    Unset<ink::primitives::Hash>,
    Set<L>,
    Unset<u128>,
    Set<ExecutionInput<A>>,
    Unset<ink::env::call::state::Salt>,
    Set<ReturnType<R>>,
>;

impl<C, L, A, R> From<ConstructorBuilder<C, L, A, R>> for Constructor
where
    A: Encode,
{
    fn from(builder: ConstructorBuilder<C, L, A, R>) -> Self {
        // Code hash, endowment and salt are the chain client's business; only the input matters here.
        let params = builder
            .code_hash(Default::default())
            .endowment(0)
            .salt_bytes(Vec::<u8>::new())
            .params();
        Self {
            data: params.exec_input().encode(),
        }
    }
}

/// Call data for a message whose answer decodes as `R` (the message's declared return type).
#[derive(Debug)]
pub struct Message<R> {
    /// Selector followed by the encoded arguments.
    pub data: Vec<u8>,
    _answer: PhantomData<fn() -> R>,
}

impl<R> Clone for Message<R> {
    fn clone(&self) -> Self {
        Self {
            data: self.data.clone(),
            _answer: PhantomData,
        }
    }
}

/// A message call as a contract's call builder returns it (the builder knows its contract).
pub type MessageBuilder<A, R> =
    CallBuilder<Env, Set<Call<Env>>, Set<ExecutionInput<A>>, Set<ReturnType<R>>>;

impl<A, R> From<MessageBuilder<A, R>> for Message<R>
where
    A: Encode,
{
    fn from(builder: MessageBuilder<A, R>) -> Self {
        addressed(builder).1
    }
}

/// The contract `builder` addresses and its message, so a caller that made the builder from a
/// contract's address does not have to name the address again.
pub fn addressed<A: Encode, R>(
    builder: MessageBuilder<A, R>,
) -> (ink::primitives::AccountId, Message<R>) {
    let params = builder.params();
    let message = Message {
        data: params.exec_input().encode(),
        _answer: PhantomData,
    };
    (*params.callee(), message)
}

/// The call builder of contract `C` (its storage type, e.g. `attestations::Attestations`) at `address`:
/// each of its methods returns a call builder that converts into a [`Message`].
pub fn call_builder<C>(
    address: ink::primitives::AccountId,
) -> <C as ink::codegen::ContractCallBuilder>::Type
where
    C: ink::codegen::ContractCallBuilder,
    <C as ink::codegen::ContractCallBuilder>::Type: FromAccountId<Env>,
{
    <<C as ink::codegen::ContractCallBuilder>::Type as FromAccountId<Env>>::from_account_id(address)
}
