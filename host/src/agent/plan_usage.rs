//! The last plan usage a provider reported (percent used, reset time),
//! kept in `$OURO_HOME/usage/<provider>.json` so `ouro status` can show it
//! between sessions.

use serde::{Deserialize, Serialize};

use crate::config::OuroHome;
use crate::config::paths::create_private_dir;
use crate::plugins::{RateLimitWindow, RateLimits};

/// One usage window.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct Window {
    pub used_percent: f64,
    pub window_minutes: Option<u64>,
    pub resets_at: Option<u64>,
}

/// The stored usage of one provider.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PlanUsage {
    pub primary: Option<Window>,
    pub secondary: Option<Window>,
}

fn window(window: &Option<RateLimitWindow>) -> Option<Window> {
    window.as_ref().map(|window| Window {
        used_percent: window.used_percent,
        window_minutes: window.window_minutes,
        resets_at: window.resets_at,
    })
}

/// Stores `limits` as the provider's latest usage.
pub fn save(home: &OuroHome, provider: &str, limits: &RateLimits) {
    let usage = PlanUsage {
        primary: window(&limits.primary),
        secondary: window(&limits.secondary),
    };
    let dir = home.root().join("usage");
    let written = create_private_dir(&dir).and_then(|()| {
        let text = serde_json::to_vec(&usage).map_err(std::io::Error::other)?;
        std::fs::write(dir.join(format!("{provider}.json")), text)
    });
    if let Err(error) = written {
        tracing::debug!(%error, provider, "could not store the plan usage");
    }
}

/// Reads the provider's latest stored usage.
pub fn load(home: &OuroHome, provider: &str) -> Option<PlanUsage> {
    let text = std::fs::read_to_string(home.root().join("usage").join(format!("{provider}.json"))).ok()?;
    serde_json::from_str(&text).ok()
}
