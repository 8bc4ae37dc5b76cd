//! The local S3-compatible server of `scripts/suites/s3.sh` (moto) as the tests see it: where
//! it is, and what a bucket holds, listed over its HTTP API (moto in server mode does not check
//! request signatures, so a plain ListObjectsV2 does).

use ceria_server::store::testing::service_variable;

/// The variable naming the server's endpoint (`http://127.0.0.1:PORT`).
pub const S3_VAR: &str = "CERIA_TEST_S3";

/// The endpoint of the test S3 server; `None`, with the reason printed, when the tests do not
/// run in the S3 suite (a failure instead when they do, under CI).
pub fn s3_endpoint() -> Option<String> {
    service_variable(S3_VAR, "s3")
}

/// The test bucket (`CERIA_TEST_S3_BUCKET`, default `ceria-test`), which the suite creates.
pub fn s3_bucket() -> String {
    std::env::var("CERIA_TEST_S3_BUCKET").unwrap_or_else(|_| "ceria-test".into())
}

/// The keys under `prefix` in the test bucket (the first 1,000).
pub fn s3_keys(endpoint: &str, prefix: &str) -> Vec<String> {
    let url = format!("{endpoint}/{}", s3_bucket());
    let response = crate::agent()
        .get(&url)
        .query("list-type", "2")
        .query("prefix", prefix)
        .call()
        .expect("list the bucket");
    assert_eq!(response.status().as_u16(), 200, "listing {url}");
    let xml = response
        .into_body()
        .read_to_string()
        .expect("the bucket's listing");
    xml.split("<Key>")
        .skip(1)
        .filter_map(|rest| rest.split_once("</Key>").map(|(key, _)| key.to_string()))
        .collect()
}
