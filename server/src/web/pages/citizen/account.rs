//! Registering (`/layanan/daftar`: the API's registration, so the same checks of NIK, name as
//! on the KTP-el, phone and password), signing in with the NIK (`/layanan/masuk`), signing
//! out (`/layanan/keluar`) and the account page (`/layanan/akun`). The two forms shown
//! before any session carry a random anti-forgery value also set in a cookie (double
//! submit), the sign-in shared with the console (`session::signin`).

use crate::http::accounts::register_citizen;
use crate::http::client_addr::ClientAddr;
use crate::http::error::ApiError;
use crate::http::identity::{describe, prove_register};
use crate::http::state::AppState;
use crate::web::i18n::{Lang, Texts};
use crate::web::render::{Fields, Page, WebError, html, see_other};
use crate::web::session::citizen::{self, COOKIES, Citizen};
use crate::web::session::signin::{SignInForm, shown_on_form};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use ceria_core::protocol::{IdentityState, RegisterProof, RegisterRequest};

/// The routes of the account pages.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/layanan/daftar", get(register_form).post(register))
        .route("/layanan/masuk", get(sign_in_form).post(sign_in))
        .route("/layanan/keluar", post(sign_out))
        .route("/layanan/akun", get(account))
        .route("/layanan/akun/verifikasi", post(prove_identity))
}

/// What was typed into the registration form, shown again with the problems.
#[derive(Default)]
struct Typed {
    nik: String,
    name: String,
    phone: String,
}

/// A problem shown next to a field (`None`: above the form).
struct Problem {
    field: Option<String>,
    message: String,
}

#[derive(Template)]
#[template(path = "citizen/register.html")]
struct Register {
    page: Page,
    typed: Typed,
    problems: Vec<Problem>,
}

impl Register {
    /// The problems about `field`.
    fn about(&self, field: &str) -> Vec<&str> {
        self.problems
            .iter()
            .filter(|p| p.field.as_deref() == Some(field))
            .map(|p| p.message.as_str())
            .collect()
    }

    /// The problems about no field of the form.
    fn general(&self) -> Vec<&str> {
        self.problems
            .iter()
            .filter(|p| {
                !matches!(
                    p.field.as_deref(),
                    Some("nik" | "name" | "phone" | "password")
                )
            })
            .map(|p| p.message.as_str())
            .collect()
    }
}

#[derive(Template)]
#[template(path = "citizen/signin.html")]
struct SignIn {
    page: Page,
    form: SignInForm,
}

/// What was typed into the register check form, shown again with its problem.
#[derive(Default)]
struct TypedProof {
    nomor_kk: String,
    birth_date: String,
    mother_name: String,
}

#[derive(Template)]
#[template(path = "citizen/account.html")]
struct Account {
    page: Page,
    /// The account's identity state in words, with what to do (the catalog's `identity.*`).
    identity: Option<String>,
    /// Whether the account still has to show that it owns its NIK (the form is shown).
    unverified: bool,
    typed: TypedProof,
    /// Why the last register check did not verify the account.
    error: Option<String>,
}

fn render_register(
    state: &AppState,
    lang: Lang,
    status: StatusCode,
    typed: Typed,
    problems: Vec<Problem>,
) -> Result<Response, WebError> {
    let mut page = Page::portal(state, lang, "/layanan/daftar", "web.portal.register.title");
    COOKIES.form_page(state, status, |csrf| {
        page.csrf = csrf;
        html(&Register {
            page,
            typed,
            problems,
        })
    })
}

/// `GET /layanan/daftar`; a signed-in citizen goes to their requests.
async fn register_form(
    State(state): State<AppState>,
    citizen: Option<Citizen>,
    lang: Lang,
) -> Result<Response, WebError> {
    if citizen.is_some() {
        return Ok(see_other("/layanan/permohonan"));
    }
    render_register(&state, lang, StatusCode::OK, Typed::default(), Vec::new())
}

/// The problems of a refused registration, worded in the page's language.
fn problems_of(t: &Texts, e: &ApiError) -> Vec<Problem> {
    if e.issues.is_empty() {
        let field = match e.code {
            "auth.nik_taken" => Some("nik".to_string()),
            "auth.weak_password"
            | "auth.password_too_long"
            | "auth.personal_password"
            | "auth.common_password" => Some("password".to_string()),
            _ => None,
        };
        return vec![Problem {
            field,
            message: t.with(e.code, &e.params),
        }];
    }
    e.issues
        .iter()
        .map(|i| {
            let message = match t.lang {
                Lang::Id => &i.message_id,
                Lang::En => &i.message_en,
            };
            // The identity checks word their field as `{label}`: the form's label fills it.
            let label = match i.field.as_deref() {
                Some("name") => t.get("web.portal.register.name"),
                Some("phone") => t.get("web.portal.register.phone"),
                Some("nomor_kk") => t.get("web.portal.identity.nomor_kk"),
                Some("birth_date") => t.get("web.portal.identity.birth_date"),
                Some("mother_name") => t.get("web.portal.identity.mother_name"),
                _ => t.get("web.portal.nik"),
            };
            Problem {
                field: i.field.clone(),
                message: message.replace("{label}", &label),
            }
        })
        .collect()
}

/// `POST /layanan/daftar`: registers (the API's checks), then signs the citizen in.
async fn register(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    lang: Lang,
    headers: HeaderMap,
    form: Fields,
) -> Result<Response, WebError> {
    let typed = Typed {
        nik: form.get("nik").unwrap_or_default().to_string(),
        name: form.get("name").unwrap_or_default().to_string(),
        phone: form.get("phone").unwrap_or_default().to_string(),
    };
    let t = Texts::new(&state, lang);
    if !COOKIES.form_is_ours(&headers, &form) {
        let problems = vec![Problem {
            field: None,
            message: t.get("web.forged"),
        }];
        return render_register(&state, lang, StatusCode::FORBIDDEN, typed, problems);
    }
    let password = form.raw("password");
    let req = RegisterRequest {
        nik: typed.nik.clone(),
        name: typed.name.clone(),
        phone: typed.phone.clone(),
        password: password.clone(),
    };
    match register_citizen(&state, addr, req).await {
        Ok(user) => {
            let token = citizen::sign_in(&state, addr, &user.username, password).await?;
            Ok(COOKIES.signed_in(&state, &token, "/layanan/akun"))
        }
        Err(e) if e.status.is_client_error() => {
            let problems = problems_of(&t, &e);
            render_register(&state, lang, e.status, typed, problems)
        }
        Err(e) => Err(e.into()),
    }
}

fn render_sign_in(
    state: &AppState,
    lang: Lang,
    status: StatusCode,
    nik: String,
    error: Option<String>,
) -> Result<Response, WebError> {
    let mut page = Page::portal(state, lang, "/layanan/masuk", "web.portal.signin.title");
    let t = &page.t;
    let form = SignInForm {
        action: "/layanan/masuk",
        login: "nik",
        login_label: t.get("web.portal.nik"),
        typed: nik,
        numeric: true,
        error,
        link: Some(("/layanan/daftar", t.get("web.portal.signin.no_account"))),
    };
    COOKIES.form_page(state, status, |csrf| {
        page.csrf = csrf;
        html(&SignIn { page, form })
    })
}

/// `GET /layanan/masuk`; a signed-in citizen goes to their requests.
async fn sign_in_form(
    State(state): State<AppState>,
    citizen: Option<Citizen>,
    lang: Lang,
) -> Result<Response, WebError> {
    if citizen.is_some() {
        return Ok(see_other("/layanan/permohonan"));
    }
    render_sign_in(&state, lang, StatusCode::OK, String::new(), None)
}

/// `POST /layanan/masuk`: NIK and password.
async fn sign_in(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    lang: Lang,
    headers: HeaderMap,
    form: Fields,
) -> Result<Response, WebError> {
    let nik = form.get("nik").unwrap_or_default().to_string();
    let t = Texts::new(&state, lang);
    if !COOKIES.form_is_ours(&headers, &form) {
        let error = Some(t.get("web.forged"));
        return render_sign_in(&state, lang, StatusCode::FORBIDDEN, nik, error);
    }
    match citizen::sign_in(&state, addr, &nik, form.raw("password")).await {
        Ok(token) => Ok(COOKIES.signed_in(&state, &token, "/layanan/permohonan")),
        Err(e) if shown_on_form(&e) => {
            let error = Some(t.with(e.code, &e.params));
            render_sign_in(&state, lang, e.status, nik, error)
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /layanan/keluar`: ends the sign-in and clears the cookie.
async fn sign_out(
    State(state): State<AppState>,
    citizen: Citizen,
    form: Fields,
) -> Result<Response, WebError> {
    citizen.check_csrf(&form)?;
    citizen::sign_out(&state, citizen).await?;
    Ok(COOKIES.signed_out(&state, "/layanan/"))
}

/// The context of a signed-in citizen's page.
pub(crate) fn citizen_page(
    state: &AppState,
    citizen: &Citizen,
    lang: Lang,
    here: &str,
    title: &str,
) -> Page {
    let mut page = Page::portal(state, lang, here, title);
    page.user = Some(citizen.user.clone());
    page.csrf = citizen.csrf.clone();
    page
}

/// `GET /layanan/akun`: who is signed in, whether the account has shown that it owns its NIK
/// and, while it has not, the register check form.
async fn account(
    State(state): State<AppState>,
    citizen: Citizen,
    lang: Lang,
) -> Result<Response, WebError> {
    render_account(
        &state,
        &citizen,
        lang,
        StatusCode::OK,
        TypedProof::default(),
        None,
    )
    .await
}

async fn render_account(
    state: &AppState,
    citizen: &Citizen,
    lang: Lang,
    status: StatusCode,
    typed: TypedProof,
    error: Option<String>,
) -> Result<Response, WebError> {
    let user = describe(state, citizen.user.clone()).await?;
    let page = citizen_page(
        state,
        citizen,
        lang,
        "/layanan/akun",
        "web.portal.account.title",
    );
    let identity = user.identity.map(|s| page.t.get(s.message_code()));
    let unverified = user.identity == Some(IdentityState::Unverified);
    let body = html(&Account {
        page,
        identity,
        unverified,
        typed,
        error,
    })?;
    Ok((status, body).into_response())
}

/// `POST /layanan/akun/verifikasi`: No. KK, birth date and mother's name checked against the
/// population register extract (the API's check and its limit on failures).
async fn prove_identity(
    State(state): State<AppState>,
    citizen: Citizen,
    lang: Lang,
    form: Fields,
) -> Result<Response, WebError> {
    citizen.check_csrf(&form)?;
    let typed = TypedProof {
        nomor_kk: form.get("nomor_kk").unwrap_or_default().to_string(),
        birth_date: form.get("birth_date").unwrap_or_default().to_string(),
        mother_name: form.get("mother_name").unwrap_or_default().to_string(),
    };
    let proof = RegisterProof {
        nomor_kk: typed.nomor_kk.clone(),
        birth_date: typed.birth_date.clone(),
        mother_name: typed.mother_name.clone(),
    };
    match prove_register(&state, citizen.user.clone(), proof).await {
        Ok(_) => Ok(see_other("/layanan/akun")),
        Err(e) if e.status.is_client_error() => {
            let t = Texts::new(&state, lang);
            let error = problems_of(&t, &e)
                .into_iter()
                .map(|p| p.message)
                .collect::<Vec<_>>()
                .join(" ");
            render_account(&state, &citizen, lang, e.status, typed, Some(error)).await
        }
        Err(e) => Err(e.into()),
    }
}
