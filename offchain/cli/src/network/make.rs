//! Making a network on this machine the first time `up` runs: each party's keys, the chain spec from
//! their public keys, session keys in each keystore, the deployment configuration and each operator's
//! oracle configuration. Everything the parties of a real network would do each on their own machine
//! (README, "Running a GridTrust network"), done here for four.

use std::path::Path;

use anyhow::{bail, Context, Result};

use super::{
    keys::KeyTool,
    layout::{Layout, Made, PartyKeys, OPERATORS, PARTIES},
};

/// Tokens each party's account and each oracle operator gets at genesis (fees and deposits).
const ENDOWMENT_TOKENS: u64 = 1_000_000;

/// Ports and timing of a new network.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Slot length (ms).
    pub slot_ms: u64,
    /// Blocks per session (a validator change takes effect within two).
    pub session_blocks: u32,
    /// First peer-to-peer port.
    pub p2p_base: u16,
    /// First RPC port.
    pub rpc_base: u16,
    /// First oracle HTTP port.
    pub oracle_http_base: u16,
    /// Where the portal listens.
    pub portal: String,
}

/// Makes the network in `layout` with `node`'s key tools; returns what it was made with.
pub fn make(layout: &Layout, node: &Path, plan: &Plan) -> Result<Made> {
    if layout.made_file().exists() {
        bail!(
            "{} exists: this network was made already",
            layout.made_file().display()
        );
    }
    let tool = KeyTool::new(node.to_path_buf());
    let mut parties = Vec::new();
    let mut endowed = Vec::new();
    for name in PARTIES {
        let dir = layout.party(name);
        create_private_dir(&dir)?;
        let account = tool.generate(&layout.account_secret(name))?;
        tool.generate(&layout.session_secret(name))?;
        let session = layout.session_secret(name);
        let keys = PartyKeys {
            name: name.to_owned(),
            aura: tool.public(&session, "sr25519")?,
            grandpa: tool.public(&session, "ed25519")?,
            peer_id: tool.generate_node_key(&layout.node_key(name))?,
            account: account.clone(),
        };
        endowed.push(account);
        if OPERATORS.contains(&name) {
            endowed.push(tool.generate(&layout.operator_secret(name))?);
        }
        parties.push(keys);
    }
    let made = Made {
        slot_ms: plan.slot_ms,
        p2p_base: plan.p2p_base,
        rpc_base: plan.rpc_base,
        oracle_http_base: plan.oracle_http_base,
        portal: plan.portal.clone(),
        parties,
    };
    write_spec(layout, node, &made, plan.session_blocks, &endowed)?;
    for name in PARTIES {
        tool.insert_session_keys(
            &layout.party(name),
            &layout.raw_spec(),
            &layout.session_secret(name),
        )?;
    }
    write_deploy_config(layout, &made)?;
    for (k, name) in OPERATORS.iter().enumerate() {
        write_oracle_config(layout, &made, name, k)?;
    }
    std::fs::write(layout.made_file(), serde_json::to_string_pretty(&made)?)
        .with_context(|| format!("writing {}", layout.made_file().display()))?;
    Ok(made)
}

fn create_private_dir(dir: &Path) -> Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("creating {}", dir.display()))
}

/// The chain spec from the parties' public keys (`gridtrust-node network-spec`), and its raw form.
fn write_spec(
    layout: &Layout,
    node: &Path,
    made: &Made,
    session_blocks: u32,
    endowed: &[String],
) -> Result<()> {
    let mut spec = std::process::Command::new(node);
    spec.args(["network-spec", "--on-one-machine"])
        .args(["--name", "GridTrust network on this machine"])
        .args(["--id", "gridtrust_this_machine"])
        .args(["--slot-ms", &made.slot_ms.to_string()])
        .args(["--session-blocks", &session_blocks.to_string()]);
    for p in &made.parties {
        spec.arg("--validator")
            .arg(format!("{}={},{},{}", p.name, p.account, p.aura, p.grandpa));
    }
    for account in endowed {
        spec.arg("--endow")
            .arg(format!("{account}={ENDOWMENT_TOKENS}"));
    }
    let plain = output(spec, "network-spec")?;
    std::fs::write(layout.plain_spec(), &plain)
        .with_context(|| format!("writing {}", layout.plain_spec().display()))?;
    let mut raw = std::process::Command::new(node);
    raw.args([
        "build-spec",
        "--raw",
        "--disable-default-bootnode",
        "--chain",
    ])
    .arg(layout.plain_spec());
    let raw = output(raw, "build-spec --raw")?;
    std::fs::write(layout.raw_spec(), raw)
        .with_context(|| format!("writing {}", layout.raw_spec().display()))
}

fn output(mut command: std::process::Command, what: &str) -> Result<Vec<u8>> {
    let out = command
        .stdin(std::process::Stdio::null())
        .output()
        .with_context(|| format!("running gridtrust-node {what}"))?;
    if !out.status.success() {
        bail!(
            "gridtrust-node {what} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(out.stdout)
}

/// `network.toml`: the grid company deploys and owns the contracts and attests meter holders; the
/// regulator runs the merchant and real-name schemas; the three operators form the committee, two
/// of three deciding.
fn write_deploy_config(layout: &Layout, made: &Made) -> Result<()> {
    let file = |path: &Path| format!("file:{}", path.display());
    let operators: Vec<String> = OPERATORS
        .iter()
        .map(|name| format!("\"{}\"", file(&layout.operator_secret(name))))
        .collect();
    let text = format!(
        "# The contracts on the network in this folder (`gridtrust network up` wrote this).\n\
         # Secrets are read from the parties' folders (file:PATH), never written here.\n\n\
         [chain]\n\
         url = \"{url}\"\n\
         # Pays for funding test accounts: the grid company's account.\n\
         faucet = \"{grid}\"\n\
         # Several validators: a transaction is done once finalized.\n\
         finality = \"finalized\"\n\n\
         [accounts]\n\
         utility = \"{grid}\"\n\
         tourism_authority = \"{regulator}\"\n\
         kyc = \"{regulator}\"\n\n\
         [committee]\n\
         operators = [{operators}]\n\
         threshold = 2\n",
        url = made.rpc_url(OPERATORS[0]),
        grid = file(&layout.account_secret("grid-company")),
        regulator = file(&layout.account_secret("regulator")),
        operators = operators.join(", "),
    );
    std::fs::write(layout.deploy_config(), text)
        .with_context(|| format!("writing {}", layout.deploy_config().display()))
}

/// Operator `k`'s daemon: its party's node, its own store, folder and port; the grid company's is
/// the keeper that triggers payouts and settlement.
fn write_oracle_config(layout: &Layout, made: &Made, name: &str, k: usize) -> Result<()> {
    let dir = layout.party(name).join("oracle");
    std::fs::create_dir_all(dir.join("incoming"))
        .with_context(|| format!("creating {}", dir.display()))?;
    let text = format!(
        "# Oracle daemon of {name} (`gridtrust network up` wrote this).\n\n\
         [chain]\n\
         url = \"{url}\"\n\
         manifest = \"{manifest}\"\n\
         operator = \"file:{secret}\"\n\
         finality = \"finalized\"\n\n\
         [store]\n\
         path = \"{store}\"\n\n\
         [ingest]\n\
         watch = \"{incoming}\"\n\
         http = \"127.0.0.1:{http}\"\n\n\
         [outages]\n\
         min_dark_meters = 3\n\
         stale_after_minutes = 1440\n\n\
         [keeper]\n\
         enabled = {keeper}\n",
        url = made.rpc_url(name),
        manifest = crate::deploy::manifest_path(&layout.deploy_config()).display(),
        secret = layout.operator_secret(name).display(),
        store = dir.join("oracle.db").display(),
        incoming = dir.join("incoming").display(),
        http = made.oracle_http_base + k as u16,
        keeper = k == 0,
    );
    std::fs::write(layout.oracle_config(name), text)
        .with_context(|| format!("writing {}", layout.oracle_config(name).display()))
}
