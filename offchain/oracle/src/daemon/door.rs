//! The daemon's door: who may send meter data, and what a sender must satisfy.
//!
//! Meter data decides who is paid, so `POST /ingest` takes only requests that carry the operator's
//! bearer token (`Authorization: Bearer <token>`); one without it is answered 401 and stores nothing.
//! The token lives outside the configuration file (`env:NAME` or `file:PATH`), and a daemon that would
//! listen beyond loopback without one refuses to start (see [`super::config`]). The daemon speaks plain
//! HTTP: serve it to other machines behind a TLS-terminating proxy (nginx, Caddy), never in the clear.
//! `/evidence` is always open, since customers check their payouts with it; `/metrics` and `/health`
//! are open unless `guard_reads` asks for the token there too.

use axum::http::{header, HeaderMap};

use crate::ingest::Bounds;

/// A bearer token; never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(…)")
    }
}

impl Token {
    /// The token `reference` (`env:NAME` or `file:PATH`) holds. A token written into the configuration
    /// itself is refused: configuration files are shared and committed, secrets should not be.
    pub fn resolve(reference: &str) -> Result<Self, String> {
        let secret = gridtrust_chain::keys::secret(reference)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| {
                "ingest.token must be `env:NAME` or `file:PATH`, not the token itself".to_owned()
            })?;
        if secret.len() < 16 {
            return Err(format!(
                "the ingest token from {reference} is {} characters; use at least 16 (e.g. \
                 `openssl rand -hex 32`)",
                secret.len()
            ));
        }
        Ok(Self(secret))
    }

    /// Whether `headers` carry this token as `Authorization: Bearer <token>`.
    pub fn admits(&self, headers: &HeaderMap) -> bool {
        let offered = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        same_secret(offered.as_bytes(), self.0.as_bytes())
    }
}

/// Compares in time that depends only on the lengths, so response times do not leak a prefix.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// What the door asks of meter data and of those who send it.
#[derive(Debug, Clone, Default)]
pub struct Door {
    /// The plausibility bounds every record must satisfy.
    pub bounds: Bounds,
    /// The token `POST /ingest` requires; `None` only on loopback.
    pub token: Option<Token>,
    /// Whether `/metrics` and `/health` need the token too.
    pub guard_reads: bool,
}

impl Door {
    /// Whether a request with `headers` may send meter data.
    pub fn admits_ingest(&self, headers: &HeaderMap) -> bool {
        self.token.as_ref().is_none_or(|t| t.admits(headers))
    }

    /// Whether a request with `headers` may read `/metrics` and `/health`.
    pub fn admits_reads(&self, headers: &HeaderMap) -> bool {
        !self.guard_reads || self.admits_ingest(headers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_bearer_token_opens_the_door() {
        std::env::set_var("GRIDTRUST_DOOR_TEST_TOKEN", "0123456789abcdef0123");
        let token = Token::resolve("env:GRIDTRUST_DOOR_TEST_TOKEN").unwrap();
        assert_eq!(format!("{token:?}"), "Token(…)");
        let with = |value: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::AUTHORIZATION, value.parse().unwrap());
            h
        };
        assert!(token.admits(&with("Bearer 0123456789abcdef0123")));
        assert!(!token.admits(&with("Bearer 0123456789abcdef012")));
        assert!(!token.admits(&with("Bearer 0123456789abcdef0124")));
        assert!(!token.admits(&with("0123456789abcdef0123")));
        assert!(!token.admits(&HeaderMap::new()));
        assert!(Token::resolve("0123456789abcdef0123")
            .unwrap_err()
            .contains("env:NAME"));
        std::env::set_var("GRIDTRUST_DOOR_TEST_SHORT", "short");
        assert!(Token::resolve("env:GRIDTRUST_DOOR_TEST_SHORT")
            .unwrap_err()
            .contains("at least 16"));
        assert!(Token::resolve("env:GRIDTRUST_DOOR_TEST_UNSET").is_err());

        let door = Door {
            token: Some(token),
            ..Door::default()
        };
        assert!(!door.admits_ingest(&HeaderMap::new()));
        assert!(door.admits_reads(&HeaderMap::new()));
        assert!(Door::default().admits_ingest(&HeaderMap::new()));
    }
}
