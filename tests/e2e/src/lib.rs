//! Helpers of the end-to-end suites that only they need: a fault-injecting proxy ([`proxy`])
//! and the crash test's device settings ([`crash`]). The server on loopback, accounts, example
//! forms and test devices come from `ceria-test-support`.

pub mod crash;
pub mod proxy;
