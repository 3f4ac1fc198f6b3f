//! Logging: `tracing` to stderr, filtered by `SEGOPS_LOG` (default `info`). Also installs the
//! process-wide TLS crypto provider, which must happen before any TLS client is built.

use tracing_subscriber::EnvFilter;

pub fn init() {
    install_crypto_provider();
    let filter = EnvFilter::try_from_env("SEGOPS_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// sqlx and reqwest may each pull a rustls provider; naming one avoids a panic at first use.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}
