//! Starting the sandbox: one listener, one router, one delivery worker.

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
use tokio::task::JoinHandle;

use super::admin_api::{self, AdminApi, AdminState};
use super::config::SandboxConfig;
use super::state::{SandboxState, SharedState};
use super::webhooks::delivery::DeliveryQueue;
use super::{admin_page, bulk, control, oauth};

/// A running sandbox Shopify.
pub struct Sandbox {
    base_url: String,
    server: Option<JoinHandle<std::io::Result<()>>>,
    worker: Option<JoinHandle<()>>,
}

impl Sandbox {
    /// Serves on an already-bound listener (port 0 in tests) and starts the webhook delivery worker.
    pub async fn start(
        config: SandboxConfig,
        listener: tokio::net::TcpListener,
    ) -> anyhow::Result<Sandbox> {
        let addr = listener.local_addr()?;
        let base_url = format!("http://{addr}");
        let deliveries = Arc::new(DeliveryQueue::new(
            config.api_secret.clone(),
            config.retry_base,
        )?);
        let state: SharedState = Arc::new(SandboxState::new(
            config,
            base_url.clone(),
            deliveries.clone(),
        ));
        let app = router(state, Arc::new(AdminApi::new()?));
        let worker = tokio::spawn(deliveries.run());
        let server = tokio::spawn(async move { axum::serve(listener, app).await });
        tracing::info!(%base_url, "sandbox Shopify listening");
        Ok(Sandbox {
            base_url,
            server: Some(server),
            worker: Some(worker),
        })
    }

    /// e.g. `http://127.0.0.1:40555`
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// `{base_url}/store/{shop}`: what the app takes as its Shopify base URL.
    pub fn shop_url_template(&self) -> String {
        format!("{}/store/{{shop}}", self.base_url)
    }

    /// Waits until the server ends.
    pub async fn stopped(mut self) -> anyhow::Result<()> {
        if let Some(server) = self.server.take() {
            server.await??;
        }
        Ok(())
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        // A dropped handle (end of a test) stops the server and the worker with it.
        for handle in [
            self.server.take().map(|h| h.abort_handle()),
            self.worker.take().map(|h| h.abort_handle()),
        ]
        .into_iter()
        .flatten()
        {
            handle.abort();
        }
    }
}

fn router(state: SharedState, api: Arc<AdminApi>) -> Router {
    let admin = Router::new()
        .route(
            "/store/{shop}/admin/api/{version}/graphql.json",
            post(admin_api::graphql),
        )
        .with_state(AdminState {
            state: state.clone(),
            api,
        });
    Router::new()
        .route("/store/{shop}/admin/oauth/authorize", get(oauth::authorize))
        .route(
            "/store/{shop}/admin/oauth/authorize/approve",
            post(oauth::approve_form),
        )
        .route(
            "/store/{shop}/admin/oauth/access_token",
            post(oauth::access_token),
        )
        .route(
            "/store/{shop}/admin/apps/{api_key}",
            get(admin_page::app_link),
        )
        .route("/staged-uploads/", post(bulk::files::upload))
        .route("/bulk-operation-outputs/{file}", get(bulk::files::result))
        // Bulk mutation variables may be large (Shopify takes up to 100 MB).
        .layer(axum::extract::DefaultBodyLimit::max(100 * 1024 * 1024))
        .merge(control::router())
        .merge(bulk::control::router())
        .with_state(state)
        .merge(admin)
}
