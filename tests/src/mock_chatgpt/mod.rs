//! A mock of the ChatGPT OAuth issuer and the Codex backend for end-to-end
//! tests of the ChatGPT subscription plugin.
//!
//! One HTTP/1.1 server on 127.0.0.1 and a random port serves both: the
//! issuer endpoints (`/api/accounts/deviceauth/...`, `/oauth/...`) at
//! [`MockChatGpt::issuer`] and `/codex/responses` under
//! [`MockChatGpt::base_url`]. It validates requests and responds the way the
//! real services do, records every request, and serves scripted completion
//! responses in order. The API is synchronous, so plain `#[test]` functions
//! can use it. The server runs on its own thread and stops on drop.
//!
//! ```ignore
//! let mock = MockChatGpt::start();
//! mock.push_stream(MockChatGpt::text_stream("Hi there."));
//! // Point the plugin at mock.issuer() and mock.base_url(), log in, ask.
//! assert_eq!(mock.count("/backend-api/codex/responses"), 1);
//! ```

mod authorize;
mod backend;
mod codec;
mod device;
mod events;
mod recorded;
mod scripting;
mod server;
mod state;
mod token;

#[cfg(test)]
mod backend_tests;
#[cfg(test)]
mod issuer_tests;
#[cfg(test)]
mod refresh_tests;
#[cfg(test)]
mod stream_tests;
#[cfg(test)]
mod test_client;

use std::net::TcpListener;
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::Value;

pub use recorded::RecordedRequest;
pub use state::CLIENT_ID;

use server::Server;
use state::{Grant, State, lock};

/// A running mock issuer and Codex backend. Dropping it stops the server.
pub struct MockChatGpt {
    state: Arc<Mutex<State>>,
    server: Server,
}

impl MockChatGpt {
    /// Starts the server on 127.0.0.1 and a free port.
    ///
    /// # Panics
    ///
    /// Panics when no loopback port can be bound.
    pub fn start() -> Self {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .expect("binding the mock ChatGPT server to 127.0.0.1");
        let port = listener
            .local_addr()
            .expect("reading the mock server's address")
            .port();
        let state = Arc::new(Mutex::new(State::new(format!("http://127.0.0.1:{port}"))));
        let server = Server::start(listener, state.clone());
        Self { state, server }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    /// Returns the issuer URL, `http://127.0.0.1:PORT`.
    pub fn issuer(&self) -> String {
        format!("http://127.0.0.1:{}", self.server.port)
    }

    /// Returns the backend base URL, `http://127.0.0.1:PORT/backend-api`.
    pub fn base_url(&self) -> String {
        format!("{}/backend-api", self.issuer())
    }

    /// Returns every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state().requests.clone()
    }

    /// Returns how many requests had exactly this `path` (without query).
    pub fn count(&self, path: &str) -> usize {
        self.state()
            .requests
            .iter()
            .filter(|request| request.path == path)
            .count()
    }

    /// Sets the identity that tokens issued from now on describe, including
    /// refreshed ones. The defaults are `acct-mock-7d3c2b1a`,
    /// `mock.user@example.com` and `plus`.
    pub fn set_account(&self, account_id: &str, email: &str, plan: &str) {
        let mut state = self.state();
        state.identity.account_id = account_id.to_owned();
        state.identity.email = email.to_owned();
        state.identity.plan = plan.to_owned();
    }

    /// Sets the lifetime in seconds of access tokens issued from now on
    /// (default 3600). Zero or a negative value issues expired tokens.
    pub fn set_access_token_ttl(&self, secs: i64) {
        self.state().access_token_ttl = secs;
    }

    /// Makes every access token issued so far fail at the backend with 401
    /// `token_invalidated`, as after a server-side sign-out.
    pub fn invalidate_access_tokens(&self) {
        for token in self.state().access_tokens.values_mut() {
            token.invalidated = true;
        }
    }

    /// Issues tokens without a login, for tests that seed stored
    /// credentials. Returns the JSON the token endpoint would send:
    /// `id_token`, `access_token`, `refresh_token`, `expires_in`. With an
    /// `originator`, the backend requires that header value, as after a
    /// browser login. Without one, any non-empty value passes.
    pub fn issue_tokens(&self, originator: Option<&str>) -> Value {
        let mut state = self.state();
        let grant = Grant {
            identity: state.identity.clone(),
            originator: originator.map(str::to_owned),
        };
        token::issue_tokens(&mut state, grant, true)
    }

    /// Sets how many polls of the device token endpoint return "pending"
    /// (403 and 404 in turn) before the login succeeds. The default is 1.
    pub fn device_pending_polls(&self, n: usize) {
        self.state().device_pending_polls = n;
    }

    /// Makes every later device poll return 403 "Device authorization code
    /// has expired".
    pub fn device_expire(&self) {
        self.state().device_expired = true;
    }

    /// Makes the usercode endpoint return 404, as a server without device
    /// login does.
    pub fn device_disabled(&self) {
        self.state().device_disabled = true;
    }

    /// Sets the `interval` string sent by the usercode endpoint (default
    /// `"1"`). Any text is sent as is, so tests can send invalid values.
    pub fn set_device_interval(&self, interval: &str) {
        self.state().device_interval = interval.to_owned();
    }

    /// Returns the user code of the latest device login, or the code that
    /// the next one will get when none has started.
    pub fn user_code(&self) -> String {
        let state = self.state();
        state
            .last_user_code
            .clone()
            .unwrap_or_else(|| state.next_user_code.clone())
    }

    /// Plays the browser and the approving user: validates `authorize_url`
    /// and returns the redirect URL with `code`, `scope` and `state`. The
    /// code is bound to the URL's code challenge, redirect URI and
    /// originator.
    ///
    /// # Errors
    ///
    /// Returns a message naming the first invalid part of the URL. Browser
    /// visits to `GET /oauth/authorize` get the same checks.
    pub fn authorize(&self, authorize_url: &str) -> Result<String, String> {
        authorize::authorize(&mut self.state(), authorize_url)
    }

    /// Makes later authorizations redirect with `error=access_denied` and a
    /// description that contains `missing_codex_entitlement`.
    pub fn deny_entitlement(&self) {
        self.state().deny_entitlement = true;
    }

    /// Makes every refresh token issued so far fail with 401
    /// `refresh_token_expired`.
    pub fn expire_refresh_tokens(&self) {
        for token in self.state().refresh_tokens.values_mut() {
            token.expired = true;
        }
    }

    /// Makes every refresh fail with `status` (meant for transient 5xx) without
    /// using up the refresh token, until [`Self::clear_refresh_failure`].
    pub fn fail_refresh_with(&self, status: u16) {
        self.state().refresh_failure_status = Some(status);
    }

    /// Lets refreshes succeed again after [`Self::fail_refresh_with`].
    pub fn clear_refresh_failure(&self) {
        self.state().refresh_failure_status = None;
    }

    /// Sets whether refresh responses leave out `id_token`, which clients
    /// must then keep from before.
    pub fn omit_id_token_on_refresh(&self, omit: bool) {
        self.state().omit_id_token_on_refresh = omit;
    }

    /// Builds an HS256 JWT with `claims` as its payload, signed with a fixed
    /// test key.
    pub fn make_jwt(claims: Value) -> String {
        codec::make_jwt(&claims)
    }

    /// Decodes a JWT's payload without checking the signature.
    pub fn jwt_claims(token: &str) -> Option<Value> {
        codec::jwt_claims(token)
    }
}
