//! What tests send: citizen NIKs, operation ids, the catalog authors' service fixtures
//! (`core/tests/fixtures/services`: a valid form and typical mistakes per service), request
//! payloads with uploaded attachments, and files of a given size.

use crate::server::TestServer;
use ceria_core::protocol::{AttachmentRef, Operation, RequestPayload};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

static COUNTER: AtomicU64 = AtomicU64::new(1);

/// A fresh op id.
pub fn op_id() -> String {
    format!(
        "op-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A syntactically valid citizen NIK for tests: region 13.05.01, a real date (male, 1 Jan 1990)
/// and `serial` (0-9999; larger values wrap).
pub fn nik(serial: u32) -> String {
    format!("130501010190{:04}", serial % 10_000)
}

fn fixtures_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../core/tests/fixtures/services"
    ))
}

/// A service fixture written by the catalog authors: a valid form and typical mistakes.
#[derive(Debug, Clone)]
pub struct Fixture {
    pub service: String,
    pub values: BTreeMap<String, String>,
    pub attachments: Vec<String>,
    pub mistake: Option<BTreeMap<String, String>>,
}

fn fixture_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .expect("core/tests/fixtures/services exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

/// The date the fixtures were written for.
pub fn fixture_today() -> ceria_core::Date {
    let file = fixture_files()
        .into_iter()
        .next()
        .expect("a service fixture");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    ceria_core::Date::parse_iso(v["today"].as_str().unwrap()).unwrap()
}

/// The fixture of the first service (by file name) that needs at least one attachment.
pub fn fixture() -> Fixture {
    for file in fixture_files() {
        let service = file.file_stem().unwrap().to_string_lossy().to_string();
        let (values, attachments): (_, Vec<String>) = example_form_fixture::example_form(&service);
        if attachments.is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let mistake = v["mistakes"]
            .as_array()
            .and_then(|m| m.first())
            .and_then(|m| m["values"].as_object())
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                    .collect()
            });
        return Fixture {
            service,
            values,
            attachments,
            mistake,
        };
    }
    panic!("no service fixture with attachments");
}

/// The `valid` example (values and attached requirements) of a service fixture, as JSON.
pub fn valid_example(service: &str) -> Value {
    let path = fixtures_dir().join(format!("{service}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let fixture: Value = serde_json::from_str(&text).expect("fixture JSON");
    fixture["valid"].clone()
}

// The core's benchmarks include the same loader; there is one copy of it.
#[path = "../../../core/tests/fixtures/example_form.rs"]
mod example_form_fixture;

/// The valid example form of a service: field values and attached requirement ids.
pub fn example_form(service: &str) -> (HashMap<String, String>, Vec<String>) {
    example_form_fixture::example_form(service)
}

/// A copy of the embedded catalog's source with a newer version, written into `dir`; returns
/// the file and the version (what `admin catalog publish` accepts).
pub fn newer_catalog(dir: &Path) -> (PathBuf, String) {
    let source = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../core/catalog/catalog.json"
    );
    let mut catalog: Value =
        serde_json::from_str(&std::fs::read_to_string(source).expect("catalog source"))
            .expect("catalog JSON");
    let newer = format!("{}.1", catalog["version"].as_str().expect("version"));
    catalog["version"] = Value::from(newer.clone());
    let path = dir.join("catalog.json");
    std::fs::write(&path, catalog.to_string()).expect("write catalog");
    (path, newer)
}

/// `size` bytes derived from `seed` (distinct content per seed).
fn noise(size: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..size)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// The signature a file of this kind starts with (the registry checks attachments by their
/// content): JPEG for `.jpg`/`.jpeg` and unknown names, PNG, PDF, GIF.
fn signature(path: &Path) -> &'static [u8] {
    match path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .as_deref()
    {
        Some("png") => b"\x89PNG\r\n\x1a\n",
        Some("pdf") => b"%PDF-1.4\n",
        Some("gif") => b"GIF89a",
        _ => &[0xFF, 0xD8, 0xFF, 0xE0],
    }
}

/// `size` bytes (at least 4) that start like a JPEG photo, distinct per seed.
pub fn jpeg_bytes(seed: u64, size: usize) -> Vec<u8> {
    let mut bytes = noise(size.max(4), seed);
    bytes[..4].copy_from_slice(&[0xFF, 0xD8, 0xFF, 0xE0]);
    bytes
}

/// Writes `size` bytes derived from `seed` (distinct content per seed), starting with the
/// signature of the file's kind (by extension; JPEG otherwise).
pub fn write_file(path: &Path, size: usize, seed: u64) {
    let mut bytes = noise(size, seed);
    let magic = signature(path);
    let n = magic.len().min(bytes.len());
    bytes[..n].copy_from_slice(&magic[..n]);
    std::fs::write(path, bytes).expect("write file");
}

/// Uploads one small page per requirement of `fx` and builds a payload for `village`.
pub fn payload(
    ts: &TestServer,
    token: &str,
    fx: &Fixture,
    village: &str,
    on_behalf_of: Option<&str>,
) -> RequestPayload {
    let catalog_version = ts.call("GET", "/v1/catalog", None, None).json()["version"]
        .as_str()
        .unwrap()
        .to_string();
    let attachments = fx
        .attachments
        .iter()
        .enumerate()
        .map(|(i, requirement)| {
            let mut data = vec![0xFF, 0xD8, 0xFF, 0xE0];
            data.extend(format!("JPEG page {i} of {requirement} for {token}").into_bytes());
            let sha256 = ts.upload(token, &data);
            AttachmentRef {
                requirement: requirement.clone(),
                sha256,
                size: data.len() as u64,
                media_type: "image/jpeg".into(),
            }
        })
        .collect();
    RequestPayload {
        service: fx.service.clone(),
        catalog_version,
        values: fx.values.clone(),
        attachments,
        village: village.into(),
        on_behalf_of: on_behalf_of.map(String::from),
    }
}

pub fn submit(payload: &RequestPayload) -> Operation {
    Operation::Submit {
        op_id: op_id(),
        local_id: uuid::Uuid::now_v7().to_string(),
        request: payload.clone(),
    }
}
