//! State shared by the server thread and the test: settings, issued codes
//! and tokens, scripted backend responses and the request log.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use serde_json::Value;

use super::codec::{random_token, random_user_code};
use super::recorded::RecordedRequest;

/// The public OAuth client id of Codex clients.
pub const CLIENT_ID: &str = "app_EMoamEEZ73f0CkXaXp7hrann";

/// The user that issued tokens describe.
#[derive(Clone, Debug)]
pub(super) struct Identity {
    pub account_id: String,
    pub email: String,
    pub plan: String,
    pub user_id: String,
}

/// A login: who signed in and, for browser logins, the `originator` given
/// in the authorize URL, which the backend then requires as a header.
#[derive(Clone, Debug)]
pub(super) struct Grant {
    pub identity: Identity,
    pub originator: Option<String>,
}

/// An authorization code waiting for its exchange at `/oauth/token`.
pub(super) struct PendingCode {
    pub code_challenge: String,
    pub redirect_uri: String,
    pub originator: Option<String>,
}

/// One device login started at the usercode endpoint.
pub(super) struct DeviceSession {
    pub user_code: String,
    pub started: Instant,
    pub polls: usize,
    pub completed: bool,
}

pub(super) struct AccessToken {
    pub grant: Grant,
    /// Unix seconds.
    pub expires_at: i64,
    pub invalidated: bool,
}

pub(super) struct RefreshToken {
    pub grant: Grant,
    pub used: bool,
    pub expired: bool,
}

/// A response queued for `POST /backend-api/codex/responses`.
pub(super) enum Scripted {
    /// JSON events, each sent as one SSE frame.
    Events(Vec<Value>),
    /// Raw body chunks, sent one by one with short pauses. When `abort` is
    /// set, the connection is cut after the last chunk instead of ending the
    /// chunked body.
    Raw { chunks: Vec<Vec<u8>>, abort: bool },
    Error {
        status: u16,
        headers: Vec<(String, String)>,
        body: Value,
    },
}

pub(super) struct State {
    pub issuer: String,
    pub started: Instant,
    pub requests: Vec<RecordedRequest>,

    pub identity: Identity,
    /// Access token lifetime in seconds, zero or negative for tokens that
    /// are already expired.
    pub access_token_ttl: i64,

    pub device_interval: String,
    pub device_pending_polls: usize,
    pub device_expired: bool,
    pub device_disabled: bool,
    pub next_user_code: String,
    pub last_user_code: Option<String>,
    pub device_sessions: HashMap<String, DeviceSession>,

    pub codes: HashMap<String, PendingCode>,
    pub deny_entitlement: bool,

    pub access_tokens: HashMap<String, AccessToken>,
    pub refresh_tokens: HashMap<String, RefreshToken>,
    pub refresh_failure_status: Option<u16>,
    pub omit_id_token_on_refresh: bool,

    pub rejected_models: HashSet<String>,
    pub allowed_models: Option<HashSet<String>>,
    pub queue: VecDeque<Scripted>,
    pub rate_limit_headers: Vec<(String, String)>,
}

impl State {
    pub fn new(issuer: String) -> Self {
        Self {
            issuer,
            started: Instant::now(),
            requests: Vec::new(),
            identity: Identity {
                account_id: "acct-mock-7d3c2b1a".to_owned(),
                email: "mock.user@example.com".to_owned(),
                plan: "plus".to_owned(),
                user_id: format!("user-{}", random_token(12)),
            },
            access_token_ttl: 3600,
            device_interval: "1".to_owned(),
            device_pending_polls: 1,
            device_expired: false,
            device_disabled: false,
            next_user_code: random_user_code(),
            last_user_code: None,
            device_sessions: HashMap::new(),
            codes: HashMap::new(),
            deny_entitlement: false,
            access_tokens: HashMap::new(),
            refresh_tokens: HashMap::new(),
            refresh_failure_status: None,
            omit_id_token_on_refresh: false,
            rejected_models: HashSet::new(),
            allowed_models: None,
            queue: VecDeque::new(),
            rate_limit_headers: Vec::new(),
        }
    }

    /// Redirect URI that device-flow authorization codes are bound to.
    pub fn device_redirect_uri(&self) -> String {
        format!("{}/deviceauth/callback", self.issuer)
    }

    /// Replaces the rate-limit headers of one window (`primary` or
    /// `secondary`).
    pub fn set_rate_limit_window(
        &mut self,
        window: &str,
        used_percent: f64,
        window_minutes: u64,
        reset_at: u64,
    ) {
        let prefix = format!("x-codex-{window}-");
        self.rate_limit_headers
            .retain(|(name, _)| !name.starts_with(&prefix));
        self.rate_limit_headers
            .push((format!("{prefix}used-percent"), used_percent.to_string()));
        self.rate_limit_headers.push((
            format!("{prefix}window-minutes"),
            window_minutes.to_string(),
        ));
        self.rate_limit_headers
            .push((format!("{prefix}reset-at"), reset_at.to_string()));
    }
}

/// Locks the state, recovering it when a handler panicked while holding it
/// so that one failed assertion does not hide the request log.
pub(super) fn lock(state: &Arc<Mutex<State>>) -> MutexGuard<'_, State> {
    state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
