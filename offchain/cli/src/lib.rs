//! The `gridtrust` command's jobs, one module per command, as a library so tests can run them exactly
//! as the command does.
//!
//! - [`demo`] (feature `sandbox`): the main job, every contract on the embedded sandbox chain.
//! - [`mod@bench`] (feature `sandbox`): contract sizes and message weights on the sandbox.
//! - [`deploy`]: deploying and wiring every contract on a node, per a configuration file.
//! - [`inspect`]: what the deployed contracts hold about one account (`--json` for machines).
//! - [`actor`]: one account acting on a deployment; each role's actions are its methods.
//! - [`customer`]: a customer's cover, demand-response participation and owed payments.
//! - [`insurer`]: an insurer's pools (create from a terms file, fund, withdraw, close, status).
//! - [`utility`]: schemas, attesters and meter-holder attestations (one, or many from CSV);
//!   demand-response programs and events.
//! - [`local_time`]: a place's offset from UTC as people write it.
//! - [`lodging`]: a hotel's property, rooms and front desk; a guest's quotes, bookings and checks.
//! - [`regulator`]: disputes, resolutions, pausing and auditing demand-response programs.
//! - [`session`]: what every role's command needs: the deployment, an endpoint, the signer.
//! - [`node`]: a local gridtrust-node dev chain.
//! - [`network`]: a network of four validators on this machine (up, status, down).
//! - [`oracle`]: the meter-data oracle's commands (ingest, sample, run, verify, outages).
//! - [`portal`]: the read-only customer, insurer and regulator portal, with checks in the browser.
//! - [`verify`]: checks anyone runs against the chain (a meter's outage payouts and their evidence).
pub mod actor;
#[cfg(feature = "sandbox")]
pub mod bench;
pub mod customer;
#[cfg(feature = "sandbox")]
pub mod demo;
pub mod deploy;
pub mod inspect;
pub mod insurer;
pub mod local_time;
pub mod lodging;
pub mod network;
pub mod node;
pub mod oracle;
pub mod portal;
pub mod regulator;
pub mod session;
pub mod utility;
pub mod verify;
