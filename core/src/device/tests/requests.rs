//! The request lifecycle end to end: finalised drafts accepted, rejected and revised,
//! returned and completed with a document, cancelled locally and on the server.

use super::*;

#[test]
fn draft_to_accepted_request_with_intact_files() {
    let e = env();
    let d = e.device.create_draft(TEST_SERVICE).unwrap();
    assert!(!d.valid);
    assert!(d.missing_attachments.contains(&"kk".to_string()));
    e.device.delete_draft(&d.id).unwrap();
    assert!(matches!(
        e.device.delete_draft(&d.id),
        Err(DeviceError::NotFound { .. })
    ));
    let id = e.draft(200_000, 1);
    let draft = e.device.draft(&id).unwrap();
    assert!(draft.valid, "{:?}", draft.issues);
    let photo = e.file("foto.pdf", 1000, 9);
    e.device
        .attach(&id, "foto", photo.to_str().unwrap(), "image/jpeg")
        .unwrap();
    // The camera file may vanish once attached.
    std::fs::remove_file(&photo).unwrap();

    let req = e.device.finalise(&id).unwrap();
    assert_eq!(req.state, LocalState::Queued);
    assert_eq!(req.catalog_version, "1.0.0");
    assert_eq!(req.village.as_deref(), Some("13.05.01.2001"));
    assert!(e.device.drafts().unwrap().is_empty());
    assert!(matches!(
        e.device.draft(&id),
        Err(DeviceError::NotFound { .. })
    ));

    let events = Arc::new(Recorder::default());
    let report = e
        .device
        .sync(Some(events.clone()), &CancelToken::new())
        .unwrap();
    assert_eq!(report.accepted, 1);
    assert_eq!(report.files_uploaded, 2);
    assert_eq!(report.bytes_uploaded, 201_000);
    assert_eq!(report.pending_operations, 0);

    let req = e.device.request(&req.id).unwrap();
    assert_eq!(req.state, LocalState::Submitted);
    let server = e.server.requests();
    assert_eq!(server.len(), 1);
    assert_eq!(
        req.tracking_code.as_deref(),
        Some(server[0].tracking_code.as_str())
    );
    for a in &req.attachments {
        let blob = e.server.blob(&a.sha256).unwrap();
        assert_eq!(hex::encode(Sha256::digest(&blob)), a.sha256);
        // The managed copy is sealed on disk; its plaintext is what the server got.
        assert_ne!(blob, std::fs::read(&a.path).unwrap());
        assert_eq!(blob, e.device.attachment_content(&a.id).unwrap());
    }
    let steps: Vec<LocalState> = req.timeline.iter().map(|t| t.state).collect();
    assert_eq!(
        steps,
        [
            LocalState::Queued,
            LocalState::Uploading,
            LocalState::Pushed,
            LocalState::Submitted
        ]
    );
    assert!(req.timeline.last().unwrap().from_server);

    let seen = events.0.lock().unwrap();
    let bytes: Vec<u64> = seen
        .iter()
        .filter(|p| p.step == SyncStep::Uploading)
        .map(|p| p.bytes_sent)
        .collect();
    assert!(bytes.windows(2).all(|w| w[0] <= w[1]), "{bytes:?}");
    assert_eq!(bytes.last().copied(), Some(201_000));
    assert_eq!(seen.last().unwrap().step, SyncStep::Done);
}

#[test]
fn rejection_needs_fix_and_revision_resubmits() {
    let e = env();
    let id = e.draft(1000, 7);
    let req = e.device.finalise(&id).unwrap();
    let issue = Issue {
        field: Some("keterangan".into()),
        code: "text.invalid_chars".into(),
        severity: Severity::Error,
        message_id: "Karakter tidak sah".into(),
        message_en: "Invalid characters".into(),
        params: HashMap::new(),
    };
    e.server.reject_next(vec![issue.clone()]);
    let report = e.sync().unwrap();
    assert_eq!(report.needs_fix, 1);
    let r = e.device.request(&req.id).unwrap();
    assert_eq!(r.state, LocalState::NeedsFix);
    assert_eq!(r.issues, vec![issue]);
    assert!(r.can_revise);

    let draft = e.device.revise(&req.id).unwrap();
    assert_eq!(draft.revises.as_deref(), Some(req.id.as_str()));
    assert_eq!(draft.attachments.len(), 1);
    assert_eq!(
        e.device.revise(&req.id).unwrap().id,
        draft.id,
        "revising twice: same draft"
    );
    let values = [(
        "keterangan".to_string(),
        "Mohon diproses segera".to_string(),
    )]
    .into_iter()
    .collect();
    e.device.set_values(&draft.id, values).unwrap();
    let again = e.device.finalise(&draft.id).unwrap();
    assert_eq!(again.id, req.id, "the same local request");
    assert_eq!(again.state, LocalState::Queued);
    e.sync().unwrap();
    let r = e.device.request(&req.id).unwrap();
    assert_eq!(r.state, LocalState::Submitted);
    assert!(r.issues.is_empty());
    let server = e.server.requests();
    assert_eq!(server.len(), 1);
    assert_eq!(
        server[0].payload.values["keterangan"],
        "Mohon diproses segera"
    );
}

#[test]
fn returned_request_is_revised_and_completed_with_document() {
    let e = env();
    let id = e.draft(1000, 8);
    let req = e.device.finalise(&id).unwrap();
    e.sync().unwrap();
    let srv = e.server.requests()[0].id.clone();
    let reason = ReturnReason {
        target: Some("kk".into()),
        message: "Foto KK buram".into(),
    };
    e.server
        .transition(&srv, RequestState::Returned, vec![reason.clone()], None);
    e.sync().unwrap();
    let r = e.device.request(&req.id).unwrap();
    assert_eq!(r.state, LocalState::Returned);
    assert_eq!(r.reasons, vec![reason]);

    let draft = e.device.revise(&req.id).unwrap();
    let old = draft.attachments[0].id.clone();
    e.device.remove_attachment(&old).unwrap();
    let sharper = e.file("kk-tajam.jpg", 5000, 99);
    e.device
        .attach(&draft.id, "kk", sharper.to_str().unwrap(), "image/jpeg")
        .unwrap();
    e.device.finalise(&draft.id).unwrap();
    e.sync().unwrap();
    let s = &e.server.requests()[0];
    assert_eq!((s.state, s.revisions), (RequestState::Submitted, 1));
    assert_eq!(
        e.server.blob(&s.payload.attachments[0].sha256).unwrap(),
        std::fs::read(&sharper).unwrap()
    );
    assert_eq!(
        e.device.request(&req.id).unwrap().state,
        LocalState::Submitted
    );

    e.server
        .transition(&srv, RequestState::Verified, vec![], None);
    e.server
        .transition(&srv, RequestState::Processing, vec![], None);
    let doc = DocumentInfo {
        number: "1305-LU-01122026-0001".into(),
        pickup: "Cetak sendiri".into(),
    };
    e.server
        .transition(&srv, RequestState::Completed, vec![], Some(doc.clone()));
    let report = e.sync().unwrap();
    assert_eq!(report.changes_pulled, 3, "feed pages of 2 are followed");
    let r = e.device.request(&req.id).unwrap();
    assert_eq!(r.state, LocalState::Completed);
    assert_eq!(r.document, Some(doc));
    assert!(!r.can_cancel && !r.can_revise);
    assert!(matches!(
        e.device.cancel(&req.id),
        Err(DeviceError::InvalidInput { .. })
    ));
}

#[test]
fn cancel_locally_before_sending_and_remotely_after() {
    let e = env();
    let a = e.device.finalise(&e.draft(1000, 10)).unwrap();
    let r = e.device.cancel(&a.id).unwrap();
    assert_eq!(r.state, LocalState::Cancelled);
    e.sync().unwrap();
    assert!(e.server.requests().is_empty(), "never sent");
    assert_eq!(e.server.count("POST /v1/uploads"), 0);

    let b = e.device.finalise(&e.draft(1000, 11)).unwrap();
    e.sync().unwrap();
    let r = e.device.cancel(&b.id).unwrap();
    assert!(r.cancel_pending && !r.can_cancel);
    assert_eq!(r.state, LocalState::Submitted);
    e.sync().unwrap();
    assert_eq!(
        e.device.request(&b.id).unwrap().state,
        LocalState::Cancelled
    );
    assert_eq!(e.server.requests()[0].state, RequestState::Cancelled);
}

#[test]
fn cancel_after_a_lost_answer_goes_to_the_server() {
    let e = env();
    let a = e.device.finalise(&e.draft(1000, 12)).unwrap();
    for _ in 0..4 {
        e.server.fault(Fault::LoseAnswer {
            prefix: "POST /v1/sync/push".into(),
        });
    }
    assert!(e.sync().is_err());
    // The server has it, though the device never heard: the cancel must travel.
    let r = e.device.cancel(&a.id).unwrap();
    assert!(r.cancel_pending);
    e.sync_until_ok();
    e.sync().unwrap();
    assert_eq!(e.server.requests()[0].state, RequestState::Cancelled);
    assert_eq!(
        e.device.request(&a.id).unwrap().state,
        LocalState::Cancelled
    );
}
