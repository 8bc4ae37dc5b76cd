//! The whole review workflow on a real server: submit with attachments, return with reasons,
//! revise, verify, process, complete; the citizen sees every step through pull.

use ceria_core::protocol::{Operation, Role};
use ceria_test_support::*;
use serde_json::json;

#[test]
fn a_request_goes_from_submission_to_completion() {
    let ts = TestServer::start();
    let fx = fixture();
    let citizen = ts.citizen(&nik(1), "Siti Rahma");
    let operator = ts.staff(Role::Operator, "operator.x", Some(VILLAGE_X));
    let officer = ts.staff(Role::Officer, "petugas", None);
    let admin = ts.staff(Role::Admin, "admin", None);

    // Submit.
    let payload = payload(&ts, &citizen, &fx, VILLAGE_X, None);
    let op = submit(&payload);
    let results = ts.push(&citizen, std::slice::from_ref(&op));
    assert_eq!(results[0]["status"], "accepted", "{results:?}");
    assert_eq!(results[0]["state"], "submitted");
    let id = results[0]["request_id"].as_str().unwrap().to_string();
    let code = results[0]["tracking_code"].as_str().unwrap().to_string();
    assert!(
        ceria_server::tracking::normalize(&code).as_deref() == Some(code.as_str()),
        "{code}"
    );

    // The operator's queue has it; return it with a reason per field.
    let queue = ts
        .call("GET", "/v1/requests?state=submitted", Some(&operator), None)
        .json();
    assert_eq!(queue["items"].as_array().unwrap().len(), 1);
    assert_eq!(queue["items"][0]["id"], id.as_str());
    let r = ts.transition(&operator, &id, json!({"to": "returned", "reasons": []}));
    r.problem(422, "request.malformed");
    let reasons =
        json!([{"target": fx.attachments[0], "message": "Foto buram, mohon difoto ulang"}]);
    let r = ts.transition(
        &operator,
        &id,
        json!({"to": "returned", "reasons": reasons, "note": "Periksa lampiran"}),
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["state"], "returned");

    // The citizen sees it, with the reasons, and revises.
    let changes = ts.pull_all(&citizen);
    let last = changes.last().unwrap();
    assert_eq!(last["state"], "returned");
    assert_eq!(
        last["reasons"][0]["message"],
        "Foto buram, mohon difoto ulang"
    );
    assert_eq!(
        last["local_id"],
        serde_json::to_value(&op).unwrap()["local_id"]
    );
    let revised = ceria_core::protocol::RequestPayload {
        attachments: retaken_payload(&ts, &citizen, &fx).attachments,
        ..payload.clone()
    };
    let revise = Operation::Revise {
        op_id: op_id(),
        request_id: id.clone(),
        request: revised,
    };
    let results = ts.push(&citizen, &[revise]);
    assert_eq!(results[0]["status"], "accepted", "{results:?}");
    assert_eq!(results[0]["tracking_code"], code.as_str());
    assert_eq!(results[0]["state"], "submitted");

    // Verify (nagari), process, complete (registry).
    let r = ts.transition(&operator, &id, json!({"to": "verified"}));
    assert_eq!(r.json()["state"], "verified");
    ts.transition(&operator, &id, json!({"to": "processing"}))
        .problem(403, "auth.forbidden");
    assert_eq!(
        ts.transition(&officer, &id, json!({"to": "processing"}))
            .json()["state"],
        "processing"
    );
    ts.transition(&officer, &id, json!({"to": "completed"}))
        .problem(422, "request.malformed");
    let doc = json!({"number": "1305-LU-29112026-0001", "pickup": "Cetak sendiri dari aplikasi"});
    let r = ts.transition(&officer, &id, json!({"to": "completed", "document": doc}));
    assert_eq!(r.json()["state"], "completed");
    // Final means final.
    ts.transition(&officer, &id, json!({"to": "processing"}))
        .problem(409, "state.illegal_transition");

    // The citizen's feed: every step, in server order, with the document at the end.
    let changes = ts.pull_all(&citizen);
    let states: Vec<&str> = changes
        .iter()
        .map(|c| c["state"].as_str().unwrap())
        .collect();
    assert_eq!(
        states,
        [
            "submitted",
            "returned",
            "submitted",
            "verified",
            "processing",
            "completed"
        ]
    );
    let seqs: Vec<i64> = changes.iter().map(|c| c["seq"].as_i64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(changes[5]["document"]["number"], "1305-LU-29112026-0001");
    // Paging with the cursor gives the same feed.
    let mut cursor = String::new();
    let mut paged = Vec::new();
    loop {
        let page = ts
            .call(
                "GET",
                &format!("/v1/sync/pull?since={cursor}&limit=4"),
                Some(&citizen),
                None,
            )
            .json();
        paged.extend(page["changes"].as_array().unwrap().iter().cloned());
        cursor = page["next_cursor"].as_str().unwrap().to_string();
        if !page["more"].as_bool().unwrap() {
            break;
        }
    }
    assert_eq!(paged, changes);
    let empty = ts
        .call(
            "GET",
            &format!("/v1/sync/pull?since={cursor}"),
            Some(&citizen),
            None,
        )
        .json();
    assert!(empty["changes"].as_array().unwrap().is_empty());
    assert_eq!(empty["next_cursor"], cursor.as_str());

    // The audit log: who, when, from, to, note.
    let detail = ts
        .call("GET", &format!("/v1/requests/{id}"), Some(&officer), None)
        .json();
    let history = detail["history"].as_array().unwrap();
    assert_eq!(history.len(), 6);
    assert_eq!(history[1]["actor"], "operator.x");
    assert_eq!(history[1]["from"], "submitted");
    assert_eq!(history[1]["to"], "returned");
    assert_eq!(history[1]["note"], "Periksa lampiran");
    assert_eq!(history[5]["actor"], "petugas");
    assert_eq!(detail["payload"]["service"], fx.service.as_str());

    // The reviewer downloads the (revised) files byte for byte.
    for a in detail["attachments"].as_array().unwrap() {
        let sha = a["sha256"].as_str().unwrap();
        let r = ts.raw(
            "GET",
            &format!("/v1/requests/{id}/attachments/{sha}"),
            Some(&officer),
            &[],
            None,
        );
        assert_eq!(r.status, 200);
        assert_eq!(
            hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&r.body)),
            sha
        );
    }

    // Stats count it.
    let stats = ts.call("GET", "/v1/stats", Some(&admin), None).json();
    let year = &stats["years"][0];
    assert_eq!(year["requests"], 1);
    assert_eq!(year["by_state"]["completed"], 1);
    assert_eq!(year["by_village"][VILLAGE_X], 1);
    assert_eq!(year["processing"][fx.service.as_str()]["completed"], 1);
    assert_eq!(year["processing"][fx.service.as_str()]["on_time"], 1);
    assert_eq!(stats["users_by_role"]["citizen"], 1);
    assert_eq!(stats["users_by_role"]["operator"], 1);
}

/// Fresh uploads for a revision (new photos).
fn retaken_payload(
    ts: &TestServer,
    token: &str,
    fx: &Fixture,
) -> ceria_core::protocol::RequestPayload {
    let mut p = payload(ts, token, fx, VILLAGE_X, None);
    for a in &mut p.attachments {
        let mut data = vec![0xFF, 0xD8, 0xFF, 0xE0];
        data.extend(format!("retaken photo of {}", a.requirement).into_bytes());
        a.sha256 = ts.upload(token, &data);
        a.size = data.len() as u64;
    }
    p
}

#[test]
fn an_operator_submits_for_a_citizen_who_then_follows_it() {
    let ts = TestServer::start();
    let fx = fixture();
    let operator = ts.staff(Role::Operator, "operator.x", Some(VILLAGE_X));
    let citizen_nik = nik(7);
    // The operator types the NIK in groups, as printed on the KTP-el.
    let grouped = format!(
        "{} {} {}",
        &citizen_nik[..6],
        &citizen_nik[6..12],
        &citizen_nik[12..]
    );
    let p = payload(&ts, &operator, &fx, VILLAGE_X, Some(&grouped));
    let results = ts.push(&operator, &[submit(&p)]);
    assert_eq!(results[0]["status"], "accepted", "{results:?}");
    let id = results[0]["request_id"].as_str().unwrap();

    // The citizen registers later; once the operator has checked their KTP-el (issue 11:
    // registering a NIK alone proves nothing), they see the request filed for their NIK and
    // may cancel it.
    let citizen = ts.citizen(&citizen_nik, "Budi Santoso");
    assert!(ts.pull_all(&citizen).is_empty(), "not before verification");
    let r = ts.call(
        "POST",
        "/v1/identity/verifications",
        Some(&operator),
        Some(&json!({"nik": citizen_nik, "document": "ktp_el"})),
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let changes = ts.pull_all(&citizen);
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0]["request_id"], id);
    let cancel = Operation::Cancel {
        op_id: op_id(),
        request_id: id.to_string(),
    };
    let results = ts.push(&citizen, &[cancel]);
    assert_eq!(results[0]["state"], "cancelled", "{results:?}");
    assert_eq!(ts.pull_all(&operator).last().unwrap()["state"], "cancelled");

    // Without a NIK to file for, or for another village, nothing is stored.
    let mut no_nik = p.clone();
    no_nik.on_behalf_of = None;
    let mut elsewhere = p.clone();
    elsewhere.village = VILLAGE_Y.into();
    let results = ts.push(&operator, &[submit(&no_nik), submit(&elsewhere)]);
    assert_eq!(results[0]["status"], "rejected");
    assert_eq!(results[0]["issues"][0]["field"], "on_behalf_of");
    assert_eq!(results[0]["issues"][0]["code"], "field.required");
    assert_eq!(results[1]["status"], "rejected");
    assert_eq!(results[1]["issues"][0]["code"], "auth.forbidden");
}

#[test]
fn invalid_and_half_uploaded_submissions_are_never_stored() {
    let ts = TestServer::start();
    let fx = fixture();
    let citizen = ts.citizen(&nik(2), "Rina Putri");
    let officer = ts.staff(Role::Officer, "petugas", None);
    let good = payload(&ts, &citizen, &fx, VILLAGE_X, None);

    // A typical mistake from the catalog's fixtures: rejected with per-field issues.
    if let Some(mistake) = &fx.mistake {
        let mut bad = good.clone();
        bad.values = mistake.clone();
        let results = ts.push(&citizen, &[submit(&bad)]);
        assert_eq!(results[0]["status"], "rejected", "{results:?}");
        assert!(!results[0]["issues"].as_array().unwrap().is_empty());
    }

    // An attachment whose upload never finished.
    // (A JPEG signature: the registry judges files by their content.)
    let mut photo = [7u8; 100];
    photo[..4].copy_from_slice(&[0xFF, 0xD8, 0xFF, 0xE0]);
    let location = ts.create_upload(&citizen, 100, None);
    assert_eq!(
        ts.patch(&citizen, &location, 0, &photo[..40], None).status,
        204
    );
    let mut partial = good.clone();
    partial.attachments[0].sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(photo));
    partial.attachments[0].size = 100;
    let op = submit(&partial);
    let results = ts.push(&citizen, std::slice::from_ref(&op));
    assert_eq!(results[0]["status"], "rejected", "{results:?}");
    assert_eq!(results[0]["issues"][0]["code"], "attachment.not_uploaded");
    assert_eq!(
        results[0]["issues"][0]["params"]["attachment"],
        fx.attachments[0].as_str()
    );

    // Finish the upload; the same operation (same op_id) now goes through.
    assert_eq!(
        ts.patch(&citizen, &location, 40, &photo[40..], None).status,
        204
    );
    let results = ts.push(&citizen, &[op]);
    assert_eq!(results[0]["status"], "accepted", "{results:?}");

    // An older catalog version with a form the current catalog refuses: catalog_outdated.
    let mut stale = good.clone();
    stale.catalog_version = "0.0.1".into();
    stale.values.clear();
    let results = ts.push(&citizen, &[submit(&stale)]);
    assert_eq!(results[0]["status"], "catalog_outdated", "{results:?}");
    assert_eq!(results[0]["current_version"], good.catalog_version.as_str());
    // ... while a stale version with a still-valid form is accepted.
    let mut old_ok = good.clone();
    old_ok.catalog_version = "0.0.1".into();
    assert_eq!(
        ts.push(&citizen, &[submit(&old_ok)])[0]["status"],
        "accepted"
    );

    // An unknown service.
    let mut unknown = good.clone();
    unknown.service = "akta_naga".into();
    let results = ts.push(&citizen, &[submit(&unknown)]);
    assert_eq!(results[0]["status"], "rejected");
    assert_eq!(results[0]["issues"][0]["field"], "service");

    let all = ts.call("GET", "/v1/requests", Some(&officer), None).json();
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
}

/// A reviewer sees what the core warns about an accepted form, judged as on the day it was
/// submitted: a late birth report, and NIK / No. KK prefixes the imported region table does
/// not list. Neither refuses the request.
#[test]
fn reviewers_see_the_warnings_of_an_accepted_form() {
    let mut ts = TestServer::start();
    // A region table without the fixture's district (13.05.09), loaded at the next start.
    let csv = ts.data_dir().join("wilayah.csv");
    std::fs::write(
        &csv,
        "code,name\n13,Sumatera Barat\n13.05,Padang Pariaman\n13.05.01,Batang Anai\n\
         13.05.01.2001,Kasang\n",
    )
    .unwrap();
    ceria_server::admin::import_regions(&ts.db(), &csv).unwrap();
    ts.restart();

    let fx = fixture();
    assert_eq!(
        fx.service, "akta_kelahiran",
        "the fixture this test words its fields for"
    );
    let citizen = ts.citizen(&nik(7), "Rahmi Yulia");
    let officer = ts.staff(Role::Officer, "petugas.w", None);
    let mut late = payload(&ts, &citizen, &fx, VILLAGE_X, None);
    // Born 181 days before the fixtures' day: past the 60-day deadline.
    late.values
        .insert("tanggal_lahir_anak".into(), "2026-06-01".into());
    let results = ts.push(&citizen, &[submit(&late)]);
    assert_eq!(results[0]["status"], "accepted", "{results:?}");
    let id = results[0]["request_id"].as_str().unwrap().to_string();

    let detail = ts
        .call("GET", &format!("/v1/requests/{id}"), Some(&officer), None)
        .json();
    let warnings = detail["warnings"].as_array().unwrap();
    let has = |field: &str, code: &str| {
        warnings
            .iter()
            .any(|w| w["field"] == field && w["code"] == code && w["severity"] == "warning")
    };
    assert!(
        has("tanggal_lahir_anak", "akta_kelahiran.late"),
        "{warnings:?}"
    );
    assert!(has("nomor_kk", "kk.region_unknown"), "{warnings:?}");
    for field in ["nik_ibu", "nik_ayah", "nik_pelapor"] {
        assert!(has(field, "nik.region_unknown"), "{field}: {warnings:?}");
    }
    assert!(has("desa", "region.unknown"), "{warnings:?}");
    assert!(
        warnings.iter().all(|w| w["severity"] == "warning"),
        "{warnings:?}"
    );
    let late_warning = warnings
        .iter()
        .find(|w| w["code"] == "akta_kelahiran.late")
        .unwrap();
    assert!(
        late_warning["message_id"]
            .as_str()
            .unwrap()
            .contains("terlambat"),
        "{late_warning}"
    );

    // An on-time form from a listed district has nothing to check.
    let citizen2 = ts.citizen(&nik(8), "Yusuf Malin");
    let mut clean = payload(&ts, &citizen2, &fx, VILLAGE_X, None);
    for (field, value) in clean.values.iter_mut() {
        if ["nomor_kk", "nik_ibu", "nik_ayah", "nik_pelapor"].contains(&field.as_str()) {
            value.replace_range(4..6, "01");
        }
    }
    clean.values.insert("desa".into(), "13.05.01.2001".into());
    let results = ts.push(&citizen2, &[submit(&clean)]);
    assert_eq!(results[0]["status"], "accepted", "{results:?}");
    let id2 = results[0]["request_id"].as_str().unwrap();
    let detail = ts
        .call("GET", &format!("/v1/requests/{id2}"), Some(&officer), None)
        .json();
    assert_eq!(detail["warnings"], serde_json::json!([]), "{detail}");
}
