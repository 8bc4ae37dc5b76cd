//! Shared helpers for the end-to-end suites (server on loopback, fault-injecting proxy).

pub mod proxy;
