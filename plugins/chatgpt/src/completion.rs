//! Starting a completion: credentials, the request, and the retries that
//! happen before the stream begins (one refresh after a 401, bounded
//! retries of server errors).

use std::time::Duration;

use ouro_plugin_sdk::http::Request;
use ouro_plugin_sdk::{CompletionRequest, ProviderError, StreamEvent};

use crate::config::Endpoints;
use crate::credentials::{CredentialStore, Credentials, missing_account_id};
use crate::errors::{MAX_RETRY_AFTER_SECS, map_http_error, server_retry_delay};
use crate::events::rate_limits_from_headers;
use crate::logging as log;
use crate::request::build_body;
use crate::stream::{ResponseStream, StreamDecoder};
use crate::time::{now_unix, parse_retry_after};
use crate::{net, refresh};

const ACTION: &str = "sending the request to ChatGPT";

/// Sends `request` and returns the stream of its response.
pub fn start(request: &CompletionRequest) -> Result<ResponseStream, ProviderError> {
    let endpoints = Endpoints::from_settings(&request.settings)?;
    let body = build_body(request)?.to_string();
    let store = CredentialStore::data_folder();
    let mut credentials = refresh::usable_credentials(&store, &endpoints)?;
    let mut refreshed_after_401 = false;
    let mut server_retries = 0;

    loop {
        let access_token = credentials.access_token.clone().unwrap_or_default();
        let http_request = build_request(&endpoints, &credentials, &request.session_id, &body)?;
        let response = net::send(http_request, ACTION)?;
        let status = response.status;
        if (200..300).contains(&status) {
            let initial = rate_limits_from_headers(&response.headers).map(StreamEvent::RateLimits);
            let decoder = StreamDecoder::new(now_unix(), initial.into_iter().collect());
            return Ok(ResponseStream::new(response, decoder));
        }

        let now = now_unix();
        let retry_after = response
            .header("retry-after")
            .and_then(|value| parse_retry_after(value, now));
        // The status decides what happens; an unreadable error body only loses detail.
        let error_body = net::read_text(&response, ACTION).unwrap_or_default();

        if status == 401 && !refreshed_after_401 {
            refreshed_after_401 = true;
            log::info(
                "the ChatGPT backend rejected the access token (HTTP 401); refreshing the login once",
            );
            credentials = refresh::refresh(&store, &endpoints, Some(&access_token))?;
            continue;
        }
        if let Some(delay) = server_retry_delay(status, retry_after, server_retries) {
            server_retries += 1;
            log::info(&format!(
                "the ChatGPT backend returned HTTP {status}; retry {server_retries} in {delay} s"
            ));
            // The host's sleep ends early on Ctrl+C and does not count
            // against the plugin's CPU limit.
            if !ouro_plugin_sdk::timer::sleep(Duration::from_secs(delay)) {
                return Err(ProviderError::Cancelled);
            }
            continue;
        }

        let error = match map_http_error(status, retry_after, &error_body, now) {
            ProviderError::Transient(message)
                if retry_after.is_some_and(|wait| wait > MAX_RETRY_AFTER_SECS) =>
            {
                let wait = retry_after.unwrap_or_default();
                ProviderError::Transient(format!(
                    "{message}; the server asked to retry after {wait} s"
                ))
            }
            other => other,
        };
        // The host reports the returned error to the user, so it is only
        // recorded at debug level here.
        log::debug(&format!(
            "the ChatGPT request failed with HTTP {status}: {error:?}"
        ));
        return Err(error);
    }
}

fn build_request(
    endpoints: &Endpoints,
    credentials: &Credentials,
    session_id: &str,
    body: &str,
) -> Result<Request, ProviderError> {
    let account_id = credentials.account_id().ok_or_else(missing_account_id)?;
    let access_token = credentials.access_token.as_deref().unwrap_or_default();
    let mut request = net::post(endpoints, &endpoints.responses_url())
        .header("authorization", format!("Bearer {access_token}"))
        .header("chatgpt-account-id", account_id)
        .header("accept", "text/event-stream");
    // A routing and prompt cache hint with the same value as `prompt_cache_key`.
    if !session_id.is_empty() {
        request = request.header("session_id", session_id);
    }
    Ok(request.json(body))
}
