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

/// Decimal places of [`UNIT`].
pub const DECIMALS: u32 = 12;

/// `text` (e.g. `"12"`, `"0.5"`, `"1_000.25"`) in tokens, as the chain's smallest unit; refuses what
/// is not a non-negative decimal, has more than [`DECIMALS`] decimal places, or does not fit.
pub fn parse_tokens(text: &str) -> Result<u128, String> {
    let clean: String = text.trim().chars().filter(|c| *c != '_').collect();
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    let (whole, fraction, well_formed) = match clean.split_once('.') {
        Some((w, f)) => (w, f, digits(w) && digits(f)),
        None => (clean.as_str(), "", digits(&clean)),
    };
    if !well_formed {
        return Err(format!(
            "`{text}` is not an amount of tokens (e.g. 12 or 0.5)"
        ));
    }
    if fraction.len() > DECIMALS as usize {
        return Err(format!("`{text}` has more than {DECIMALS} decimal places"));
    }
    let too_large = || format!("`{text}` tokens is more than the chain can hold");
    let whole: u128 = whole.parse().map_err(|_| too_large())?;
    let fraction: u128 = if fraction.is_empty() {
        0
    } else {
        fraction.parse::<u128>().map_err(|_| too_large())?
            * 10u128.pow(DECIMALS - fraction.len() as u32)
    };
    whole
        .checked_mul(UNIT)
        .and_then(|w| w.checked_add(fraction))
        .ok_or_else(too_large)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_from_token_decimals() {
        assert_eq!(parse_tokens("12"), Ok(12 * UNIT));
        assert_eq!(parse_tokens("0.5"), Ok(UNIT / 2));
        assert_eq!(parse_tokens(" 1_000.000000000001 "), Ok(1_000 * UNIT + 1));
        for bad in ["", "-1", "1.", ".5", "1e3", "one", "0.0000000000001"] {
            assert!(parse_tokens(bad).is_err(), "{bad}");
        }
        assert!(parse_tokens(&u128::MAX.to_string()).is_err());
    }

    #[test]
    fn amounts_show_as_tokens_rounded_down() {
        assert_eq!(tokens(0), "0.00");
        assert_eq!(tokens(UNIT), "1.00");
        assert_eq!(tokens(12 * UNIT + UNIT / 2 + 1), "12.50");
        assert_eq!(tokens(UNIT - 1), "0.99");
    }
}
