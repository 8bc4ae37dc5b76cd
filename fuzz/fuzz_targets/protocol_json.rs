//! The protocol's JSON bodies (`ceria_core::protocol`): any bytes as each request body the
//! server takes, through its own JSON extractor (`ceria_server::fuzzing::parse_json_body`:
//! depth and string scan, then serde), and as each answer the device reads from a server
//! (plain serde, as the device does).
//!
//! Beyond "no panic": a refusal is a 400 or 422, and whatever is accepted serialises and
//! reads back to the same value.

#![no_main]

use ceria_core::protocol::{
    LoginRequest, LoginResponse, Problem, PullResponse, PushRequest, PushResponse, RegisterRequest,
    TransitionRequest, UserInfo,
};
use ceria_server::fuzzing::parse_json_body;
use libfuzzer_sys::fuzz_target;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt::Debug;

/// Serialising `value` and reading it back gives `value`.
fn round_trips<T: Serialize + DeserializeOwned + PartialEq + Debug>(value: &T) {
    let json = serde_json::to_vec(value).expect("a protocol value serialises");
    let back: T = serde_json::from_slice(&json).expect("serialised JSON reads back");
    assert_eq!(&back, value);
}

/// A request body as the server reads it.
fn server_reads<T: Serialize + DeserializeOwned + PartialEq + Debug>(data: &[u8]) {
    match parse_json_body::<T>(data) {
        Ok(value) => round_trips(&value),
        Err(status) => assert!(status == 400 || status == 422, "status {status}"),
    }
}

/// An answer as the device reads it.
fn device_reads<T: Serialize + DeserializeOwned + PartialEq + Debug>(data: &[u8]) {
    if let Ok(value) = serde_json::from_slice::<T>(data) {
        round_trips(&value);
    }
}

fuzz_target!(|data: &[u8]| {
    server_reads::<RegisterRequest>(data);
    server_reads::<LoginRequest>(data);
    server_reads::<PushRequest>(data);
    server_reads::<TransitionRequest>(data);
    device_reads::<LoginResponse>(data);
    device_reads::<UserInfo>(data);
    device_reads::<PushResponse>(data);
    device_reads::<PullResponse>(data);
    device_reads::<Problem>(data);
});
