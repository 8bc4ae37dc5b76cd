//! Bounded password hashing. Every argon2 hash or verification (about 19 MiB of memory and
//! tens of milliseconds each) runs on the blocking pool under a permit of one semaphore sized
//! to the cores, so a burst of registrations or logins queues instead of growing the memory
//! with every request. A request that cannot get a permit within a short wait gets 503
//! `server.busy` with `Retry-After`. The permit belongs to the hash, not to the request: a
//! client that hangs up drops its handler, but the hash already running on the blocking pool
//! keeps its permit (and its count) until it ends.
//!
//! The counters (hashes run, most at once) let tests check the bound and that every login
//! path does the same hashing work.

use crate::http::error::ApiError;
use crate::http::state::blocking;
use axum::http::{HeaderValue, StatusCode, header};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::Semaphore;

/// Seconds a client is asked to wait when hashing is saturated.
const BUSY_RETRY_SECS: u64 = 5;

/// The hashing gate shared by every handler.
#[derive(Debug)]
pub(crate) struct PasswordHashing {
    permits: Arc<Semaphore>,
    wait: Duration,
    running: Arc<AtomicUsize>,
    peak: AtomicUsize,
    runs: AtomicU64,
}

/// Counts of the work done so far.
#[cfg(test)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HashingStats {
    /// Hashes and verifications run.
    pub runs: u64,
    /// The most that ran at the same time.
    pub peak: usize,
}

impl PasswordHashing {
    /// At most `at_once` hashes at a time (at least one); a request waits up to `wait`.
    pub(crate) fn new(at_once: usize, wait: Duration) -> PasswordHashing {
        PasswordHashing {
            permits: Arc::new(Semaphore::new(at_once.max(1))),
            wait,
            running: Arc::new(AtomicUsize::new(0)),
            peak: AtomicUsize::new(0),
            runs: AtomicU64::new(0),
        }
    }

    /// One permit for each core: argon2 is CPU- and memory-bound, more at once only queue
    /// inside the kernel while holding their memory.
    pub(crate) fn default_at_once() -> usize {
        std::thread::available_parallelism().map_or(2, std::num::NonZero::get)
    }

    /// Runs `work` (which hashes or verifies one password) on the blocking pool under a permit.
    pub(crate) async fn run<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce() -> Result<T, ApiError> + Send + 'static,
    {
        let acquire = Arc::clone(&self.permits).acquire_owned();
        let permit = match tokio::time::timeout(self.wait, acquire).await {
            Ok(Ok(permit)) => permit,
            Ok(Err(closed)) => return Err(ApiError::internal(closed)),
            Err(_) => return Err(busy()),
        };
        let now_running = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(now_running, Ordering::SeqCst);
        self.runs.fetch_add(1, Ordering::SeqCst);
        let running = Running(Arc::clone(&self.running));
        blocking(move || {
            // Released when the hash ends (or panics), whether or not anyone still awaits it;
            // uncounted before the permit goes (tuple fields drop in order), so the count never
            // shows more than the bound.
            let _held = (running, permit);
            work()
        })
        .await
    }

    /// The work done so far.
    #[cfg(test)]
    pub(crate) fn stats(&self) -> HashingStats {
        HashingStats {
            runs: self.runs.load(Ordering::SeqCst),
            peak: self.peak.load(Ordering::SeqCst),
        }
    }
}

/// One running hash in the count; uncounted when dropped.
struct Running(Arc<AtomicUsize>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// 503 `server.busy` with `Retry-After`.
fn busy() -> ApiError {
    ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "server.busy")
        .with("retry_after", BUSY_RETRY_SECS.to_string())
        .header(header::RETRY_AFTER, HeaderValue::from(BUSY_RETRY_SECS))
}

#[cfg(test)]
mod tests {
    //! The gate's bound, and that every login path does the same hashing work, counted on the
    //! gate of a real application (findings 4 and 6 of issue 11).

    use super::*;
    use crate::Config;
    use crate::http::app::router;
    use crate::http::state::AppState;
    use axum::Router;
    use axum::body::Body;
    use axum::extract::connect_info::MockConnectInfo;
    use axum::http::Request;
    use std::net::SocketAddr;
    use tower::ServiceExt;

    fn app(dir: &tempfile::TempDir, at_once: usize) -> (Router, AppState) {
        let listen = SocketAddr::from(([127, 0, 0, 1], 0));
        let mut config = Config::new(dir.path(), listen);
        config.password_hashes_at_once = at_once;
        config.registrations_per_address_per_hour = 100;
        config.password_hash_wait = Duration::from_secs(120);
        let state = crate::open_state(&config).unwrap();
        let app = router(state.clone())
            .layer(MockConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40_000))));
        (app, state)
    }

    async fn post(app: &Router, path: &str, body: serde_json::Value) -> StatusCode {
        let request = Request::builder()
            .method("POST")
            .uri(path)
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        app.clone().oneshot(request).await.unwrap().status()
    }

    fn registration(serial: u32) -> serde_json::Value {
        serde_json::json!({"nik": format!("130501010190{serial:04}"), "name": "Maya Sari",
                           "phone": "081234567890", "password": "Kerbau-Pagi-Hujan-71"})
    }

    /// Runs a login and returns how many hashes it ran.
    async fn hashes_of_login(app: &Router, state: &AppState, user: &str, password: &str) -> u64 {
        let before = state.hashing.stats().runs;
        let body = serde_json::json!({"username": user, "password": password});
        assert_eq!(
            post(app, "/v1/sessions", body).await,
            StatusCode::UNAUTHORIZED
        );
        state.hashing.stats().runs - before
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn known_and_unknown_names_cost_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let (app, state) = app(&dir, 2);
        assert_eq!(
            post(&app, "/v1/accounts", registration(1)).await,
            StatusCode::CREATED
        );
        let known = "1305010101900001";
        let unknown = "1305010101909999";
        let long = "x".repeat(crate::credentials::MAX_PASSWORD_BYTES + 1);
        assert_eq!(hashes_of_login(&app, &state, known, &long).await, 0);
        assert_eq!(hashes_of_login(&app, &state, unknown, &long).await, 0);
        assert_eq!(hashes_of_login(&app, &state, known, "salah-sandi").await, 1);
        assert_eq!(
            hashes_of_login(&app, &state, unknown, "salah-sandi").await,
            1
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_registration_burst_hashes_at_most_the_bound_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let (app, state) = app(&dir, 2);
        let burst: Vec<_> = (0..12)
            .map(|i| {
                let app = app.clone();
                tokio::spawn(async move { post(&app, "/v1/accounts", registration(100 + i)).await })
            })
            .collect();
        for task in burst {
            assert_eq!(task.await.unwrap(), StatusCode::CREATED);
        }
        let stats = state.hashing.stats();
        assert_eq!(stats.runs, 12);
        assert!(stats.peak <= 2, "{} hashes ran at once", stats.peak);
        assert!(stats.peak >= 1);
    }

    #[tokio::test]
    async fn a_saturated_gate_answers_busy() {
        let gate = PasswordHashing::new(1, Duration::from_millis(50));
        let (started_tx, started_rx) = std::sync::mpsc::channel();
        let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
        let gate = std::sync::Arc::new(gate);
        let holder = {
            let gate = gate.clone();
            tokio::spawn(async move {
                gate.run(move || {
                    let _ = started_tx.send(());
                    let _ = release_rx.recv();
                    Ok(())
                })
                .await
            })
        };
        tokio::task::spawn_blocking(move || started_rx.recv().unwrap())
            .await
            .unwrap();
        let e = gate.run(|| Ok(())).await.unwrap_err();
        assert_eq!(
            (e.status, e.code),
            (StatusCode::SERVICE_UNAVAILABLE, "server.busy")
        );
        assert!(
            e.headers
                .iter()
                .any(|(n, v)| n == header::RETRY_AFTER && v == "5")
        );
        release_tx.send(()).unwrap();
        holder.await.unwrap().unwrap();
    }

    #[tokio::test]
    async fn a_hash_keeps_its_permit_after_the_client_hangs_up() {
        let gate = PasswordHashing::new(1, Duration::from_millis(50));
        let (started_tx, started_rx) = std::sync::mpsc::channel();
        let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
        let first = gate.run(move || {
            let _ = started_tx.send(());
            let _ = release_rx.recv();
            Ok(())
        });
        let started = tokio::task::spawn_blocking(move || started_rx.recv());
        // The client hangs up once its hash is running: its handler (this future) is dropped.
        tokio::select! {
            _ = first => panic!("the hash cannot end before it is released"),
            started = started => started.unwrap().unwrap(),
        }
        let e = gate.run(|| Ok(())).await.unwrap_err();
        assert_eq!(
            (e.status, e.code),
            (StatusCode::SERVICE_UNAVAILABLE, "server.busy")
        );
        assert_eq!(gate.running.load(Ordering::SeqCst), 1);
        // Once the hash ends, its permit and its count come back.
        release_tx.send(()).unwrap();
        let mut freed = false;
        for _ in 0..200 {
            if gate.running.load(Ordering::SeqCst) == 0 {
                freed = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(freed, "the count stays up after the hash ended");
        gate.run(|| Ok(())).await.unwrap();
    }

    #[tokio::test]
    async fn a_login_refused_as_busy_does_not_use_up_the_attempts() {
        let dir = tempfile::tempdir().unwrap();
        let listen = SocketAddr::from(([127, 0, 0, 1], 0));
        let mut config = Config::new(dir.path(), listen);
        config.password_hashes_at_once = 1;
        config.password_hash_wait = Duration::from_millis(50);
        config.login_failures_per_minute = 1;
        let state = crate::open_state(&config).unwrap();
        let app = router(state.clone())
            .layer(MockConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40_000))));
        // Another hash holds the only permit.
        let (started_tx, started_rx) = std::sync::mpsc::channel();
        let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
        let holder = {
            let state = state.clone();
            tokio::spawn(async move {
                state
                    .hashing
                    .run(move || {
                        let _ = started_tx.send(());
                        let _ = release_rx.recv();
                        Ok(())
                    })
                    .await
            })
        };
        tokio::task::spawn_blocking(move || started_rx.recv().unwrap())
            .await
            .unwrap();
        let wrong =
            serde_json::json!({"username": "admin.satu", "password": "Salah-Sandi-Sekali-9"});
        for _ in 0..3 {
            assert_eq!(
                post(&app, "/v1/sessions", wrong.clone()).await,
                StatusCode::SERVICE_UNAVAILABLE
            );
        }
        release_tx.send(()).unwrap();
        holder.await.unwrap().unwrap();
        // The refused tries cost nothing: the first real check answers, not the limit.
        assert_eq!(
            post(&app, "/v1/sessions", wrong).await,
            StatusCode::UNAUTHORIZED
        );
    }
}
