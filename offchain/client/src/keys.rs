//! Signing keys for real chains, from Substrate secret URIs.
//!
//! A key is written the way Substrate tools write it: `//Alice` (a derivation of the public development
//! phrase), `<twelve words>//hard/soft///password`, or a `0x…` seed. So that configuration files need
//! not hold secrets, `env:NAME` reads the URI from environment variable `NAME` and `file:PATH` from the
//! first line of a file.

use ink::primitives::AccountId;
use subxt_signer::{sr25519::Keypair, SecretUri};

/// Why a key could not be made.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The text is not a secret URI.
    #[error("not a secret URI ({0}); expected e.g. `//Alice`, a mnemonic phrase or a 0x seed")]
    Uri(String),
    /// The URI parsed but gives no sr25519 key.
    #[error("the secret URI gives no sr25519 key: {0}")]
    Key(String),
    /// `env:NAME` names a variable that is not set.
    #[error("environment variable {0} (named by `env:{0}`) is not set")]
    MissingEnv(String),
    /// `file:PATH` could not be read.
    #[error("reading the secret file {path}: {reason}")]
    File {
        /// The file.
        path: String,
        /// Why it could not be read.
        reason: String,
    },
}

/// The secret `reference` points to: the value of `env:NAME`, or the first line of `file:PATH`
/// (trimmed); `None` when it is neither (the text is the secret itself).
pub fn secret(reference: &str) -> Result<Option<String>, KeyError> {
    if let Some(var) = reference.strip_prefix("env:") {
        return std::env::var(var)
            .map(Some)
            .map_err(|_| KeyError::MissingEnv(var.to_owned()));
    }
    let Some(path) = reference.strip_prefix("file:") else {
        return Ok(None);
    };
    let content = std::fs::read_to_string(path).map_err(|e| KeyError::File {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    Ok(Some(
        content.lines().next().unwrap_or_default().trim().to_owned(),
    ))
}

/// An sr25519 signing key and the account it controls.
#[derive(Clone)]
pub struct Key {
    pair: Keypair,
}

impl std::fmt::Debug for Key {
    // Never print secret material, only whose key it is.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Key({})", crate::ss58(&self.account()))
    }
}

impl Key {
    /// The key a secret URI (or `env:NAME` / `file:PATH` holding one) describes.
    pub fn from_uri(text: &str) -> Result<Self, KeyError> {
        let uri = secret(text)?.unwrap_or_else(|| text.to_owned());
        let parsed: SecretUri = uri.parse().map_err(|e| KeyError::Uri(format!("{e}")))?;
        let pair = Keypair::from_uri(&parsed).map_err(|e| KeyError::Key(format!("{e}")))?;
        Ok(Self { pair })
    }

    /// The development key `//name`: known to everyone, for test chains only.
    pub fn dev(name: &str) -> Self {
        Self::from_uri(&format!("//{name}")).expect("a hard derivation of the dev phrase is a key")
    }

    /// The account this key controls.
    pub fn account(&self) -> AccountId {
        AccountId::from(self.pair.public_key().0)
    }

    pub(crate) fn pair(&self) -> &Keypair {
        &self.pair
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_keys_are_the_well_known_development_accounts() {
        // //Alice's public key, as every Substrate tool prints it.
        let alice = hex::decode("d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d")
            .unwrap();
        assert_eq!(
            AsRef::<[u8]>::as_ref(&Key::dev("Alice").account()),
            &alice[..]
        );
        assert_eq!(
            Key::from_uri("//Alice").unwrap().account(),
            Key::dev("Alice").account()
        );
        assert_ne!(Key::dev("Alice").account(), Key::dev("Bob").account());
    }

    #[test]
    fn keys_come_from_the_environment_or_a_file_and_bad_uris_are_explained() {
        std::env::set_var("CONTRACTS_CLIENT_TEST_KEY_URI", "//Bob");
        assert_eq!(
            Key::from_uri("env:CONTRACTS_CLIENT_TEST_KEY_URI")
                .unwrap()
                .account(),
            Key::dev("Bob").account()
        );
        let file =
            std::env::temp_dir().join(format!("contracts-client-key-{}", std::process::id()));
        std::fs::write(&file, "//Charlie\n").unwrap();
        let from_file = Key::from_uri(&format!("file:{}", file.display())).unwrap();
        std::fs::remove_file(&file).ok();
        assert_eq!(from_file.account(), Key::dev("Charlie").account());

        assert!(matches!(
            Key::from_uri("env:CONTRACTS_CLIENT_TEST_KEY_UNSET"),
            Err(KeyError::MissingEnv(_))
        ));
        let err = Key::from_uri("not a uri at all //").unwrap_err();
        assert!(err.to_string().contains("secret URI"), "{err}");
        // Debug output names the account, never the secret.
        assert!(!format!("{:?}", Key::dev("Alice")).contains("Alice"));
    }
}
