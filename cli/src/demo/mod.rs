//! `ceria demo`: the whole story in one command, on loopback in a temporary directory. The
//! registry server starts in-process; staff accounts are created; a citizen's device fills a
//! KTP-el request offline, makes a typical mistake and fixes it, queues it; goes online and
//! syncs; the nagari operator verifies it; the registry officer processes and completes it;
//! the device syncs again and shows "Selesai" with the tracking code. Every step is checked
//! against the states the core and the server report, so exit status 0 means it all happened.
//!
//! With `--database postgres://…` and `--blob-store s3://…` the same story runs on the
//! storage of a deployment at scale (an empty database: the demo creates its accounts);
//! the staff accounts are made through the same database the server opens.

mod image;
mod net;

use crate::device::progress::SyncBars;
use crate::exit::{self, Failure};
use crate::operator::client::{Client, QueueQuery};
use crate::output::{both, bytes, issue_lines, local_time, state_label};
use ceria_core::device::transport::{Timeouts, Transport, UreqTransport};
use ceria_core::protocol::{DocumentInfo, RequestState, Role, TransitionRequest};
use ceria_core::{
    CancelToken, Catalog, Device, DeviceConfig, DeviceError, LocalState, Severity, SyncListener,
};
use ceria_server::admin::{self, StaffAccount};
use ceria_server::{BlobStoreLocation, Config, DatabaseLocation, Server};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Options of `ceria demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Keep the demo's data directory (printed at the end) to explore it afterwards.
    #[arg(long)]
    pub keep: bool,
    /// After the story, leave the server running (until Ctrl-C or SIGTERM) and print the
    /// staff console's URL with the demo's sign-ins, to look at the request in a browser.
    /// Keeps the data.
    #[arg(long)]
    pub serve: bool,
    /// With `--serve`: the address to listen on (default: a free loopback port).
    #[arg(long, requires = "serve")]
    pub listen: Option<SocketAddr>,
    /// Run on PostgreSQL, `postgres://USER[:PASSWORD]@HOST[:PORT]/DB`, an empty database (as
    /// `ceria serve --database`); default: SQLite in the demo's temporary directory.
    #[arg(long, env = "CERIA_DATABASE_URL", value_parser = DatabaseLocation::parse)]
    pub database: Option<DatabaseLocation>,
    /// Keep the attachments in an S3-compatible bucket, `s3://BUCKET[/prefix]` (as `ceria
    /// serve --blob-store`: endpoint and credentials from the AWS environment variables);
    /// default: files in the demo's temporary directory.
    #[arg(long, env = "CERIA_BLOB_STORE", value_parser = BlobStoreLocation::parse)]
    pub blob_store: Option<BlobStoreLocation>,
}

/// The citizen of the story (valid sample data of the catalog's KTP-el fixtures).
const CITIZEN_NIK: &str = "1305086106080002";
/// The typical mistake: a woman's NIK written without adding 40 to the day of birth.
const MISTAKEN_NIK: &str = "1305082106080002";
const CITIZEN_NAME: &str = "Yuliana Putri";
const CITIZEN_PHONE: &str = "081234567890";
const VILLAGE: &str = "13.05.08.2002";
const PASSWORD: &str = "demo-rahasia-2026";
const OPERATOR: &str = "operator.nagari";
const OFFICER: &str = "petugas.disdukcapil";

fn form(nik: &str) -> HashMap<String, String> {
    [
        ("nik", nik),
        ("nama", CITIZEN_NAME),
        ("tempat_lahir", "Padang Pariaman"),
        ("tanggal_lahir", "2008-06-21"),
        ("jenis_kelamin", "P"),
        ("nomor_kk", "1305080302110005"),
        ("status_kawin", "1"),
        ("sudah_rekam", "true"),
        ("pengambilan", "nagari"),
        ("desa", VILLAGE),
        ("telepon", CITIZEN_PHONE),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// A step that did not happen as it should: the demo fails with this.
fn broken(what: impl AsRef<str>) -> Failure {
    Failure::new(
        exit::INTERNAL,
        format!("demo: langkah gagal / step failed: {}", what.as_ref()),
    )
}

fn check(ok: bool, what: impl AsRef<str>) -> Result<(), Failure> {
    if ok { Ok(()) } else { Err(broken(what)) }
}

/// Numbered, readable steps.
struct Story {
    step: u32,
    started: Instant,
}

impl Story {
    fn step(&mut self, id: &str, en: &str) {
        self.step += 1;
        say!("");
        say!("[{}] {id}", self.step);
        say!("    {en}");
    }

    fn line(&self, text: impl AsRef<str>) {
        say!("    {}", text.as_ref());
    }
}

/// Runs the demo; returns the exit status.
pub fn run(args: DemoArgs, json: bool) -> Result<u8, Failure> {
    let dir = tempfile::Builder::new()
        .prefix("ceria-demo-")
        .tempdir()
        .map_err(|e| Failure::new(exit::INTERNAL, format!("temporary directory: {e}")))?;
    let root = dir.path().to_path_buf();
    let result = story(&root, json, &args);
    if args.keep || args.serve {
        let kept = dir.keep();
        say!("");
        say!(
            "Data demo disimpan di / demo data kept in {}",
            kept.display()
        );
        say!(
            "  ceria device --home {} requests",
            kept.join("warga").display()
        );
    }
    result
}

fn story(root: &std::path::Path, json: bool, args: &DemoArgs) -> Result<u8, Failure> {
    let mut s = Story {
        step: 0,
        started: Instant::now(),
    };
    let catalog = Catalog::embedded();
    say!("Ceria: seluruh alur dalam satu perintah / the whole story in one command");
    say!(
        "Katalog / catalog {} ({})",
        catalog.version(),
        catalog.source().regency.name
    );

    // 1. The registry server.
    let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
    let mut config = Config::new(root.join("server"), args.listen.unwrap_or(loopback));
    config.database = args.database.clone().unwrap_or_default();
    config.blob_store = args.blob_store.clone().unwrap_or_default();
    let storage = format!(
        "{}, {}",
        config.database.describe(),
        config.blob_store.describe()
    );
    s.step(
        &format!("Server registri Disdukcapil dijalankan ({storage}, loopback)"),
        &format!("The registry server starts ({storage}, loopback)"),
    );
    let (database, data_dir) = (config.database.clone(), config.data_dir.clone());
    let server = Server::start(config).map_err(|e| broken(format!("server: {e}")))?;
    let url = format!("http://{}", server.local_addr);
    s.line(format!("URL: {url}"));

    // 2. Staff accounts, with the same admin functions as `ceria admin create-user`.
    s.step(
        "Akun petugas dibuat: operator nagari dan petugas Disdukcapil",
        "Staff accounts: a nagari operator and a registry officer",
    );
    let db = database
        .open(&data_dir)
        .map_err(|e| broken(format!("database: {e}")))?;
    let staff = |role: Role, username: &str, name: &str, village: Option<&str>| {
        admin::create_user(
            &db,
            StaffAccount {
                role,
                username: username.to_string(),
                password: PASSWORD.to_string(),
                name: Some(name.to_string()),
                village: village.map(str::to_string),
            },
        )
        .map_err(|e| broken(format!("create-user {username}: {e}")))
    };
    let op = staff(Role::Operator, OPERATOR, "Operator Nagari", Some(VILLAGE))?;
    let officer = staff(Role::Officer, OFFICER, "Petugas Disdukcapil", None)?;
    check(
        op.village.as_deref() == Some(VILLAGE),
        "operator bound to the village",
    )?;
    s.line(format!(
        "operator: {} (nagari/village {VILLAGE})",
        op.username
    ));
    s.line(format!("petugas/officer: {}", officer.username));
    drop(db);

    // 3. The citizen's device: registers once, when the app is installed.
    s.step(
        "Warga memasang aplikasi dan mendaftar dengan NIK-nya (online)",
        "A citizen installs the app and registers with her NIK (online)",
    );
    let network = Arc::new(net::Switch::new(UreqTransport::new(Timeouts::default())));
    let mut device_config = DeviceConfig::new(
        root.join("warga")
            .join("device")
            .to_string_lossy()
            .into_owned(),
        url.clone(),
    );
    // The demo's network is a switch, not a flaky 3G link: retry without long pauses.
    device_config.backoff_base_ms = 100;
    device_config.backoff_max_ms = 1_000;
    device_config.retry_pause_ms = 20;
    device_config.network_retries = 1;
    let backoff = Duration::from_millis(device_config.backoff_base_ms + 50);
    let transport: Arc<dyn Transport> = network.clone();
    let device = Device::open_with_transport(device_config, transport)?;
    let account = device.register(CITIZEN_NIK, CITIZEN_NAME, CITIZEN_PHONE, PASSWORD)?;
    check(
        account.role == Role::Citizen && account.logged_in,
        "citizen registered and logged in",
    )?;
    s.line(format!(
        "{} ({}) terdaftar / registered",
        account.name, account.username
    ));

    // 4. Offline: the form.
    network.set_online(false);
    let sent_before_offline = network.sent();
    s.step(
        "Tanpa sinyal (OFFLINE): warga mengisi permohonan KTP-el baru",
        "No signal (OFFLINE): she fills in a request for a new KTP-el",
    );
    let service = catalog
        .service("ktp_baru")
        .ok_or_else(|| broken("the catalog has no ktp_baru"))?;
    s.line(format!(
        "{} / {} ({} hari kerja / working days)",
        service.name.id, service.name.en, service.service_days
    ));
    let draft = device.create_draft("ktp_baru")?;
    let report = device.set_values(&draft.id, form(MISTAKEN_NIK))?;
    s.line(format!(
        "NIK diketik / NIK typed: {MISTAKEN_NIK} (tanggal lahir 21, tanpa +40)"
    ));
    let mistake = report
        .issues
        .iter()
        .find(|i| i.field.as_deref() == Some("nik") && i.severity == Severity::Error);
    let Some(mistake) = mistake else {
        return Err(broken("the mistaken NIK was not flagged"));
    };
    check(
        mistake.code == "nik.sex_mismatch",
        "NIK/sex mismatch flagged",
    )?;
    s.line("Aplikasi menunjukkan / the app shows:");
    for l in issue_lines(std::slice::from_ref(mistake)) {
        s.line(l);
    }

    s.step(
        "Warga memperbaiki NIK dan melampirkan foto KK",
        "She fixes the NIK and attaches a photo of her family card (KK)",
    );
    let fix = HashMap::from([("nik".to_string(), CITIZEN_NIK.to_string())]);
    let report = device.set_values(&draft.id, fix)?;
    check(
        report.issues_for("nik").next().is_none(),
        "no issue left on the NIK",
    )?;
    s.line(format!("NIK: {CITIZEN_NIK} -> tidak ada galat / no error"));
    let photo = root.join("foto-kk.png");
    std::fs::write(&photo, image::kk_photo(1024, 640))
        .map_err(|e| broken(format!("photo: {e}")))?;
    let attached = device.attach(&draft.id, "kk", &photo.to_string_lossy(), "image/png")?;
    s.line(format!(
        "Lampiran / attachment: {} ({}, {})",
        attached.file_name,
        attached.media_type,
        bytes(attached.size)
    ));
    let ready = device.draft(&draft.id)?;
    check(ready.valid, "the draft validates")?;
    s.line("Formulir lengkap / form complete");

    s.step(
        "Permohonan difinalkan dan masuk antrean kirim (masih offline)",
        "The request is finalised and queued (still offline)",
    );
    let queued = device.finalise(&draft.id)?;
    check(queued.state == LocalState::Queued, "request queued")?;
    s.line(format!("permohonan / request {}", queued.id));
    match device.sync(None, &CancelToken::new()) {
        Err(DeviceError::Offline {
            code, message_id, ..
        }) => s.line(format!("sinkronisasi / sync: [{code}] {message_id}")),
        Err(other) => return Err(broken(format!("offline sync: {other}"))),
        Ok(_) => return Err(broken("a sync succeeded while offline")),
    }
    let still = device.request(&queued.id)?;
    check(
        still.tracking_code.is_none()
            && matches!(still.state, LocalState::Queued | LocalState::Uploading),
        "still waiting on the device",
    )?;
    check(
        network.sent() == sent_before_offline && network.held_back() > 0,
        "nothing reached the server while offline",
    )?;
    s.line(format!(
        "tidak ada yang sampai ke server / nothing reached the server ({} permintaan ditahan / requests held back)",
        network.held_back()
    ));

    // 5. Online again.
    s.step(
        "Sinyal kembali: aplikasi menyinkronkan (unggah foto, kirim permohonan)",
        "Signal is back: the app syncs (uploads the photo, sends the request)",
    );
    network.set_online(true);
    // The failed offline attempt scheduled a retry; the demo's backoff is short.
    std::thread::sleep(backoff);
    let bars = Arc::new(SyncBars::default());
    let listener: Arc<dyn SyncListener> = bars.clone();
    let sync = device.sync(Some(listener), &CancelToken::new());
    bars.finish();
    let sync = sync?;
    let seen = bars.seen();
    check(
        sync.files_uploaded == 1 && sync.accepted == 1,
        "photo uploaded and request accepted",
    )?;
    s.line(format!(
        "unggah / upload: {} dari/of {}; operasi / operations: {} dari/of {}",
        bytes(seen.bytes_sent),
        bytes(seen.bytes_total),
        seen.operations_pushed,
        seen.operations_total
    ));
    let sent = device.request(&queued.id)?;
    let tracking = sent
        .tracking_code
        .clone()
        .ok_or_else(|| broken("no tracking code after the sync"))?;
    check(sent.state == LocalState::Submitted, "request submitted")?;
    let (label_id, label_en) = state_label(&catalog, sent.state);
    s.line(format!(
        "kode lacak / tracking code: {tracking}  status: {}",
        both(&label_id, &label_en)
    ));

    // 6. The nagari operator verifies, through the HTTP API.
    s.step(
        "Operator nagari memeriksa antrean dan memverifikasi (API)",
        "The nagari operator checks the queue and verifies it (API)",
    );
    let operator = login(&url, OPERATOR)?;
    let page = operator.queue(&QueueQuery {
        state: Some(RequestState::Submitted),
        ..QueueQuery::default()
    })?;
    let item = page
        .items
        .iter()
        .find(|r| r.tracking_code == tracking)
        .ok_or_else(|| broken("the request is not in the nagari's queue"))?;
    let detail = operator.detail(&item.id)?;
    check(
        detail.payload.values.get("nik").map(String::as_str) == Some(CITIZEN_NIK)
            && detail.attachments.len() == 1
            && detail
                .attachments
                .iter()
                .all(|a| a.sha256 == attached.sha256),
        "the operator sees the form and the photo",
    )?;
    s.line(format!(
        "{} {} NIK {}, {} lampiran/attachment ({})",
        item.tracking_code,
        item.service,
        item.citizen_nik,
        detail.attachments.len(),
        bytes(detail.attachments.iter().map(|a| a.size).sum())
    ));
    let verified = operator.transition(&item.id, &transition(RequestState::Verified))?;
    check(verified.state == RequestState::Verified, "verified")?;
    s.line(format!(
        "-> {}",
        crate::output::server_state_label(&catalog, verified.state)
    ));

    // 7. The registry officer processes and completes it.
    s.step(
        "Petugas Disdukcapil memproses dan menyelesaikan dengan nomor dokumen (API)",
        "The registry officer processes it and completes it with a document number (API)",
    );
    let officer = login(&url, OFFICER)?;
    let processing = officer.transition(&item.id, &transition(RequestState::Processing))?;
    check(processing.state == RequestState::Processing, "processing")?;
    s.line(format!(
        "-> {}",
        crate::output::server_state_label(&catalog, processing.state)
    ));
    let mut complete = transition(RequestState::Completed);
    let document = DocumentInfo {
        number: CITIZEN_NIK.to_string(),
        pickup: format!("Kantor wali nagari {VILLAGE}"),
    };
    complete.document = Some(document.clone());
    let completed = officer.transition(&item.id, &complete)?;
    check(
        completed.state == RequestState::Completed
            && completed.document.as_ref() == Some(&document),
        "completed with its document",
    )?;
    s.line(format!(
        "-> {}  nomor dokumen / document number {}",
        crate::output::server_state_label(&catalog, completed.state),
        document.number
    ));

    // 8. The device hears back.
    s.step(
        "Perangkat warga menyinkronkan lagi dan menampilkan statusnya",
        "The citizen's device syncs again and shows the outcome",
    );
    let again = device.sync(None, &CancelToken::new())?;
    check(
        again.changes_pulled >= 3,
        "the status changes reached the device",
    )?;
    let done = device.request(&queued.id)?;
    let (label_id, label_en) = state_label(&catalog, done.state);
    let selesai = catalog.state_label(RequestState::Completed);
    check(
        done.state == LocalState::Completed && label_id == selesai.id,
        "the device shows the request completed",
    )?;
    check(
        done.tracking_code.as_deref() == Some(tracking.as_str()),
        "same tracking code on the device",
    )?;
    check(
        done.document.as_ref() == Some(&document),
        "the document number reached the device",
    )?;
    s.line(format!("Status: {}", both(&label_id, &label_en)));
    s.line(format!("Kode lacak / tracking code: {tracking}"));
    s.line(format!(
        "Nomor dokumen / document number: {}",
        document.number
    ));
    s.line(format!("Pengambilan / pickup: {}", document.pickup));
    s.line("Riwayat / timeline:");
    let offset = catalog.utc_offset_minutes();
    for t in &done.timeline {
        let (id, en) = state_label(&catalog, t.state);
        s.line(format!(
            "  {}  {}",
            local_time(t.at_ms, offset),
            both(&id, &en)
        ));
    }

    let elapsed = s.started.elapsed();
    say!("");
    say!(
        "Semua langkah berhasil dalam / every step succeeded in {:.1} s",
        elapsed.as_secs_f64()
    );
    let console = format!("{url}/console/");
    if json {
        crate::output::json_line(&serde_json::json!({
            "ok": true, "tracking_code": tracking, "state": done.state.code(),
            "attachment_sha256": attached.sha256,
            "state_label": label_id, "document": document.number,
            "seconds": elapsed.as_secs_f64(),
            "console": args.serve.then_some(&console),
            "citizen_web": args.serve.then(|| format!("{url}/layanan/")),
        }));
    }
    if args.serve {
        say!("");
        say!("Konsol petugas / staff console: {console}");
        say!("  operator nagari / nagari operator: {OPERATOR}  sandi/password: {PASSWORD}");
        say!("  petugas Disdukcapil / registry officer: {OFFICER}  sandi/password: {PASSWORD}");
        say!("Layanan warga / citizens' desktop link: {url}/layanan/");
        say!("  warga / citizen: NIK {CITIZEN_NIK}  sandi/password: {PASSWORD}");
        say!(
            "Server tetap berjalan; Ctrl-C untuk berhenti / the server keeps running; Ctrl-C to stop"
        );
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| broken(format!("runtime: {e}")))?;
        runtime.block_on(ceria_server::wait_for_termination());
    }
    server.shutdown();
    Ok(exit::OK)
}

fn login(url: &str, username: &str) -> Result<Client, Failure> {
    let client = Client::new(url);
    let session = client.login(username, PASSWORD)?;
    Ok(client.with_token(session.token))
}

fn transition(to: RequestState) -> TransitionRequest {
    TransitionRequest {
        to,
        note: None,
        reasons: Vec::new(),
        document: None,
    }
}
