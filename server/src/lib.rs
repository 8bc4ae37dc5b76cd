//! Ceria reference registry server.
