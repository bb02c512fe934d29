//! Lengths of time in milliseconds, the unit of the chain's clock (`block_timestamp`) and of every
//! time in the contracts' messages, events and the oracle's data.

/// One minute.
pub const MINUTE_MS: u64 = 60_000;
/// One hour.
pub const HOUR_MS: u64 = 60 * MINUTE_MS;
/// One day (a UTC day: the chain's clock has no time zones).
pub const DAY_MS: u64 = 24 * HOUR_MS;
