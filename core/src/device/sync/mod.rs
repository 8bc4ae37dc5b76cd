//! The offline sync engine: one pass ([`engine`]) renews sessions, uploads attachments over
//! tus ([`upload`], [`tus`]), pushes queued operations ([`push`]), refreshes a citizen's
//! identity state ([`identity`]), pulls the status feed and refreshes the catalog, reporting
//! [`progress`] as it goes. [`http_api`] sorts every server answer into what the engine
//! should do about it; [`transport`] is the replaceable HTTP layer (tests and benches inject
//! faults through it).

pub(crate) mod engine;
pub mod http_api;
pub(crate) mod identity;
pub mod progress;
pub(crate) mod push;
pub mod transport;
pub(crate) mod tus;
pub(crate) mod upload;
