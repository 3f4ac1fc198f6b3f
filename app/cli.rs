//! The commands behind `segops serve`, `migrate` and `sandbox`.

use std::net::SocketAddr;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::startup::{Application, shutdown_signal};

pub async fn serve() -> anyhow::Result<()> {
    let config = Config::from_env()?;
    let listener = TcpListener::bind(config.bind)
        .await
        .with_context(|| format!("cannot listen on {}", config.bind))?;
    let app = Application::build(config, listener).await?;
    let workers = crate::jobs::default_workers(app.state().db.backend());
    crate::jobs::spawn_workers(app.state(), workers);
    crate::jobs::spawn_scheduler(app.state());
    tracing::info!(address = %app.local_addr()?, "SegOps is serving");
    app.run_until(shutdown_signal()).await
}

pub async fn migrate() -> anyhow::Result<()> {
    // Only the database is needed to migrate, so only its variable is read.
    let url = std::env::var("SEGOPS_DATABASE_URL")
        .unwrap_or_else(|_| crate::config::DEFAULT_DATABASE_URL.to_owned());
    let db = crate::store::Db::connect(&url).await?;
    db.migrate().await?;
    println!("migrations applied to {:?} database", db.backend());
    Ok(())
}

pub async fn sandbox(
    bind: SocketAddr,
    api_key: String,
    api_secret: String,
    app_url: String,
) -> anyhow::Result<()> {
    let listener = TcpListener::bind(bind)
        .await
        .with_context(|| format!("cannot listen on {bind}"))?;
    let mut config = crate::sandbox::SandboxConfig::new(
        api_key,
        api_secret,
        app_url.trim_end_matches('/').to_owned(),
    );
    config.scopes = crate::shopify::scopes::required()
        .map(str::to_owned)
        .collect();
    let sandbox = crate::sandbox::Sandbox::start(config, listener).await?;
    println!("sandbox: {}", sandbox.base_url());
    println!(
        "shop URL template (SEGOPS_SHOPIFY_BASE_URL): {}",
        sandbox.shop_url_template()
    );
    sandbox.stopped().await
}
