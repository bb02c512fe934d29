//! A party's keys, made with the node's own key tools (`gridtrust-node key …`) as a party on its own
//! machine would make them: an account, session keys (Aura sr25519, GRANDPA ed25519 from one secret
//! phrase) put into its node's keystore, and a libp2p node key. Secrets are written readable by their
//! owner only and never printed.

use std::{
    io::Write,
    os::unix::fs::OpenOptionsExt,
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use anyhow::{bail, Context, Result};
use serde::Deserialize;

/// What `key generate` / `key inspect --output-type json` print.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Printed {
    #[serde(default)]
    secret_phrase: Option<String>,
    ss58_public_key: String,
    ss58_address: String,
}

/// The node binary's key tools.
pub struct KeyTool {
    node: PathBuf,
}

impl KeyTool {
    /// Key tools of the node binary `node`.
    pub fn new(node: PathBuf) -> Self {
        Self { node }
    }

    fn run(&self, args: &[&str]) -> Result<String> {
        let out = Command::new(&self.node)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .with_context(|| format!("running {}", self.node.display()))?;
        if !out.status.success() {
            bail!(
                "`{} {}` failed: {}",
                self.node.display(),
                args.first().copied().unwrap_or_default(),
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        String::from_utf8(out.stdout).context("the node printed something not UTF-8")
    }

    /// A new secret phrase, written to `secret`; returns its sr25519 account (SS58).
    pub fn generate(&self, secret: &Path) -> Result<String> {
        let printed: Printed = serde_json::from_str(&self.run(&[
            "key",
            "generate",
            "--scheme",
            "sr25519",
            "--words",
            "24",
            "--output-type",
            "json",
        ])?)
        .context("reading `key generate`'s answer")?;
        let phrase = printed
            .secret_phrase
            .context("`key generate` printed no secret phrase")?;
        write_secret(secret, &phrase)?;
        Ok(printed.ss58_address)
    }

    /// The public key (SS58) of the secret in `secret` under `scheme` (`sr25519`, `ed25519`).
    pub fn public(&self, secret: &Path, scheme: &str) -> Result<String> {
        let phrase = read_secret(secret)?;
        let printed: Printed = serde_json::from_str(&self.run(&[
            "key",
            "inspect",
            "--scheme",
            scheme,
            "--output-type",
            "json",
            &phrase,
        ])?)
        .context("reading `key inspect`'s answer")?;
        Ok(printed.ss58_public_key)
    }

    /// A new libp2p node key in `file`; returns its peer id.
    pub fn generate_node_key(&self, file: &Path) -> Result<String> {
        let file_arg = file.display().to_string();
        self.run(&["key", "generate-node-key", "--file", &file_arg])?;
        restrict(file)?;
        self.peer_id(file)
    }

    /// The peer id of the node key in `file`.
    pub fn peer_id(&self, file: &Path) -> Result<String> {
        let file_arg = file.display().to_string();
        Ok(self
            .run(&["key", "inspect-node-key", "--file", &file_arg])?
            .trim()
            .to_owned())
    }

    /// Puts the session keys of the phrase in `secret` into the keystore of the node at `base_path`
    /// for the chain `spec`: `aura` (sr25519) and `gran` (ed25519).
    pub fn insert_session_keys(&self, base_path: &Path, spec: &Path, secret: &Path) -> Result<()> {
        let phrase = read_secret(secret)?;
        let base = base_path.display().to_string();
        let spec = spec.display().to_string();
        for (scheme, key_type) in [("sr25519", "aura"), ("ed25519", "gran")] {
            self.run(&[
                "key",
                "insert",
                "--base-path",
                &base,
                "--chain",
                &spec,
                "--scheme",
                scheme,
                "--key-type",
                key_type,
                "--suri",
                &phrase,
            ])?;
        }
        Ok(())
    }
}

/// Writes `secret` to a new file only its owner can read.
pub fn write_secret(path: &Path, secret: &str) -> Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(secret.as_bytes())
        .with_context(|| format!("writing {}", path.display()))
}

fn read_secret(path: &Path) -> Result<String> {
    Ok(std::fs::read_to_string(path)
        .with_context(|| format!("reading {}", path.display()))?
        .trim()
        .to_owned())
}

fn restrict(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        .with_context(|| format!("restricting {}", path.display()))
}
