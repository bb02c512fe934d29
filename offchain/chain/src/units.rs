//! Token amounts as GridTrust's tools write and show them.

/// One token in the chain's smallest units: 12 decimals, as on contracts-node and most Substrate
/// development chains.
pub const UNIT: u128 = 1_000_000_000_000;

/// A thousandth of a token: the amounts of the long random-walk tests, small enough that thousands of
/// steps never approach a balance limit.
pub const MILLI_UNIT: u128 = UNIT / 1_000;

/// Decimal places of [`UNIT`].
pub const DECIMALS: u32 = 12;

/// A chain's token as the chain declares it (`system_properties`): how many decimal places its
/// smallest unit has, and its symbol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denomination {
    /// Decimal places: one token is 10^decimals of the smallest unit.
    pub decimals: u32,
    /// The token's symbol (e.g. `UNIT` on contracts-node).
    pub symbol: String,
}

/// Most decimal places a token may have: 10^38 is the largest power of ten a `u128` holds.
const MAX_DECIMALS: u32 = 38;

impl Denomination {
    /// The token of contracts-node and the sandbox: 12 decimals ([`UNIT`]).
    pub fn dev() -> Self {
        Self {
            decimals: DECIMALS,
            symbol: "UNIT".into(),
        }
    }

    /// A chain's declared token; refuses more decimals than an amount can carry.
    pub fn new(decimals: u32, symbol: String) -> Result<Self, String> {
        if decimals > MAX_DECIMALS {
            return Err(format!(
                "the chain declares {decimals} token decimals; at most {MAX_DECIMALS} are supported"
            ));
        }
        Ok(Self { decimals, symbol })
    }

    fn one(&self) -> u128 {
        10u128.pow(self.decimals)
    }

    /// `amount` (smallest units) in tokens with two decimals, rounded down.
    pub fn show(&self, amount: u128) -> String {
        let one = self.one();
        let places = self.decimals.min(2);
        let whole = amount / one;
        if places == 0 {
            return whole.to_string();
        }
        // Scale the remainder down to `places` digits first, so nothing overflows.
        let fraction = amount % one / 10u128.pow(self.decimals - places);
        format!("{whole}.{fraction:0width$}", width = places as usize)
    }

    /// `text` (e.g. `"12"`, `"0.5"`, `"1_000.25"`) in tokens, as the smallest unit; refuses what is
    /// not a non-negative decimal, has more decimal places than the token, or does not fit.
    pub fn parse(&self, text: &str) -> Result<u128, String> {
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
        if fraction.len() > self.decimals as usize {
            return Err(format!(
                "`{text}` has more than {} decimal places",
                self.decimals
            ));
        }
        let too_large = || format!("`{text}` tokens is more than the chain can hold");
        let whole: u128 = whole.parse().map_err(|_| too_large())?;
        let fraction: u128 = if fraction.is_empty() {
            0
        } else {
            fraction.parse::<u128>().map_err(|_| too_large())?
                * 10u128.pow(self.decimals - fraction.len() as u32)
        };
        whole
            .checked_mul(self.one())
            .and_then(|w| w.checked_add(fraction))
            .ok_or_else(too_large)
    }
}

/// The token every amount in this process is read and shown in: set once, by the first connection
/// to a node, from the chain's own declaration ([`set_denomination`]); [`Denomination::dev`] until
/// then and on the sandbox. One process talks to one chain, so one value serves every command.
static DENOMINATION: std::sync::OnceLock<Denomination> = std::sync::OnceLock::new();

/// What [`denomination`] answers before any chain declared its token.
static DEV: std::sync::LazyLock<Denomination> = std::sync::LazyLock::new(Denomination::dev);

/// Fixes the token for the rest of the process; refuses a second, different one (a process that
/// talks to two chains with different tokens would show one of them wrongly).
pub fn set_denomination(denomination: Denomination) -> Result<(), String> {
    let held = DENOMINATION.get_or_init(|| denomination.clone());
    if *held == denomination {
        Ok(())
    } else {
        Err(format!(
            "this process already shows amounts in {} ({} decimals), not {} ({} decimals)",
            held.symbol, held.decimals, denomination.symbol, denomination.decimals
        ))
    }
}

/// The token amounts are read and shown in (see [`set_denomination`]).
pub fn denomination() -> &'static Denomination {
    DENOMINATION.get().unwrap_or(&DEV)
}

/// `amount` in tokens with two decimals (rounded down), in the process's [`denomination`].
pub fn tokens(amount: u128) -> String {
    denomination().show(amount)
}

/// `text` in tokens as the smallest unit of the process's [`denomination`] (see
/// [`Denomination::parse`]).
pub fn parse_tokens(text: &str) -> Result<u128, String> {
    denomination().parse(text)
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

    #[test]
    fn other_chains_tokens_read_and_show_by_their_own_decimals() {
        // Polkadot's DOT has 10 decimals, Kusama's KSM 12, a chain may declare 18 or none at all.
        let dot = Denomination::new(10, "DOT".into()).unwrap();
        assert_eq!(dot.parse("1.5"), Ok(15_000_000_000));
        assert_eq!(dot.show(15_000_000_000), "1.50");
        assert!(
            dot.parse("0.00000000001").is_err(),
            "11 places on a 10-decimal token"
        );
        let eth_like = Denomination::new(18, "X".into()).unwrap();
        assert_eq!(eth_like.show(eth_like.parse("123.456").unwrap()), "123.45");
        let whole = Denomination::new(0, "W".into()).unwrap();
        assert_eq!((whole.parse("7"), whole.show(7)), (Ok(7), "7".to_owned()));
        assert!(whole.parse("7.5").is_err());
        let one_place = Denomination::new(1, "P".into()).unwrap();
        assert_eq!(one_place.show(15), "1.5");
        assert!(Denomination::new(39, "Z".into()).is_err());
        let widest = Denomination::new(38, "Z".into()).unwrap();
        assert_eq!(widest.show(u128::MAX), "3.40");
    }
}
