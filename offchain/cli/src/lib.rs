//! The `gridtrust` command's jobs, as a library so tests can run them exactly as the command does.
pub mod bench;
pub mod demo;
pub mod deploy;
pub mod inspect;
