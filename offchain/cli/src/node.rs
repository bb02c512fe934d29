//! `gridtrust node`: a local gridtrust-node dev chain on a chosen port until Ctrl-C or SIGTERM, for
//! trying a deployment by hand.

use std::path::PathBuf;

use anyhow::Result;
use gridtrust_chain::LocalNode;

/// Start a local gridtrust-node dev chain and keep it running until interrupted.
#[derive(Debug, clap::Args)]
pub struct NodeCommand {
    /// Keep the chain's database in this folder (it survives restarts); default: a temporary one.
    #[arg(long, value_name = "DIR")]
    base_path: Option<PathBuf>,
    /// The RPC port (the configurations in deploy/ name 9944).
    #[arg(long, default_value_t = 9944)]
    rpc_port: u16,
}

impl NodeCommand {
    /// Runs the node until Ctrl-C (or SIGTERM), then stops it cleanly.
    pub fn run(&self) -> Result<()> {
        let node = match &self.base_path {
            Some(dir) => LocalNode::start_at(dir, self.rpc_port)?,
            None => LocalNode::start_temporary(self.rpc_port)?,
        };
        println!("gridtrust-node dev chain at {}", node.url());
        println!("  chain database: {}", node.base_path().display());
        println!("  log: {}", node.log_path().display());
        println!(
            "  deploy with: gridtrust deploy --config deploy/local.toml --url {}",
            node.url()
        );
        println!("Ctrl-C stops it.");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        runtime.block_on(async {
            let mut term =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
            tokio::select! {
                r = tokio::signal::ctrl_c() => r,
                _ = term.recv() => Ok(()),
            }
        })?;
        println!("stopping the node");
        drop(node);
        Ok(())
    }
}
