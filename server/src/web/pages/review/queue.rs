//! `GET /console/requests`: the review queue, oldest first, 50 to a page. Filters: state,
//! service, age, "late against the service days", and (officers) the village, picked by its
//! name. Counts per state above the list. Officers select verified requests and process
//! them at once (`POST /console/requests/process`).
//!
//! Which requests show is the API's rule: the scope of `http::review::reviewer` (an
//! operator's own village, every village for an officer) and the store's queue query.

use crate::http::review::{apply_transition, reviewer};
use crate::http::state::AppState;
use crate::stats::late_cutoff_ms;
use crate::store::now_ms;
use crate::store::requests::QueueFilter;
use crate::web::format::{self, query};
use crate::web::i18n::{Lang, Texts};
use crate::web::render::{Fields, Page, WebError, html, see_other};
use crate::web::session::Staff;
use crate::workflow::check_review;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use ceria_core::protocol::{RequestState, Role, TransitionRequest};
use std::collections::{BTreeMap, HashMap};

/// Requests on one page of the queue.
pub(crate) const PAGE_SIZE: usize = 50;
/// The age filter's choices, in days.
const AGES: [i64; 4] = [3, 7, 14, 30];
/// Most requests processed by one bulk action (one page of the queue).
const MAX_BULK: usize = PAGE_SIZE;

/// A choice of a filter's `<select>`.
pub(crate) struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// One state's count, a link that filters by it.
pub(crate) struct Count {
    href: String,
    label: String,
    count: i64,
    current: bool,
}

/// One row of the queue.
pub(crate) struct Row {
    id: String,
    tracking_code: String,
    service: String,
    village: String,
    nik: String,
    state_code: &'static str,
    state: String,
    submitted: String,
    age_days: i64,
    late: bool,
    selectable: bool,
}

#[derive(Template)]
#[template(path = "review/queue.html")]
struct QueuePage {
    page: Page,
    notice: Option<String>,
    states: Vec<Choice>,
    services: Vec<Choice>,
    ages: Vec<Choice>,
    villages: Vec<Choice>,
    officer: bool,
    late: bool,
    counts: Vec<Count>,
    rows: Vec<Row>,
    bulk: bool,
    next: Option<String>,
    first: Option<String>,
}

/// The filters as read from the query string (unknown values are ignored).
#[derive(Debug, Clone, Default)]
struct Filters {
    state: Option<RequestState>,
    service: Option<String>,
    age: Option<i64>,
    village: Option<String>,
    late: bool,
    after: Option<String>,
}

impl Filters {
    fn read(q: &HashMap<String, String>, texts: &Texts, officer: bool) -> Filters {
        let get = |k: &str| q.get(k).map(|s| s.trim()).filter(|s| !s.is_empty());
        Filters {
            state: get("state").and_then(RequestState::from_code),
            service: get("service")
                .filter(|s| texts.catalog().service(s).is_some())
                .map(str::to_string),
            age: get("age")
                .and_then(|a| a.parse().ok())
                .filter(|a| AGES.contains(a)),
            village: get("village")
                .filter(|_| officer)
                .filter(|v| v.len() <= 20 && v.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
                .map(str::to_string),
            late: get("late") == Some("1"),
            after: get("after").filter(|a| a.len() <= 64).map(str::to_string),
        }
    }

    /// The queue's link with these filters and `state` (paging starts again).
    fn href(&self, state: Option<RequestState>, after: Option<&str>) -> String {
        let age = self.age.map(|a| a.to_string()).unwrap_or_default();
        format!(
            "/console/requests{}",
            query(&[
                ("state", state.map(RequestState::code).unwrap_or_default()),
                ("service", self.service.as_deref().unwrap_or_default()),
                ("age", &age),
                ("village", self.village.as_deref().unwrap_or_default()),
                ("late", if self.late { "1" } else { "" }),
                ("after", after.unwrap_or_default()),
            ])
        )
    }
}

/// The village's name from the imported region table, else its code.
pub(crate) fn village_name(state: &AppState, code: &str) -> String {
    state
        .regions
        .as_deref()
        .and_then(|r| r.name(code))
        .map_or_else(|| code.to_string(), str::to_string)
}

/// `GET /console/requests`.
pub(crate) async fn queue(
    State(state): State<AppState>,
    staff: Staff,
    lang: Lang,
    q: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Response, WebError> {
    staff.require(&[Role::Operator, Role::Officer])?;
    let scope = reviewer(&staff.user)?;
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let officer = staff.user.role == Role::Officer;
    let texts = Texts::new(&state, lang);
    let catalog = texts.catalog();
    let filters = Filters::read(&q, &texts, officer);
    let now = now_ms();
    let offset = catalog.utc_offset_minutes();
    let cutoffs: BTreeMap<String, i64> = catalog
        .services()
        .iter()
        .map(|s| (s.id.clone(), late_cutoff_ms(now, s.service_days, offset)))
        .collect();
    let filter = QueueFilter {
        state: filters.state,
        village: filters.village.clone(),
        after: filters.after.clone(),
        limit: PAGE_SIZE,
        service: filters.service.clone(),
        created_before_ms: filters.age.map(|days| now - days * 86_400_000),
        late_cutoffs: filters.late.then(|| cutoffs.clone()),
    };
    let (items, counts, villages) = state
        .db_call(move |db| {
            let items = db.queue(&scope, &filter)?;
            let counts = db.queue_counts(&scope, &filter)?;
            let villages = if officer {
                db.request_villages(&scope)?
            } else {
                Vec::new()
            };
            Ok((items, counts, villages))
        })
        .await?;

    let here = filters.href(filters.state, filters.after.as_deref());
    let page = Page::new(&state, &staff, lang, &here, "web.queue.title");
    let t = &page.t;
    let all = t.get("web.filter.all");
    let choice = |value: &str, label: String, selected: bool| Choice {
        value: value.to_string(),
        label,
        selected,
    };
    let mut states = vec![choice("", all.clone(), filters.state.is_none())];
    states.extend(
        RequestState::ALL
            .into_iter()
            .map(|s| choice(s.code(), t.state(s.code()), filters.state == Some(s))),
    );
    let mut services = vec![choice("", all.clone(), filters.service.is_none())];
    services.extend(catalog.services().iter().map(|s| {
        choice(
            &s.id,
            t.label(&s.name).to_string(),
            filters.service.as_deref() == Some(s.id.as_str()),
        )
    }));
    let mut ages = vec![choice(
        "",
        t.get("web.filter.any_age"),
        filters.age.is_none(),
    )];
    ages.extend(AGES.iter().map(|a| {
        choice(
            &a.to_string(),
            t.with("web.filter.older_than", &[("days", a.to_string())]),
            filters.age == Some(*a),
        )
    }));
    let mut village_choices = vec![choice("", all, filters.village.is_none())];
    let mut named: Vec<Choice> = villages
        .iter()
        .map(|v| {
            let name = village_name(&state, v);
            choice(
                v,
                if name == *v {
                    name
                } else {
                    format!("{name} ({v})")
                },
                filters.village.as_deref() == Some(v.as_str()),
            )
        })
        .collect();
    named.sort_by(|a, b| a.label.cmp(&b.label));
    village_choices.extend(named);

    let total: i64 = counts.iter().map(|(_, n)| n).sum();
    let mut count_links = vec![Count {
        href: filters.href(None, None),
        label: t.get("web.filter.all"),
        count: total,
        current: filters.state.is_none(),
    }];
    count_links.extend(RequestState::ALL.into_iter().filter_map(|s| {
        let n = counts.iter().find(|(c, _)| *c == s).map(|(_, n)| *n)?;
        Some(Count {
            href: filters.href(Some(s), None),
            label: t.state(s.code()),
            count: n,
            current: filters.state == Some(s),
        })
    }));

    let rows: Vec<Row> = items
        .iter()
        .map(|r| {
            let late = !r.state.is_final()
                && cutoffs
                    .get(&r.service)
                    .is_some_and(|cut| r.created_ms < *cut);
            Row {
                id: r.id.clone(),
                tracking_code: r.tracking_code.clone(),
                service: catalog
                    .service(&r.service)
                    .map_or_else(|| r.service.clone(), |s| t.label(&s.name).to_string()),
                village: village_name(&state, &r.village),
                nik: r.citizen_nik.clone(),
                state_code: r.state.code(),
                state: t.state(r.state.code()),
                submitted: format::date(r.created_ms, offset),
                age_days: format::days_between(r.created_ms, now),
                late,
                selectable: officer
                    && r.state == RequestState::Verified
                    && check_review(&staff.user, &r.village, r.state, RequestState::Processing)
                        .is_ok(),
            }
        })
        .collect();
    let next = (rows.len() == PAGE_SIZE)
        .then(|| {
            rows.last()
                .map(|r| filters.href(filters.state, Some(&r.id)))
        })
        .flatten();
    let first = filters
        .after
        .is_some()
        .then(|| filters.href(filters.state, None));
    let notice = match (q.get("processed"), q.get("failed")) {
        (Some(done), failed) => Some(t.with(
            "web.bulk.done",
            &[
                ("done", digits(done)),
                (
                    "failed",
                    failed.map_or_else(|| "0".to_string(), |f| digits(f)),
                ),
            ],
        )),
        _ => None,
    };
    let bulk = rows.iter().any(|r| r.selectable);
    html(&QueuePage {
        page,
        notice,
        states,
        services,
        ages,
        villages: village_choices,
        officer,
        late: filters.late,
        counts: count_links,
        rows,
        bulk,
        next,
        first,
    })
}

/// A count from the query string, digits only.
fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).take(6).collect()
}

/// `POST /console/requests/process`: an officer processes the selected requests, each
/// through the same transition as the API (a request that cannot be processed any more is
/// counted as failed and left as it is).
pub(crate) async fn bulk_process(
    State(state): State<AppState>,
    staff: Staff,
    form: Fields,
) -> Result<Response, WebError> {
    staff.check_csrf(&form)?;
    staff.require(&[Role::Officer])?;
    let (mut done, mut failed) = (0usize, 0usize);
    for id in form.all("id").take(MAX_BULK) {
        let request = TransitionRequest {
            to: RequestState::Processing,
            note: None,
            reasons: Vec::new(),
            document: None,
        };
        match apply_transition(&state, &staff.user, id.to_string(), request).await {
            Ok(_) => done += 1,
            Err(e) if e.status.is_client_error() => failed += 1,
            Err(e) => return Err(e.into()),
        }
    }
    Ok(see_other(&format!(
        "/console/requests?state=verified&processed={done}&failed={failed}"
    )))
}
