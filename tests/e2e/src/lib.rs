//! Shared helpers for the end-to-end suites: the real server on loopback with test accounts
//! ([`harness`]) and a fault-injecting proxy ([`proxy`]).

pub mod harness;
pub mod proxy;
