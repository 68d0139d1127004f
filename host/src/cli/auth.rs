//! `--login`, `--logout` and `ouro status`.

use crate::cli::Loaded;

/// Logs in to `provider` (or asks which one) with `method` (or asks which
/// one), then adds the provider's models to models.yaml.
pub fn login(_loaded: &Loaded, _provider: Option<&str>, _method: Option<&str>) -> anyhow::Result<()> {
    anyhow::bail!("login is not available in this build yet")
}

/// Logs out of `provider` (or asks which one) and removes its managed models.
pub fn logout(_loaded: &Loaded, _provider: Option<&str>) -> anyhow::Result<()> {
    anyhow::bail!("logout is not available in this build yet")
}
