//! Runs what the command line asks: the node (a dev chain with instant seal, or a network node with
//! Aura and GRANDPA), or a subcommand.

use gridtrust_runtime::{AccountId, Balance, UNIT};
use sc_cli::{ChainSpec, SubstrateCli};
use sc_service::PartialComponents;
use sp_core::crypto::Ss58Codec;

use crate::{
    chain_spec::{self, Timing},
    cli::{Cli, NetworkSpecCmd, Subcommand},
    service,
};

impl SubstrateCli for Cli {
    fn impl_name() -> String {
        "GridTrust node".into()
    }

    fn impl_version() -> String {
        env!("SUBSTRATE_CLI_IMPL_VERSION").into()
    }

    fn description() -> String {
        env!("CARGO_PKG_DESCRIPTION").into()
    }

    fn author() -> String {
        env!("CARGO_PKG_AUTHORS").into()
    }

    fn support_url() -> String {
        "the GridTrust repository's issues".into()
    }

    fn copyright_start_year() -> i32 {
        2026
    }

    fn load_spec(&self, id: &str) -> Result<Box<dyn ChainSpec>, String> {
        Ok(match id {
            "" | "dev" => Box::new(chain_spec::dev()?),
            "local" => Box::new(chain_spec::local()?),
            path => Box::new(chain_spec::ChainSpec::from_json_file(path.into())?),
        })
    }
}

/// Parses the command line and runs it.
pub fn run() -> sc_cli::Result<()> {
    let cli = <Cli as SubstrateCli>::from_args();
    match &cli.subcommand {
        Some(Subcommand::Key(cmd)) => cmd.run(&cli),
        Some(Subcommand::BuildSpec(cmd)) => {
            let runner = cli.create_runner(cmd)?;
            runner.sync_run(|config| cmd.run(config.chain_spec, config.network))
        }
        Some(Subcommand::NetworkSpec(cmd)) => network_spec(cmd),
        Some(Subcommand::PurgeChain(cmd)) => {
            let runner = cli.create_runner(cmd)?;
            runner.sync_run(|config| cmd.run(config.database))
        }
        Some(Subcommand::ExportState(cmd)) => {
            let runner = cli.create_runner(cmd)?;
            runner.async_run(|config| {
                let PartialComponents {
                    client,
                    task_manager,
                    ..
                } = service::network_parts(&config)?;
                Ok((cmd.run(client, config.chain_spec), task_manager))
            })
        }
        Some(Subcommand::Revert(cmd)) => {
            let runner = cli.create_runner(cmd)?;
            runner.async_run(|config| {
                let PartialComponents {
                    client,
                    task_manager,
                    backend,
                    ..
                } = service::network_parts(&config)?;
                let aux_revert = Box::new(|client, _, blocks| {
                    sc_consensus_grandpa::revert(client, blocks)?;
                    Ok(())
                });
                Ok((cmd.run(client, backend, Some(aux_revert)), task_manager))
            })
        }
        None => {
            let runner = cli.create_runner(&cli.run)?;
            runner.run_node_until_exit(|config| async move {
                if config.chain_spec.id() == chain_spec::DEV_ID {
                    service::dev(config).map_err(sc_cli::Error::Service)
                } else {
                    service::network(config).map_err(sc_cli::Error::Service)
                }
            })
        }
    }
}

/// Prints the chain spec of a network from its parties' keys.
fn network_spec(cmd: &NetworkSpecCmd) -> sc_cli::Result<()> {
    let mut endowed: Vec<(AccountId, Balance)> = Vec::new();
    for entry in &cmd.endowed {
        let (account, tokens) = entry
            .split_once('=')
            .ok_or_else(|| format!("--endow `{entry}`: expected ACCOUNT=TOKENS"))?;
        let account = AccountId::from_ss58check(account.trim())
            .map_err(|_| format!("--endow `{entry}`: `{account}` is not an SS58 account"))?;
        let tokens: Balance = tokens
            .trim()
            .parse()
            .map_err(|_| format!("--endow `{entry}`: `{tokens}` is not a whole number of tokens"))?;
        let planks = tokens
            .checked_mul(UNIT)
            .ok_or_else(|| format!("--endow `{entry}`: too many tokens"))?;
        endowed.push((account, planks));
    }
    let timing = Timing {
        slot_ms: cmd.slot_ms,
        session_blocks: cmd.session_blocks,
        instant_blocks: false,
    };
    let spec = chain_spec::network(
        &cmd.name,
        &cmd.id,
        &cmd.validators,
        &endowed,
        timing,
        cmd.on_one_machine,
    )?;
    // What each party checks before it starts from this spec: every validator is whom it expects.
    for party in &cmd.validators {
        eprintln!(
            "validator {}: account {}, aura {}, grandpa {}",
            party.name,
            party.account.to_ss58check(),
            party.aura,
            party.grandpa
        );
    }
    println!("{}", spec.as_json(false)?);
    Ok(())
}
