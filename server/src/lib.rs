//! # ceria-server
//!
//! The reference registry server of Ceria.

pub mod auth;
pub mod blobs;
pub mod config;
pub mod db;
pub mod db_accounts;
pub mod db_catalog;
pub mod db_push;
pub mod db_requests;
pub mod db_uploads;
pub mod error;
pub mod limits;
pub mod schema;
pub mod state;
pub mod tracking;
pub mod workflow;
