//! Token amounts as GridTrust's tools write and show them.

/// One token in the chain's smallest units: 12 decimals, as on contracts-node and most Substrate
/// development chains.
pub const UNIT: u128 = 1_000_000_000_000;

/// A thousandth of a token: the amounts of the long random-walk tests, small enough that thousands of
/// steps never approach a balance limit.
pub const MILLI_UNIT: u128 = UNIT / 1_000;

/// `amount` in tokens with two decimals (rounded down).
pub fn tokens(amount: u128) -> String {
    format!("{}.{:02}", amount / UNIT, amount % UNIT * 100 / UNIT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_show_as_tokens_rounded_down() {
        assert_eq!(tokens(0), "0.00");
        assert_eq!(tokens(UNIT), "1.00");
        assert_eq!(tokens(12 * UNIT + UNIT / 2 + 1), "12.50");
        assert_eq!(tokens(UNIT - 1), "0.99");
    }
}
