//! Sync passes under faults: broken and expired uploads, lost answers, server errors with
//! back-off, refused and renewed sessions, catalog refresh, cancellation and going offline.

use super::*;

#[test]
fn broken_upload_resumes_from_the_server_offset() {
    let e = env();
    let id = e.draft(300_000, 2);
    e.device.finalise(&id).unwrap();
    // Two breaks in the middle of chunks: the server keeps what it received.
    e.server.fault(Fault::DropPatchAfter(10_000));
    e.server.fault(Fault::DropPatchAfter(50_000));
    let report = e.sync().unwrap();
    assert_eq!(report.accepted, 1);
    // The server keeps what arrived before each break and the upload goes on from there:
    // no file byte arrives twice (the rest is the small JSON bodies).
    let sent = e.server.bytes_in();
    assert!(sent < 300_000 + 2_000, "{sent}");
    let r = &e.server.requests()[0];
    let blob = e.server.blob(&r.payload.attachments[0].sha256).unwrap();
    assert_eq!(blob, std::fs::read(e.dir.path().join("kk-2.jpg")).unwrap());
    assert!(e.server.count("HEAD /v1/uploads/") >= 3);
}

#[test]
fn a_cut_inside_every_chunk_costs_no_byte_and_no_pause() {
    // A pause after a drop would make this pass take minutes.
    let e = env_with(|c| c.retry_pause_ms = 60_000);
    let size = 300_000;
    let id = e.draft(size, 5);
    e.device.finalise(&id).unwrap();
    // Every PATCH breaks halfway: each chunk the engine sends is cut at least once.
    let patches = size.div_ceil(CHUNK as usize / 2);
    for _ in 0..patches {
        e.server.fault(Fault::DropPatchAfter(CHUNK as usize / 2));
    }
    let started = std::time::Instant::now();
    let report = e.sync().unwrap();
    assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());
    assert_eq!(report.accepted, 1);
    assert_eq!(e.server.count("PATCH /v1/uploads/"), patches);
    let sent = e.server.bytes_in();
    assert!(sent < size as u64 + 2_000, "{sent}");
    let r = &e.server.requests()[0];
    let blob = e.server.blob(&r.payload.attachments[0].sha256).unwrap();
    assert_eq!(blob, std::fs::read(e.dir.path().join("kk-5.jpg")).unwrap());
}

#[test]
fn background_uploads_leave_one_small_push_for_send() {
    let e = env_with(|c| c.background_uploads = true);
    let id = e.draft(200_000, 6);
    let report = e.sync().unwrap();
    assert_eq!(report.files_uploaded, 1, "uploaded while still a draft");
    assert!(e.server.requests().is_empty());
    let before = e.server.bytes_in();
    let patches = e.server.count("PATCH /v1/uploads/");
    e.device.finalise(&id).unwrap();
    let report = e.sync().unwrap();
    assert_eq!(report.accepted, 1);
    assert_eq!(e.server.count("PATCH /v1/uploads/"), patches);
    let sent = e.server.bytes_in() - before;
    assert!(sent < 5_000, "send cost {sent} bytes");
    assert_eq!(e.server.count("DELETE /v1/uploads/"), 0, "nothing released");
}

#[test]
fn a_deleted_draft_releases_its_upload() {
    let e = env_with(|c| c.background_uploads = true);
    let id = e.draft(300_000, 7);
    // Stop after the first chunk: a half-done upload stays on the server.
    let token = CancelToken::new();
    struct CancelAfter(CancelToken);
    impl SyncListener for CancelAfter {
        fn on_progress(&self, p: SyncProgress) {
            if p.bytes_sent > 0 {
                self.0.cancel();
            }
        }
    }
    let listener = Arc::new(CancelAfter(token.clone()));
    assert!(matches!(
        e.device.sync(Some(listener), &token),
        Err(DeviceError::Cancelled { .. })
    ));
    assert!(e.server.count("PATCH /v1/uploads/") >= 1);
    e.device.delete_draft(&id).unwrap();
    e.sync().unwrap();
    assert_eq!(e.server.count("DELETE /v1/uploads/"), 1);
    // Released once; the file is not uploaded any more.
    let patches = e.server.count("PATCH /v1/uploads/");
    e.sync().unwrap();
    assert_eq!(e.server.count("DELETE /v1/uploads/"), 1);
    assert_eq!(e.server.count("PATCH /v1/uploads/"), patches);
}

#[test]
fn lost_push_answer_is_replayed_not_duplicated() {
    let e = env();
    let a = e.draft(1000, 3);
    let b = e.draft(1000, 4);
    let ra = e.device.finalise(&a).unwrap();
    let rb = e.device.finalise(&b).unwrap();
    e.server.fault(Fault::LoseAnswer {
        prefix: "POST /v1/sync/push".into(),
    });
    e.server.fault(Fault::LoseAnswer {
        prefix: "POST /v1/sync/push".into(),
    });
    e.server.fault(Fault::LoseAnswer {
        prefix: "POST /v1/sync/push".into(),
    });
    e.server.fault(Fault::LoseAnswer {
        prefix: "POST /v1/sync/push".into(),
    });
    // Four lost answers exhaust the pass's network retries: offline, op kept with a backoff.
    assert!(matches!(e.sync(), Err(DeviceError::Offline { .. })));
    assert_eq!(e.server.requests().len(), 2);
    let waiting = e.device.request(&ra.id).unwrap();
    assert_eq!(waiting.state, LocalState::Pushed);
    assert!(waiting.last_error.is_some());
    e.sync_until_ok();
    assert_eq!(
        e.server.requests().len(),
        2,
        "replays must not create requests"
    );
    for id in [&ra.id, &rb.id] {
        let r = e.device.request(id).unwrap();
        assert_eq!(r.state, LocalState::Submitted);
        let timeline_submitted = r
            .timeline
            .iter()
            .filter(|t| t.state == LocalState::Submitted)
            .count();
        assert_eq!(timeline_submitted, 1);
    }
}

#[test]
fn server_errors_back_off_per_operation() {
    let e = env();
    let id = e.draft(1000, 5);
    let req = e.device.finalise(&id).unwrap();
    e.server.fault(Fault::Status {
        prefix: "POST /v1/sync/push".into(),
        status: 429,
        retry_after: Some(1),
    });
    match e.sync() {
        Err(DeviceError::Server {
            status: 429,
            retry_after_ms: Some(1000),
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
    let r = e.device.request(&req.id).unwrap();
    let wait = r.next_attempt_ms.unwrap() - crate::now_ms();
    assert!(wait > 800, "Retry-After honoured: {wait}");
    // Before the time, a pass skips the operation instead of hammering the server.
    let pushes = e.server.count("POST /v1/sync/push");
    let report = e.sync().unwrap();
    assert_eq!(report.pending_operations, 1);
    assert!(report.next_retry_ms.is_some());
    assert_eq!(e.server.count("POST /v1/sync/push"), pushes);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    e.server.fault(Fault::Status {
        prefix: "POST /v1/sync/push".into(),
        status: 503,
        retry_after: None,
    });
    assert!(matches!(
        e.sync(),
        Err(DeviceError::Server { status: 503, .. })
    ));
    e.sync_until_ok();
    assert_eq!(
        e.device.request(&req.id).unwrap().state,
        LocalState::Submitted
    );
    assert_eq!(e.server.requests().len(), 1);
}

#[test]
fn refused_session_asks_to_log_in_and_keeps_data() {
    let e = env();
    let id = e.draft(1000, 6);
    let req = e.device.finalise(&id).unwrap();
    e.server.revoke_sessions();
    assert!(matches!(e.sync(), Err(DeviceError::Unauthorized { .. })));
    let acct = e.device.current_account().unwrap().unwrap();
    assert!(acct.needs_login && !acct.logged_in);
    // No network is spent while logged out.
    let calls = e.server.count("");
    assert!(matches!(e.sync(), Err(DeviceError::Unauthorized { .. })));
    assert_eq!(e.server.count(""), calls + 1, "only the catalog check");
    assert_eq!(
        e.device.request(&req.id).unwrap().state,
        LocalState::Uploading
    );
    e.device.login("1305014101900001", "rahasia123").unwrap();
    e.sync().unwrap();
    assert_eq!(
        e.device.request(&req.id).unwrap().state,
        LocalState::Submitted
    );
    assert!(matches!(
        e.device.login("1305014101900001", "salah"),
        Err(DeviceError::Unauthorized { .. })
    ));
}

/// A session in its last week on a server without renewal (an older release): the pass
/// completes with the token it has, the report says why it was not renewed.
#[test]
fn renewal_unknown_to_the_server_keeps_the_session() {
    let dir = tempfile::tempdir().unwrap();
    let server = FakeServer::new(test_catalog_json("1.0.0"));
    server.short_sessions(24 * 3600 * 1000);
    let device = open(&dir, &server);
    device.login("1305014101900001", "rahasia123").unwrap();
    let before = device.current_account().unwrap().unwrap();
    let report = device.sync(None, &CancelToken::new()).unwrap();
    assert_eq!(report.accounts_synced, 1);
    assert!(
        report
            .problems
            .iter()
            .any(|p| p == "session renewal: HTTP 404"),
        "{:?}",
        report.problems
    );
    assert_eq!(server.count("POST /v1/sessions/current/refresh"), 1);
    let after = device.current_account().unwrap().unwrap();
    assert!(after.logged_in && !after.needs_login);
    assert_eq!(after.session_expires_ms, before.session_expires_ms);
}

#[test]
fn catalog_is_refreshed_by_etag_and_cached() {
    let e = env();
    e.sync().unwrap();
    assert_eq!(e.server.count("GET /v1/catalog"), 1);
    let report = e.sync().unwrap();
    assert!(!report.catalog_updated, "304: unchanged");
    e.server.publish_catalog(test_catalog_json("1.1.0"));
    assert!(e.sync().unwrap().catalog_updated);
    assert_eq!(e.device.catalog().version(), "1.1.0");
    drop(e.device);
    let device = open(&e.dir, &e.server);
    assert_eq!(
        device.catalog().version(),
        "1.1.0",
        "cached across restarts"
    );
    // An older catalog from the server never replaces a newer one.
    e.server.publish_catalog(test_catalog_json("0.9.0"));
    let report = device.sync(None, &CancelToken::new()).unwrap();
    assert!(!report.catalog_updated);
    assert_eq!(report.problems.len(), 1);
    assert_eq!(device.catalog().version(), "1.1.0");
}

#[test]
fn outdated_catalog_marks_for_fixing() {
    let e = env();
    let req = e.device.finalise(&e.draft(1000, 13)).unwrap();
    e.server.outdated_next();
    e.sync().unwrap();
    let r = e.device.request(&req.id).unwrap();
    assert_eq!(r.state, LocalState::NeedsFix);
    assert_eq!(r.issues[0].code, "catalog.outdated");
    assert_eq!(r.issues[0].params["version"], "9999.1.1");
}

#[test]
fn cancelled_sync_stops_between_chunks_and_resumes() {
    let e = env();
    let req = e.device.finalise(&e.draft(400_000, 16)).unwrap();
    let token = CancelToken::new();
    struct CancelAfter(CancelToken, u64);
    impl SyncListener for CancelAfter {
        fn on_progress(&self, p: SyncProgress) {
            if p.bytes_sent >= self.1 {
                self.0.cancel();
            }
        }
    }
    let listener = Arc::new(CancelAfter(token.clone(), 100_000));
    assert!(matches!(
        e.device.sync(Some(listener), &token),
        Err(DeviceError::Cancelled { .. })
    ));
    let sent = e.server.bytes_in();
    assert!(sent < 400_000, "{sent}");
    e.sync().unwrap();
    assert_eq!(
        e.device.request(&req.id).unwrap().state,
        LocalState::Submitted
    );
    assert!(
        e.server.bytes_in() < 400_000 + 2_000,
        "resumed, not restarted"
    );
}

#[test]
fn expired_upload_is_created_again() {
    let e = env();
    let req = e.device.finalise(&e.draft(200_000, 17)).unwrap();
    e.server.fault(Fault::DropPatchAfter(1000));
    for _ in 0..4 {
        e.server.fault(Fault::Offline {
            prefix: "HEAD".into(),
        });
    }
    assert!(matches!(e.sync(), Err(DeviceError::Offline { .. })));
    e.server.expire_uploads();
    e.sync_until_ok();
    assert_eq!(
        e.server.count("POST /v1/uploads"),
        2,
        "{:#?}",
        e.server.log()
    );
    assert_eq!(
        e.device.request(&req.id).unwrap().state,
        LocalState::Submitted
    );
}

#[test]
fn offline_keeps_everything_for_later() {
    let e = env();
    let req = e.device.finalise(&e.draft(1000, 18)).unwrap();
    for _ in 0..4 {
        e.server.fault(Fault::Offline {
            prefix: "POST /v1/uploads".into(),
        });
    }
    match e.sync() {
        Err(err @ DeviceError::Offline { .. }) => assert!(err.is_retryable()),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        e.device.request(&req.id).unwrap().state,
        LocalState::Uploading
    );
    e.sync_until_ok();
    assert_eq!(
        e.device.request(&req.id).unwrap().state,
        LocalState::Submitted
    );
}

#[test]
fn refused_identity_refresh_does_not_stop_the_pass() {
    let e = env();
    // Registered but not yet shown to own the NIK: every pass asks the registry again.
    e.server.set_identity(
        "1305014101900001",
        Some(crate::protocol::IdentityState::Unverified),
    );
    e.device
        .logout(&e.device.current_account().unwrap().unwrap().id)
        .unwrap();
    e.device.login("1305014101900001", "rahasia123").unwrap();
    let draft = e.draft(3_000, 31);
    e.device.finalise(&draft).unwrap();
    // A permanent refusal of `GET /v1/me` (a proxy, or a registry that forbids it) is
    // reported, and the pass still sends what was queued.
    e.server.fault(Fault::Status {
        prefix: "GET /v1/me".into(),
        status: 403,
        retry_after: None,
    });
    let report = e.device.sync(None, &CancelToken::new()).unwrap();
    assert!(
        report.problems.iter().any(|p| p.starts_with("identity:")),
        "{:?}",
        report.problems
    );
    assert_eq!(e.server.requests().len(), 1, "the request was still sent");
    let account = e.device.current_account().unwrap().unwrap();
    assert!(
        account.logged_in && !account.needs_login,
        "403 is not a logout"
    );
    // The next pass asks again and takes the registry's answer.
    e.server.set_identity(
        "1305014101900001",
        Some(crate::protocol::IdentityState::Verified),
    );
    e.device.sync(None, &CancelToken::new()).unwrap();
    assert_eq!(
        e.device.current_account().unwrap().unwrap().identity,
        Some(crate::protocol::IdentityState::Verified)
    );
}
