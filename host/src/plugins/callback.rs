//! Loopback listener for OAuth browser redirects, with a paste fallback.
//!
//! The listener binds 127.0.0.1 on the first free port of the plugin's list
//! (for ChatGPT the registered 1455, then 1457) or any free port. While it
//! waits, the user may instead paste what the browser showed: the redirect
//! URL, a query string, `code#state`, or the bare code. A redirect whose
//! `state` differs from the expected one is answered with 400 and ignored.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::time::Duration;

use super::host_ui::UiFailure;

/// A bound loopback listener.
pub struct CallbackListener {
    listener: TcpListener,
    port: u16,
    path: String,
}

/// How long a login may wait for the redirect.
const WAIT_LIMIT: Duration = Duration::from_secs(15 * 60);

impl CallbackListener {
    /// Binds the first free port of `ports`, else any free port.
    pub fn bind(ports: &[u16], path: &str) -> Result<Self, UiFailure> {
        let path = if path.starts_with('/') { path.to_owned() } else { format!("/{path}") };
        let listener = ports
            .iter()
            .find_map(|port| TcpListener::bind(("127.0.0.1", *port)).ok())
            .or_else(|| TcpListener::bind(("127.0.0.1", 0)).ok())
            .ok_or_else(|| UiFailure::Failed("could not listen on any loopback port".into()))?;
        let port = listener
            .local_addr()
            .map_err(|error| UiFailure::Failed(error.to_string()))?
            .port();
        tracing::debug!(port, "listening for the OAuth redirect");
        Ok(Self { listener, port, path })
    }

    /// Returns the redirect URI to register in the authorization request.
    pub fn redirect_uri(&self) -> String {
        format!("http://localhost:{}{}", self.port, self.path)
    }

    /// Returns the bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Waits for a redirect with `expected_state`, from the listener or,
    /// when `read_paste` is set, from lines on stdin.
    pub fn wait(&self, expected_state: &str, read_paste: bool) -> Result<Vec<(String, String)>, UiFailure> {
        let (sender, receiver) = mpsc::channel::<Vec<(String, String)>>();
        let listener = self
            .listener
            .try_clone()
            .map_err(|error| UiFailure::Failed(error.to_string()))?;
        let expected = expected_state.to_owned();
        let path = self.path.clone();
        let server_sender = sender.clone();
        std::thread::spawn(move || serve(listener, &path, &expected, server_sender));

        if read_paste {
            let expected = expected_state.to_owned();
            std::thread::spawn(move || {
                let stdin = std::io::stdin();
                for line in stdin.lock().lines() {
                    let Ok(line) = line else { return };
                    match parse_pasted(&line) {
                        Some(params) if state_matches(&params, &expected) => {
                            let _ = sender.send(params);
                            return;
                        }
                        Some(_) => eprintln!(
                            "That redirect belongs to another login attempt (state mismatch); paste the latest one."
                        ),
                        None if line.trim().is_empty() => {}
                        None => eprintln!("Could not find a code in that text; paste the full URL from the browser."),
                    }
                }
            });
        }

        receiver
            .recv_timeout(WAIT_LIMIT)
            .map_err(|_| UiFailure::Failed("no redirect arrived within 15 minutes; start the login again".into()))
    }
}

fn serve(listener: TcpListener, path: &str, expected_state: &str, sender: mpsc::Sender<Vec<(String, String)>>) {
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        if let Some(params) = handle(stream, path, expected_state) {
            let _ = sender.send(params);
            return;
        }
    }
}

/// Serves one HTTP request and returns the parameters of an accepted redirect.
fn handle(mut stream: TcpStream, path: &str, expected_state: &str) -> Option<Vec<(String, String)>> {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(&stream);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).ok()?;
    // Read the headers too: closing a socket with unread input resets the
    // connection, and the browser would show an error instead of the page.
    let mut header = String::new();
    while reader.read_line(&mut header).is_ok_and(|read| read > 0) && header.trim() != "" {
        header.clear();
    }
    let target = request_line.split_whitespace().nth(1).unwrap_or("");
    let (request_path, query) = target.split_once('?').unwrap_or((target, ""));
    if request_path != path {
        respond(&mut stream, 404, "Not found.");
        return None;
    }
    let params = parse_query(query);
    if !state_matches(&params, expected_state) {
        respond(&mut stream, 400, "State mismatch: this redirect belongs to another login attempt.");
        return None;
    }
    if params.iter().any(|(key, _)| key == "error") {
        respond(&mut stream, 200, "Login failed. Return to the terminal for details.");
    } else {
        respond(&mut stream, 200, "Login complete. You can close this tab and return to the terminal.");
    }
    Some(params)
}

fn respond(stream: &mut TcpStream, status: u16, text: &str) {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        _ => "Not Found",
    };
    let body = format!("<!doctype html><html><body><p>{text}</p></body></html>");
    let _ = write!(
        stream,
        "HTTP/1.1 {status} {reason}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
}

/// A redirect is accepted if it carries the expected state, or no state at
/// all when it was pasted as a bare code.
fn state_matches(params: &[(String, String)], expected: &str) -> bool {
    match params.iter().find(|(key, _)| key == "state") {
        Some((_, state)) => state == expected,
        None => params.iter().any(|(key, _)| key == "code"),
    }
}

/// Parses what a user pasted: a redirect URL, a query string, `code#state`
/// or a bare code.
pub fn parse_pasted(text: &str) -> Option<Vec<(String, String)>> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Some((_, query)) = text.split_once('?') {
        let query = query.split('#').next().unwrap_or("");
        let params = parse_query(query);
        return params.iter().any(|(key, _)| key == "code" || key == "error").then_some(params);
    }
    if text.contains('=') {
        let params = parse_query(text);
        return params.iter().any(|(key, _)| key == "code").then_some(params);
    }
    if let Some((code, state)) = text.split_once('#') {
        return Some(vec![("code".into(), code.into()), ("state".into(), state.into())]);
    }
    if text.chars().any(char::is_whitespace) {
        return None;
    }
    Some(vec![("code".into(), text.into())])
}

fn parse_query(query: &str) -> Vec<(String, String)> {
    reqwest::Url::parse(&format!("http://localhost/?{query}"))
        .map(|url| url.query_pairs().map(|(key, value)| (key.into_owned(), value.into_owned())).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
        params.iter().find(|(name, _)| name == key).map(|(_, value)| value.as_str())
    }

    #[test]
    fn pasted_redirect_url_yields_code_and_state() {
        let params = parse_pasted("http://localhost:1455/auth/callback?code=abc&state=xyz").unwrap();
        assert_eq!(value(&params, "code"), Some("abc"));
        assert_eq!(value(&params, "state"), Some("xyz"));
    }

    #[test]
    fn pasted_code_hash_state_is_split() {
        let params = parse_pasted("abc#xyz").unwrap();
        assert_eq!(value(&params, "code"), Some("abc"));
        assert_eq!(value(&params, "state"), Some("xyz"));
    }

    #[test]
    fn pasted_query_string_is_parsed() {
        let params = parse_pasted("code=abc&state=xyz").unwrap();
        assert_eq!(value(&params, "code"), Some("abc"));
    }

    #[test]
    fn pasted_bare_code_has_no_state() {
        let params = parse_pasted("  abc123 ").unwrap();
        assert_eq!(params, vec![("code".to_owned(), "abc123".to_owned())]);
        assert!(state_matches(&params, "anything"));
    }

    #[test]
    fn wrong_state_is_rejected() {
        let params = parse_pasted("abc#other").unwrap();
        assert!(!state_matches(&params, "expected"));
    }

    #[test]
    fn prose_is_not_a_code() {
        assert_eq!(parse_pasted("I do not know"), None);
        assert_eq!(parse_pasted(""), None);
    }
}
