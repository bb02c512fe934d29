//! `gridtrust`: GridTrust's command line. Each command is a module of the `gridtrust` library with its
//! arguments and its `run`; this file only parses and dispatches.
use anyhow::Result;
use clap::{Parser, Subcommand};

#[cfg(feature = "sandbox")]
use gridtrust::{bench::BenchCommand, demo::DemoCommand};
use gridtrust::{
    customer::CustomerCommand,
    deploy::DeployCommand,
    inspect::InspectCommand,
    insurer::InsurerCommand,
    lodging::{GuestCommand, HotelCommand},
    network::NetworkCommand,
    node::NodeCommand,
    oracle::OracleCommand,
    portal::PortalCommand,
    regulator::RegulatorCommand,
    utility::UtilityCommand,
    verify::VerifyCommand,
};

/// GridTrust: identity attestations, reservations, demand-response settlement and outage insurance as
/// ink! contracts, with the oracle that feeds them.
#[derive(Parser)]
#[command(name = "gridtrust", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Deploy every contract into the embedded sandbox chain and run the demo scenario.
    #[cfg(feature = "sandbox")]
    Demo(DemoCommand),
    /// Measure contract sizes and message weights on the sandbox chain with the real Wasm.
    #[cfg(feature = "sandbox")]
    Bench(BenchCommand),
    /// The meter-data oracle.
    #[command(subcommand)]
    Oracle(OracleCommand),
    /// Deploy and wire every contract on a real chain per a configuration file (idempotent: a re-run
    /// reuses the code and instances its manifest records); writes `<config>.deployment.json`.
    Deploy(DeployCommand),
    /// Show what the deployed contracts hold about an account: balance, attestations, policies and
    /// payouts of its meters, demand-response entries, bookings.
    Inspect(InspectCommand),
    /// Check data on the chain against its evidence with the shared rules (`verify payout`).
    #[command(subcommand)]
    Verify(VerifyCommand),
    /// An insurer's pools: create from a terms file, fund, withdraw free capital, close, status.
    #[command(subcommand)]
    Insurer(InsurerCommand),
    /// A customer's cover (quote, buy), demand response (enroll, leave, opt out, dispute) and claims.
    #[command(subcommand)]
    Customer(CustomerCommand),
    /// A utility's attestations (schemas, attesters, meter holders one by one or from CSV,
    /// revoke/suspend/resume) and demand response (programs, events, resolving disputes).
    #[command(subcommand)]
    Utility(UtilityCommand),
    /// The regulator's oversight of demand response: dispute, resolve, pause, resume, audit.
    #[command(subcommand)]
    Regulator(RegulatorCommand),
    /// A hotel's property, room types and front desk (check in, no-show, cancel).
    #[command(subcommand)]
    Hotel(HotelCommand),
    /// A guest's quotes, bookings, cancellations and confirmation checks.
    #[command(subcommand)]
    Guest(GuestCommand),
    /// Start a local gridtrust-node dev chain on a free port and keep it running until interrupted.
    Node(NodeCommand),
    /// A network of four validators on this machine (grid company, two insurers, regulator) with
    /// the contracts, the oracle daemons and the portal: up, status, down.
    #[command(subcommand)]
    Network(NetworkCommand),
    /// Serve the customer and regulator portal (read-only: look up and check on-chain data in a
    /// browser) over a deployment on a node.
    Portal(PortalCommand),
}

fn main() -> Result<()> {
    let done = run(Cli::parse().command);
    match done {
        // A dry run stops before its first transaction, as asked: that is success.
        Err(e) if gridtrust::session::is_dry_run(&e) => {
            eprintln!("dry run: nothing sent");
            Ok(())
        }
        other => other,
    }
}

fn run(command: Command) -> Result<()> {
    match command {
        #[cfg(feature = "sandbox")]
        Command::Demo(c) => c.run(),
        #[cfg(feature = "sandbox")]
        Command::Bench(c) => c.run(),
        Command::Oracle(c) => c.run(),
        Command::Deploy(c) => c.run(),
        Command::Inspect(c) => c.run(),
        Command::Node(c) => c.run(),
        Command::Network(c) => c.run(),
        Command::Portal(c) => c.run(),
        Command::Verify(c) => c.run(),
        Command::Insurer(c) => c.run(),
        Command::Customer(c) => c.run(),
        Command::Utility(c) => c.run(),
        Command::Regulator(c) => c.run(),
        Command::Hotel(c) => c.run(),
        Command::Guest(c) => c.run(),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        // Every subcommand's arguments checked by clap itself: no two with one name, every
        // `requires`/`conflicts_with` naming a real argument.
        super::Cli::command().debug_assert();
    }
}
