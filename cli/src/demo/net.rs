//! The demo's network switch: the citizen's device talks through it, so "offline" really
//! means no request leaves the device (the engine sees a connection failure, exactly as with
//! no signal), and the demo can prove it by counting what was held back.

use ceria_core::device::transport::{HttpRequest, HttpResponse, Transport, TransportError};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

/// A transport that forwards to `inner` only while online.
pub struct Switch<T> {
    inner: T,
    online: AtomicBool,
    held_back: AtomicU32,
    sent: AtomicU32,
}

impl<T> std::fmt::Debug for Switch<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Switch")
            .field("online", &self.online.load(Ordering::SeqCst))
            .finish_non_exhaustive()
    }
}

impl<T: Transport> Switch<T> {
    /// Starts online.
    pub fn new(inner: T) -> Switch<T> {
        Switch {
            inner,
            online: AtomicBool::new(true),
            held_back: AtomicU32::new(0),
            sent: AtomicU32::new(0),
        }
    }

    /// Turns the network on or off.
    pub fn set_online(&self, online: bool) {
        self.online.store(online, Ordering::SeqCst);
    }

    /// Requests refused while offline.
    pub fn held_back(&self) -> u32 {
        self.held_back.load(Ordering::SeqCst)
    }

    /// Requests that went to the server.
    pub fn sent(&self) -> u32 {
        self.sent.load(Ordering::SeqCst)
    }
}

impl<T: Transport> Transport for Switch<T> {
    fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        if !self.online.load(Ordering::SeqCst) {
            self.held_back.fetch_add(1, Ordering::SeqCst);
            return Err(TransportError::Connect("network is off (demo)".into()));
        }
        self.sent.fetch_add(1, Ordering::SeqCst);
        self.inner.send(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Always;

    impl Transport for Always {
        fn send(&self, _r: HttpRequest) -> Result<HttpResponse, TransportError> {
            Ok(HttpResponse {
                status: 204,
                headers: Vec::new(),
                body: Vec::new(),
            })
        }
    }

    #[test]
    fn offline_holds_everything_back() {
        let s = Switch::new(Always);
        assert!(s.send(HttpRequest::new("GET", "http://x/")).is_ok());
        s.set_online(false);
        let e = s.send(HttpRequest::new("GET", "http://x/")).unwrap_err();
        assert!(matches!(e, TransportError::Connect(_)));
        s.set_online(true);
        assert!(s.send(HttpRequest::new("GET", "http://x/")).is_ok());
        assert_eq!((s.sent(), s.held_back()), (2, 1));
    }
}
