//! The web request form (`web::form`) over HTTP: a citizen's new request with mistakes gets
//! the core's messages per field (live check and final check), the draft survives a closed
//! browser, the fixed request is sent once (a replayed send is the same request) and shows
//! in the sync API; the no-JS file post; revising a returned request with the reviewer's
//! reasons next to what they name; an operator filing for a resident (and not for another
//! village: 404); CSRF refusals; hostile values escaped.

use ceria_core::protocol::Role;
use ceria_core::{Catalog, ValidationContext};
use ceria_test_support::web::*;
use ceria_test_support::*;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

const SERVICE: &str = "ktp_baru";
const BOUNDARY: &str = "----ceria-form-test-boundary-q8Zr2";

/// Posts `fields` and `files` (`(field name, bytes)`) as `multipart/form-data`.
fn multipart(
    b: &mut Browser,
    path: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &[u8])],
) -> Page {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .into_bytes(),
        );
    }
    for (name, bytes) in files {
        body.extend(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"kk.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
            )
            .into_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend(format!("--{BOUNDARY}--\r\n").into_bytes());
    let kind = format!("multipart/form-data; boundary={BOUNDARY}");
    b.send_body("POST", path, Some(&kind), body, &[])
}

/// The valid example of the service as form fields `v.<id>`.
fn valid_values() -> BTreeMap<String, String> {
    example_form(SERVICE).0.into_iter().collect()
}

fn as_fields(values: &BTreeMap<String, String>) -> Vec<(String, String)> {
    values
        .iter()
        .map(|(k, v)| (format!("v.{k}"), v.clone()))
        .collect()
}

fn with<'a>(
    csrf: &'a str,
    action: &'a str,
    values: &'a [(String, String)],
) -> Vec<(&'a str, &'a str)> {
    let mut all = vec![("_csrf", csrf), ("action", action)];
    all.extend(values.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    all
}

/// The values with two mistakes: a NIK whose birth date part is not the birth date, and a
/// name with a title (`, S.Kom`); with the core's Indonesian messages for them.
fn mistakes() -> (BTreeMap<String, String>, String, String) {
    let mut values = valid_values();
    let birth = values["tanggal_lahir"].clone();
    // One day later than the NIK says.
    let (y, m, d) = (&birth[..4], &birth[5..7], &birth[8..10]);
    let day: u32 = d.parse().unwrap();
    values.insert(
        "tanggal_lahir".into(),
        format!("{y}-{m}-{:02}", day % 28 + 1),
    );
    // An academic title after a comma, as people write it on letters (not on the KTP-el).
    values.insert("nama".into(), format!("{}, S.Kom", values["nama"]));
    let ctx = ValidationContext {
        today: Some(fixture_today()),
        regions: None,
    };
    let attached = BTreeSet::from(["kk".to_string()]);
    let report = Catalog::embedded()
        .validate(SERVICE, &values, &attached, &ctx)
        .unwrap();
    let message = |field: &str| {
        report
            .issues_for(field)
            .next()
            .unwrap_or_else(|| panic!("an issue on {field}: {:?}", report.issues))
            .message_id
            .clone()
    };
    let nik_message = report
        .issues
        .iter()
        .find(|i| i.code.starts_with("nik."))
        .unwrap_or_else(|| panic!("a NIK issue: {:?}", report.issues));
    let nik_field = nik_message.field.clone().unwrap();
    assert!(
        nik_field == "nik" || nik_field == "tanggal_lahir",
        "{nik_field}"
    );
    let nik_text = message(&nik_field);
    (values, nik_text, message("nama"))
}

/// Starts a draft of `service` from the picker at `start`; answers the draft's page path.
fn start_draft(b: &mut Browser, start: &str, service: &str) -> String {
    let picker = b.get(start);
    assert_eq!(picker.status, 200, "{}", picker.body);
    let csrf = csrf_in(&picker.body);
    let p = b.post(start, &[("_csrf", &csrf), ("service", service)]);
    assert_eq!(p.status, 303, "{}", p.body);
    p.location.unwrap()
}

fn live(b: &mut Browser, draft: &str, csrf: &str, values: &[(String, String)]) -> Value {
    let p = b.post(&format!("{draft}/cek"), &with(csrf, "", values));
    assert_eq!(p.status, 200, "{}", p.body);
    serde_json::from_str(&p.body).unwrap()
}

#[test]
fn a_citizen_files_a_request_with_mistakes_fixes_it_and_sends_it_once() {
    let ts = TestServer::start();
    let account = nik(41);
    ts.citizen(&account, "Andika Pratama");
    let mut b = Browser::new(&ts);
    b.citizen_sign_in(&account, PASSWORD);
    let catalog = Catalog::embedded();

    // The picker groups the services as the catalog does.
    let picker = b.get("/layanan/permohonan/baru");
    for g in catalog.groups() {
        assert!(picker.body.contains(&escaped(&g.name.id)), "{}", g.id);
    }
    for s in catalog.services() {
        assert!(
            picker.body.contains(&format!("value=\"{}\"", s.id)),
            "{}",
            s.id
        );
    }
    let draft = start_draft(&mut b, "/layanan/permohonan/baru", SERVICE);
    assert!(draft.starts_with("/layanan/draf/"), "{draft}");
    let page = b.get(&draft);
    assert_eq!(page.status, 200);
    let body = &page.body;
    // The form and the attachment markup of the upload contract.
    for needle in [
        "enctype=\"multipart/form-data\"",
        "data-upload data-upload-url=\"/layanan/unggah\" data-requirement=\"kk\"",
        &format!("data-max-bytes=\"{}\"", catalog.max_attachment_bytes()),
        "data-accept=\"image/jpeg,image/png,application/pdf\"",
        "<input type=\"file\" id=\"file-kk\" name=\"file.kk\"",
        "<input type=\"hidden\" name=\"upload.kk\" value=\"\">",
        "class=\"upload-status\"",
        // Code lists as selects with their labels, dates, NIK as numeric text.
        "<select id=\"v-jenis_kelamin\" name=\"v.jenis_kelamin\"",
        "<input id=\"v-tanggal_lahir\" name=\"v.tanggal_lahir\" type=\"date\"",
        "<input id=\"v-nik\" name=\"v.nik\" type=\"text\" value=\"\" inputmode=\"numeric\"",
        "aria-describedby=\"hint-nik msg-nik\"",
    ] {
        assert!(body.contains(needle), "{needle}\n{body}");
    }
    let sex = catalog.code_label("sex", "L").unwrap();
    assert!(body.contains(&escaped(&sex.id)), "{body}");
    let csrf = csrf_in(body);

    // The live check answers the core's Indonesian messages next to the two fields.
    let (wrong, nik_text, name_text) = mistakes();
    let answer = live(&mut b, &draft, &csrf, &as_fields(&wrong));
    let texts: Vec<&str> = answer["fields"]
        .as_object()
        .unwrap()
        .values()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert!(texts.contains(&nik_text.as_str()), "{answer}");
    assert_eq!(answer["fields"]["nama"]["text"], name_text, "{answer}");
    assert_eq!(answer["fields"]["nama"]["severity"], "error");
    assert!(
        answer["relevant"].as_array().unwrap().len() >= 10,
        "{answer}"
    );
    // In English on request.
    b.get("/layanan/bahasa/en?back=/layanan/");
    let english = live(&mut b, &draft, &csrf, &as_fields(&wrong));
    assert_ne!(english["fields"]["nama"]["text"], name_text, "{english}");
    b.get("/layanan/bahasa/id?back=/layanan/");

    // The draft survives a closed browser: listed on "Permohonan saya", values kept, the
    // messages next to the filled fields.
    let mut again = Browser::new(&ts);
    again.citizen_sign_in(&account, PASSWORD);
    let list = again.get("/layanan/permohonan");
    assert!(
        list.body.contains(&format!("href=\"{draft}\"")),
        "{}",
        list.body
    );
    let reopened = again.get(&draft);
    assert!(
        reopened
            .body
            .contains(&format!("value=\"{}\"", escaped(&wrong["nama"]))),
        "{}",
        reopened.body
    );
    assert!(
        reopened.body.contains(&escaped(&name_text)),
        "{}",
        reopened.body
    );
    assert!(reopened.body.contains("aria-invalid=\"true\""));

    // Sending with the mistakes: refused with the final check listing both.
    let sent = b.post(&draft, &with(&csrf, "send", &as_fields(&wrong)));
    assert_eq!(sent.status, 422, "{}", sent.body);
    assert!(sent.body.contains("id=\"summary\""));
    assert!(sent.body.contains(&escaped(&nik_text)), "{}", sent.body);
    assert!(sent.body.contains(&escaped(&name_text)));
    // The missing KK is named at its input.
    let missing = catalog.message("attachment.missing", &[]);
    assert!(sent.body.contains("href=\"#file-kk\""), "{missing:?}");

    // Fixed, with the KK photo chosen without the upload script, and sent.
    let fixed = as_fields(&valid_values());
    let photo = jpeg_bytes(7, 120_000);
    let mut fields = with(&csrf, "send", &fixed);
    // As the form posts them: the service, and no file uploaded by the script.
    fields.extend([("service", SERVICE), ("upload.kk", "")]);
    let done = multipart(&mut b, &draft, &fields, &[("file.kk", &photo)]);
    assert_eq!(done.status, 303, "{}", done.body);
    let location = done.location.clone().unwrap();
    assert!(location.starts_with("/layanan/permohonan/"), "{location}");
    // The draft is gone; the request page shows it.
    assert_eq!(b.get(&draft).status, 404);
    assert_eq!(b.get(&location).status, 200);
    // A replayed send (a double click) is the same request, not a second one.
    let replay = multipart(&mut b, &draft, &fields, &[("file.kk", &photo)]);
    assert_eq!(replay.status, 303, "{}", replay.body);
    assert_eq!(replay.location.as_deref(), Some(location.as_str()));

    // One request on the server, with the file; the app's account pulls it.
    let officer = ts.officer();
    let requests = ts.requests(&officer);
    assert_eq!(requests.len(), 1, "{requests:?}");
    let id = requests[0]["id"].as_str().unwrap();
    assert!(location.ends_with(id));
    let token = ts.login(&account);
    let pulled = ts.pull_all(&token);
    assert!(pulled.iter().any(|c| c["request_id"] == id), "{pulled:?}");
    let detail = ts.detail(&officer, id);
    assert_eq!(detail["payload"]["village"], valid_values()["desa"]);
    let sha = detail["attachments"][0]["sha256"].as_str().unwrap();
    assert_eq!(ts.attachment(&officer, id, sha), photo);
}

#[test]
fn a_returned_request_is_revised_in_the_same_form_with_the_reasons_next_to_what_they_name() {
    let ts = TestServer::start();
    let account = nik(42);
    let token = ts.citizen(&account, "Siti Rahma");
    let fx = fixture();
    let results = ts.push(
        &token,
        &[submit(&payload(&ts, &token, &fx, VILLAGE_X, None))],
    );
    let id = results[0]["request_id"].as_str().unwrap().to_string();
    let operator = ts.staff(Role::Operator, "op.x", Some(VILLAGE_X));
    let field = fx.values.keys().next().unwrap().clone();
    let requirement = fx.attachments[0].clone();
    let hostile = "<script>alert(1)</script>\"><img src=x onerror=alert(2)>";
    let r = ts.transition(
        &operator,
        &id,
        json!({"to": "returned", "reasons": [
            {"target": field, "message": format!("Perbaiki isian {hostile}")},
            {"target": requirement, "message": "Foto KK buram"},
        ]}),
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));

    let mut b = Browser::new(&ts);
    b.citizen_sign_in(&account, PASSWORD);
    let page = b.get(&format!("/layanan/permohonan/{id}"));
    assert!(
        page.body
            .contains(&format!("action=\"/layanan/permohonan/{id}/perbaiki\""))
    );
    let csrf = csrf_in(&page.body);
    let started = b.post(
        &format!("/layanan/permohonan/{id}/perbaiki"),
        &[("_csrf", &csrf)],
    );
    assert_eq!(started.status, 303);
    let draft = started.location.unwrap();
    let form = b.get(&draft);
    assert_eq!(form.status, 200);
    // Prefilled with the request's values and files, the reasons next to what they name.
    let first_value = &fx.values[&field];
    assert!(
        form.body
            .contains(&format!("value=\"{}\"", escaped(first_value))),
        "{}",
        form.body
    );
    assert!(
        form.body.contains(&format!("id=\"reason-{field}\"")),
        "{}",
        form.body
    );
    assert!(
        form.body
            .contains(&format!("id=\"reason-file-{requirement}\""))
    );
    assert!(form.body.contains("Foto KK buram"));
    assert!(form.body.contains(&escaped(hostile)));
    assert!(!form.body.contains(hostile));
    let officer = ts.officer();
    let sha = &ts.detail(&officer, &id)["attachments"][0]["sha256"];
    assert!(
        form.body
            .contains(&format!("value=\"{}\"", sha.as_str().unwrap()))
    );
    // Sent as a revision: submitted again, one request.
    let sent = b.post(&draft, &[("_csrf", &csrf), ("action", "send")]);
    assert_eq!(sent.status, 303, "{}", sent.body);
    assert_eq!(
        sent.location.as_deref(),
        Some(format!("/layanan/permohonan/{id}").as_str())
    );
    let detail = ts.detail(&officer, &id);
    assert_eq!(detail["request"]["state"], "submitted", "{detail}");
    assert_eq!(ts.requests(&officer).len(), 1);
    let pulled = ts.pull_all(&token);
    assert!(
        pulled
            .iter()
            .any(|c| c["request_id"] == id.as_str() && c["state"] == "submitted"),
        "{pulled:?}"
    );
}

#[test]
fn an_operator_files_for_a_resident_of_their_own_village_only() {
    let ts = TestServer::start();
    ts.create_staff(Role::Operator, "op.x", PASSWORD, Some(VILLAGE_X));
    ts.create_staff(Role::Operator, "op.y", PASSWORD, Some(VILLAGE_Y));
    let mut b = Browser::new(&ts);
    b.sign_in("op.x", PASSWORD);
    let home = b.get("/console/requests");
    assert!(
        home.body.contains("href=\"/console/warga/baru\""),
        "{}",
        home.body
    );
    let draft = start_draft(&mut b, "/console/warga/baru", SERVICE);
    assert!(draft.starts_with("/console/draf/"), "{draft}");
    let page = b.get(&draft);
    assert!(page.body.contains("data-upload-url=\"/console/unggah\""));
    assert!(page.body.contains("name=\"on_behalf_of\""));
    let csrf = csrf_in(&page.body);
    // Without the resident's NIK the send is refused at that input.
    let values = as_fields(&valid_values());
    let refused = b.post(&draft, &with(&csrf, "send", &values));
    assert_eq!(refused.status, 422);
    assert!(
        refused.body.contains("href=\"#v-on_behalf_of\""),
        "{}",
        refused.body
    );
    let resident = valid_values()["nik"].clone();
    let mut fields = with(&csrf, "send", &values);
    fields.push(("on_behalf_of", &resident));
    let photo = jpeg_bytes(9, 50_000);
    let done = multipart(&mut b, &draft, &fields, &[("file.kk", &photo)]);
    assert_eq!(done.status, 303, "{}", done.body);
    let location = done.location.unwrap();
    assert!(location.starts_with("/console/requests/"), "{location}");
    let id = location.rsplit('/').next().unwrap();
    let detail = ts.detail(&ts.officer(), id);
    assert_eq!(detail["payload"]["on_behalf_of"], resident.as_str());
    assert_eq!(detail["payload"]["village"], VILLAGE_X);

    // Another village's operator reaches neither this operator's drafts nor their request.
    let other = start_draft(&mut b, "/console/warga/baru", SERVICE);
    let mut y = Browser::new(&ts);
    y.sign_in("op.y", PASSWORD);
    assert_eq!(y.get(&other).status, 404);
    let y_csrf = y.csrf();
    assert_eq!(
        y.post(&format!("{other}/cek"), &[("_csrf", &y_csrf)])
            .status,
        404
    );
    assert_eq!(y.get(&location).status, 404);
    // Officers do not file (the API takes requests from citizens and operators): 404.
    let mut officer = Browser::new(&ts);
    ts.officer();
    officer.sign_in(OFFICER.0, OFFICER.1);
    assert_eq!(officer.get("/console/warga/baru").status, 404);
}

#[test]
fn form_posts_without_the_token_are_refused_and_hostile_values_are_escaped() {
    let ts = TestServer::start();
    let account = nik(43);
    ts.citizen(&account, "Siti Rahma");
    let mut b = Browser::new(&ts);
    b.citizen_sign_in(&account, PASSWORD);
    assert_eq!(
        b.post("/layanan/permohonan/baru", &[("service", SERVICE)])
            .status,
        403
    );
    let draft = start_draft(&mut b, "/layanan/permohonan/baru", SERVICE);
    let csrf = csrf_in(&b.get(&draft).body);
    let values = as_fields(&valid_values());
    let no_token: Vec<(&str, &str)> = with(&csrf, "send", &values).into_iter().skip(1).collect();
    assert_eq!(b.post(&draft, &no_token).status, 403);
    assert_eq!(multipart(&mut b, &draft, &no_token, &[]).status, 403);
    assert_eq!(b.post(&format!("{draft}/cek"), &no_token).status, 403);
    assert_eq!(b.post(&format!("{draft}/hapus"), &[]).status, 403);
    // Nothing was sent.
    assert!(ts.requests(&ts.officer()).is_empty());

    let hostile = "<script>alert(1)</script>\"><img src=x onerror=alert(2)>";
    let mut fields = with(&csrf, "save", &values);
    fields.retain(|(k, _)| *k != "v.tempat_lahir");
    fields.push(("v.tempat_lahir", hostile));
    let saved = b.post(&draft, &fields);
    assert_eq!(saved.status, 303);
    let page = b.get(saved.location.as_deref().unwrap());
    assert!(page.body.contains("Draf tersimpan"), "{}", page.body);
    assert!(page.body.contains(&escaped(hostile)));
    assert!(!page.body.contains(hostile));
    // Someone else's draft is 404, deleting one's own works.
    let mut other = Browser::new(&ts);
    ts.citizen(&nik(44), "Rahmat Hidayat");
    other.citizen_sign_in(&nik(44), PASSWORD);
    assert_eq!(other.get(&draft).status, 404);
    let deleted = b.post(&format!("{draft}/hapus"), &[("_csrf", &csrf)]);
    assert_eq!(deleted.location.as_deref(), Some("/layanan/permohonan"));
    assert_eq!(b.get(&draft).status, 404);
}

#[test]
fn a_plain_file_post_over_the_upload_quota_is_refused_next_to_the_attachment() {
    // One finished file no request refers to is all an account may keep.
    let ts = TestServer::start_with(|c| c.max_unattached_files = 1);
    let account = nik(44);
    ts.citizen(&account, "Siti Rahma");
    let mut b = Browser::new(&ts);
    b.citizen_sign_in(&account, PASSWORD);
    let draft = start_draft(&mut b, "/layanan/permohonan/baru", SERVICE);
    let csrf = csrf_in(&b.get(&draft).body);
    let values = as_fields(&valid_values());
    let mut fields = with(&csrf, "save", &values);
    fields.extend([("service", SERVICE), ("upload.kk", "")]);

    let first = multipart(
        &mut b,
        &draft,
        &fields,
        &[("file.kk", &jpeg_bytes(3, 40_000))],
    );
    assert!(first.status < 400, "{} {}", first.status, first.body);
    // A second, different photo would be a second unattached file: refused with the quota's
    // words at the KK input, and the draft keeps the first photo.
    let second = multipart(
        &mut b,
        &draft,
        &fields,
        &[("file.kk", &jpeg_bytes(4, 40_000))],
    );
    let quota = Catalog::embedded().message("quota.unattached_files", &[("max", "1".into())]);
    assert_eq!(second.status, 422, "{}", second.body);
    let at_kk = second
        .body
        .split_once("id=\"attachment-kk\"")
        .map(|(_, rest)| rest)
        .unwrap_or_default();
    assert!(at_kk.contains(&escaped(&quota.id)), "{}", second.body);
    let kept = b.get(&draft);
    assert!(kept.body.contains("Terlampir: 1 berkas"), "{}", kept.body);
}
