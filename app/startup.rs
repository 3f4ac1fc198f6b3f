//! Building and running the server. The listener is bound by the caller (port 0 in tests), so
//! tests and production start the same way.

use std::net::SocketAddr;

use anyhow::Context;
use axum::Router;
use tokio::net::TcpListener;
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;

use crate::config::Config;
use crate::state::{App, AppState};
use crate::store::Db;

pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
}

impl Application {
    /// Connects to the database, applies migrations and prepares the routes.
    pub async fn build(config: Config, listener: TcpListener) -> anyhow::Result<Application> {
        let db = Db::connect(&config.database_url).await?;
        db.migrate().await?;
        Application::with_db(config, db, listener)
    }

    pub fn with_db(config: Config, db: Db, listener: TcpListener) -> anyhow::Result<Application> {
        let state = AppState(std::sync::Arc::new(App::new(config, db)?));
        Ok(Application {
            listener,
            router: router(state.clone()),
            state,
        })
    }

    pub fn local_addr(&self) -> anyhow::Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
    }

    pub fn state(&self) -> AppState {
        self.state.clone()
    }

    /// Serves until the shutdown future completes, finishing requests in flight.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown)
            .await
            .context("server failed")
    }
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(crate::admin::router())
        .merge(crate::install::router())
        .merge(crate::webhooks::router())
        .merge(crate::pixel::routes())
        .route("/health", axum::routing::get(|| async { "ok" }))
        .nest_service(
            "/static",
            ServeDir::new(concat!(env!("CARGO_MANIFEST_DIR"), "/static")),
        )
        // Spans name the path only: query strings carry session tokens (`id_token`) and what
        // a merchant searched for (an email), neither of which belongs in a log.
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
                tracing::debug_span!(
                    "request",
                    method = %request.method(),
                    path = %request.uri().path(),
                )
            }),
        )
        .with_state(state)
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
}
