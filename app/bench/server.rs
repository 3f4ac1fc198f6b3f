//! The real server, in this process, on a fresh database, with one provisioned shop: what the
//! end-to-end benchmarks run against. Shopify itself is unreachable (a closed port), so only
//! work that needs no Admin API call is measured.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::config::{Config, DEFAULT_API_VERSION, PixelConfig};
use crate::crypto::{MasterKey, Secret};
use crate::shopify::ShopDomain;
use crate::startup::Application;
use crate::state::AppState;

pub const SHOP: &str = "bench-store.myshopify.com";

pub struct BenchServer {
    pub state: AppState,
    pub address: SocketAddr,
    pub shop_id: String,
    /// The shop's public storefront key, for the pixel intake.
    pub storefront_key: String,
    dir: PathBuf,
}

impl BenchServer {
    /// Starts the server on `store` ("sqlite" or "postgres"); the pixel rate limit is lifted,
    /// since a benchmark is one storefront at full speed.
    pub async fn start(store: &str) -> anyhow::Result<BenchServer> {
        let dir = std::env::temp_dir().join(format!("segops-bench-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir)?;
        let database_url = match store {
            "sqlite" => format!("sqlite://{}/bench.db", dir.display()),
            "postgres" => crate::testing::fresh_postgres_database()
                .await
                .context("PostgreSQL is not reachable")?,
            other => anyhow::bail!("--store must be sqlite or postgres, not {other:?}"),
        };
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let config = Config {
            api_key: "bench".into(),
            api_secret: Secret::new("bench-secret".into()),
            app_url: format!("http://{address}"),
            database_url,
            shopify_base_url: "http://127.0.0.1:9/{shop}".into(),
            api_version: DEFAULT_API_VERSION.into(),
            master_key: MasterKey::generate(),
            bind: address,
            pixel: PixelConfig {
                events_per_sec: u32::MAX / 4,
                extra_origins: Vec::new(),
            },
        };
        let app = Application::build(config, listener).await?;
        let state = app.state();
        let shop = ShopDomain::parse(SHOP).context("bench shop")?;
        let provisioned = crate::tenants::provision(
            &state.db,
            &state.token_sealer,
            &shop,
            &Secret::new("shpat_bench".into()),
            "",
            None,
        )
        .await?;
        let shop_id = provisioned.shop.id;
        let storefront_key = crate::pixel::settings::ensure(&state.db, &shop_id)
            .await?
            .storefront_key;
        tokio::spawn(app.run_until(std::future::pending()));
        Ok(BenchServer {
            state,
            address,
            shop_id,
            storefront_key,
            dir,
        })
    }
}

impl Drop for BenchServer {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
