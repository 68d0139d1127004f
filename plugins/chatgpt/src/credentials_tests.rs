use super::*;
use crate::jwt::test_token;
use serde_json::json;

const NOW: u64 = 1_700_000_000;

fn access_token(exp: u64, account: &str) -> String {
    test_token(&json!({
        "exp": exp,
        "https://api.openai.com/auth": {"chatgpt_account_id": account, "chatgpt_plan_type": "plus"},
    }))
}

fn id_token(account: &str) -> String {
    test_token(&json!({
        "email": "user@example.com",
        "https://api.openai.com/auth": {"chatgpt_account_id": account, "chatgpt_plan_type": "pro"},
    }))
}

fn full_login() -> TokenResponse {
    TokenResponse {
        id_token: Some(id_token("acct-id")),
        access_token: Some(access_token(NOW + 3600, "acct-access")),
        refresh_token: Some("rt-1".into()),
        expires_in: None,
    }
}

/// Creates an empty folder under the system temp dir, which the caller removes.
fn temp_folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ouro-chatgpt-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn login_prefers_id_token_account() {
    let credentials = from_login(None, full_login(), NOW).unwrap();
    assert_eq!(credentials.account_id.as_deref(), Some("acct-id"));
    assert_eq!(credentials.expires_at, Some(NOW + 3600));
    let account = credentials.account();
    assert_eq!(account.label.as_deref(), Some("user@example.com"));
    assert_eq!(account.plan.as_deref(), Some("pro"));
}

#[test]
fn login_falls_back_to_access_account() {
    let mut tokens = full_login();
    tokens.id_token = Some(test_token(&json!({"email": "user@example.com"})));
    let credentials = from_login(None, tokens, NOW).unwrap();
    assert_eq!(credentials.account_id.as_deref(), Some("acct-access"));
}

#[test]
fn login_without_account_fails() {
    let tokens = TokenResponse {
        id_token: Some(test_token(&json!({}))),
        access_token: Some(test_token(&json!({"exp": NOW + 10}))),
        refresh_token: Some("rt".into()),
        expires_in: None,
    };
    let error = from_login(None, tokens, NOW).unwrap_err();
    assert!(
        matches!(error, ProviderError::AuthRequired(ref m) if m.contains("chatgpt_account_id"))
    );
}

#[test]
fn login_missing_token_fails() {
    let mut tokens = full_login();
    tokens.refresh_token = None;
    let error = from_login(None, tokens, NOW).unwrap_err();
    assert!(matches!(error, ProviderError::AuthRequired(ref m) if m.contains("refresh_token")));
}

#[test]
fn login_keeps_unknown_fields() {
    let existing = parse(r#"{"access_token":"old","custom":{"a":1},"last_refresh":"x"}"#).unwrap();
    let credentials = from_login(Some(existing), full_login(), NOW).unwrap();
    assert_eq!(credentials.extra["custom"], json!({"a": 1}));
    assert_eq!(credentials.extra["last_refresh"], json!("x"));
    assert_ne!(credentials.access_token.as_deref(), Some("old"));
}

#[test]
fn refresh_merge_keeps_omitted_tokens() {
    let mut credentials = from_login(None, full_login(), NOW).unwrap();
    credentials
        .extra
        .insert("written_by".into(), json!("other-tool"));
    let old_id_token = credentials.id_token.clone();
    let new_access = access_token(NOW + 7200, "acct-access");

    credentials.apply_tokens(
        TokenResponse {
            access_token: Some(new_access.clone()),
            ..TokenResponse::default()
        },
        NOW,
    );

    assert_eq!(credentials.access_token, Some(new_access));
    assert_eq!(credentials.id_token, old_id_token);
    assert_eq!(credentials.refresh_token.as_deref(), Some("rt-1"));
    assert_eq!(credentials.account_id.as_deref(), Some("acct-id"));
    assert_eq!(credentials.expires_at, Some(NOW + 7200));
    assert_eq!(credentials.extra["written_by"], json!("other-tool"));
}

#[test]
fn refresh_merge_replaces_given_tokens() {
    let mut credentials = from_login(None, full_login(), NOW).unwrap();
    credentials.apply_tokens(
        TokenResponse {
            id_token: Some(id_token("acct-new")),
            access_token: Some("opaque-access".into()),
            refresh_token: Some("rt-2".into()),
            expires_in: Some(120),
        },
        NOW,
    );
    assert_eq!(credentials.refresh_token.as_deref(), Some("rt-2"));
    assert_eq!(credentials.account_id.as_deref(), Some("acct-new"));
    assert_eq!(credentials.expires_at, Some(NOW + 120));
}

#[test]
fn expiry_falls_back_to_jwt() {
    let text =
        json!({"access_token": access_token(NOW + 50, "a"), "refresh_token": "rt"}).to_string();
    let credentials = parse(&text).unwrap();
    assert_eq!(credentials.expires_at, None);
    assert_eq!(credentials.effective_expiry(), Some(NOW + 50));
    assert!(credentials.expires_within(NOW, 60));
    assert!(!credentials.expires_within(NOW, 10));
}

#[test]
fn stored_expiry_wins_over_jwt() {
    let text =
        json!({"access_token": access_token(NOW + 50, "a"), "expires_at": NOW + 999}).to_string();
    assert_eq!(parse(&text).unwrap().effective_expiry(), Some(NOW + 999));
}

#[test]
fn expires_at_accepts_number_forms() {
    assert_eq!(parse(r#"{"expires_at": 12}"#).unwrap().expires_at, Some(12));
    assert_eq!(
        parse(r#"{"expires_at": 12.7}"#).unwrap().expires_at,
        Some(12)
    );
    assert_eq!(
        parse(r#"{"expires_at": "12"}"#).unwrap().expires_at,
        Some(12)
    );
    assert_eq!(parse(r#"{"expires_at": null}"#).unwrap().expires_at, None);
    assert!(parse(r#"{"expires_at": "tomorrow"}"#).is_err());
}

#[test]
fn parse_errors_hide_values() {
    let error = parse(r#"{"access_token": 5, "refresh_token": "secret-value"}"#).unwrap_err();
    assert!(error.contains("wrong type"), "{error}");
    let error = parse(r#"{"refresh_token": "secret-value""#).unwrap_err();
    assert!(error.contains("not valid JSON"), "{error}");
    assert!(!error.contains("secret-value"), "{error}");
}

#[test]
fn debug_output_redacts_tokens() {
    let credentials = from_login(None, full_login(), NOW).unwrap();
    let text = format!("{credentials:?}");
    assert!(!text.contains("rt-1"), "{text}");
    assert!(text.contains("<redacted>"), "{text}");
}

#[test]
fn status_for_each_state() {
    let fresh = from_login(None, full_login(), NOW).unwrap();
    assert!(matches!(auth_status(Ok(None), NOW), AuthStatus::LoggedOut));
    assert!(
        matches!(auth_status(Err("broken".into()), NOW), AuthStatus::Error(ref m) if m == "broken")
    );

    let AuthStatus::LoggedIn(account) = auth_status(Ok(Some(fresh.clone())), NOW) else {
        panic!("expected LoggedIn");
    };
    assert_eq!(account.account_id.as_deref(), Some("acct-id"));
    assert_eq!(account.expires_at, Some(NOW + 3600));

    assert!(matches!(
        auth_status(Ok(Some(fresh.clone())), NOW + 3600),
        AuthStatus::Expired(_)
    ));

    let mut no_refresh = fresh;
    no_refresh.refresh_token = None;
    assert!(matches!(
        auth_status(Ok(Some(no_refresh)), NOW + 3600),
        AuthStatus::Error(_)
    ));
    assert!(matches!(
        auth_status(Ok(Some(Credentials::default())), NOW),
        AuthStatus::Error(_)
    ));
}

#[test]
fn store_round_trip_atomic() {
    let dir = temp_folder("round-trip");
    let store = CredentialStore::in_dir(&dir);
    assert_eq!(store.load(), Ok(None));

    let mut credentials = from_login(None, full_login(), NOW).unwrap();
    credentials.extra.insert("kept".into(), json!(true));
    store.save(&credentials).unwrap();

    assert!(!dir.join(AUTH_TEMP_FILE).exists());
    assert_eq!(store.load(), Ok(Some(credentials)));
    let on_disk: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(AUTH_FILE)).unwrap()).unwrap();
    assert_eq!(on_disk["kept"], json!(true));
    assert_eq!(on_disk["refresh_token"], json!("rt-1"));

    assert!(matches!(store.delete(), Ok(true)));
    assert!(matches!(store.delete(), Ok(false)));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn store_reports_unreadable_file() {
    let dir = temp_folder("unreadable");
    std::fs::write(dir.join(AUTH_FILE), "{oops").unwrap();
    let error = CredentialStore::in_dir(&dir).load().unwrap_err();
    assert!(error.contains("not valid JSON"), "{error}");
    std::fs::remove_dir_all(&dir).unwrap();
}
