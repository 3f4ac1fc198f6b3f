//! The `segops` command: parses the command line and hands over to the library.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "segops",
    version,
    about = "SegOps for Shopify: customer data and segmentation"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the app server (configuration from SEGOPS_* variables; see README).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Run the sandbox Shopify store that tests and the demo talk to.
    Sandbox {
        #[arg(long, env = "SEGOPS_SANDBOX_BIND", default_value = "127.0.0.1:8081")]
        bind: SocketAddr,
        #[arg(long, env = "SEGOPS_SHOPIFY_API_KEY")]
        api_key: String,
        #[arg(long, env = "SEGOPS_SHOPIFY_API_SECRET", hide_env_values = true)]
        api_secret: String,
        #[arg(long, env = "SEGOPS_APP_URL")]
        app_url: String,
    },
    /// Benchmark programs (figures for BENCHMARKS.md).
    Bench {
        #[command(subcommand)]
        which: Bench,
    },
    /// Start the sandbox and the app, install SegOps into a demo store, print the admin URL.
    Demo {
        /// Where the demo keeps its database (wiped at each start: the sandbox store is new each time).
        #[arg(long, default_value = "data/demo")]
        data_dir: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
enum Bench {
    /// Signed webhook deliveries against the real server: acknowledged per second and latency.
    Intake {
        #[arg(long, default_value_t = 20_000)]
        deliveries: usize,
        #[arg(long, default_value_t = 64)]
        concurrency: usize,
        /// `sqlite` (a fresh file) or `postgres` (a fresh database on SEGOPS_TEST_POSTGRES_URL's server).
        #[arg(long, default_value = "sqlite")]
        store: String,
        /// Every n-th delivery repeats the previous one (0: no duplicates).
        #[arg(long, default_value_t = 10)]
        duplicate_every: usize,
        /// Arrival rate of the paced run, deliveries per second.
        #[arg(long, default_value_t = 1000.0)]
        rate: f64,
    },
    /// Storefront event batches against the real pixel intake, then their processing.
    Pixel {
        #[arg(long, default_value_t = 100_000)]
        events: usize,
        /// Events per request, as the pixel batches them.
        #[arg(long, default_value_t = 20)]
        batch: usize,
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
        #[arg(long, default_value = "sqlite")]
        store: String,
        #[arg(long, default_value_t = 1_000)]
        visitors: usize,
    },
    /// Storefront events at a steady rate with the job workers running: how long until each
    /// visitor is in the segment the event qualifies them for.
    Membership {
        #[arg(long, default_value_t = 2_000)]
        visitors: usize,
        /// Events per second.
        #[arg(long, default_value_t = 100)]
        rate: u32,
        #[arg(long, default_value = "sqlite")]
        store: String,
        /// Job workers; by default as many as `serve` runs on that store.
        #[arg(long)]
        workers: Option<usize>,
    },
    /// A seeded sandbox store backfilled end to end through bulk operations.
    Backfill {
        #[arg(long, default_value_t = 20_000)]
        orders: usize,
        #[arg(long, default_value_t = 2_000)]
        customers: usize,
        #[arg(long, default_value = "sqlite")]
        store: String,
    },
    /// Ten segments over synthetic profiles in memory: full and incremental evaluation.
    Segments {
        #[arg(long, default_value_t = 1_000_000)]
        profiles: usize,
        /// Events applied one by one for the incremental measure.
        #[arg(long, default_value_t = 100_000)]
        events: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Threads for the full evaluation (default: every core).
        #[arg(long)]
        threads: Option<usize>,
    },
    /// Fifty segments evaluated in full from the database over synthetic profiles: first run
    /// (everyone enters) and second run (no change).
    SegmentsDb {
        #[arg(long, default_value_t = 1_000_000)]
        profiles: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// `sqlite` (a fresh file) or `postgres` (a fresh database on SEGOPS_TEST_POSTGRES_URL's server).
        #[arg(long, default_value = "sqlite")]
        store: String,
        /// Profiles read per page.
        #[arg(long, default_value_t = 2_000)]
        page_size: usize,
        /// Membership changes per write transaction.
        #[arg(long, default_value_t = 4_000)]
        batch_changes: usize,
        /// Write transactions in flight at once (default: the store's, 1 on SQLite, 2 on PostgreSQL).
        #[arg(long)]
        writers: Option<usize>,
        /// SQLite only: keep the filled database in this file and reuse it on the next run with
        /// the same --profiles and --seed (the fill is not what is measured, and takes minutes).
        #[arg(long)]
        keep: Option<std::path::PathBuf>,
    },
}

fn main() -> ExitCode {
    segops::telemetry::init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve => segops::cli::serve().await,
            Command::Migrate => segops::cli::migrate().await,
            Command::Sandbox {
                bind,
                api_key,
                api_secret,
                app_url,
            } => segops::cli::sandbox(bind, api_key, api_secret, app_url).await,
            Command::Demo { data_dir } => segops::demo::run(data_dir).await,
            Command::Bench {
                which:
                    Bench::Intake {
                        deliveries,
                        concurrency,
                        store,
                        duplicate_every,
                        rate,
                    },
            } => {
                let options = segops::bench::IntakeOptions {
                    deliveries,
                    concurrency,
                    store,
                    duplicate_every,
                    rate,
                };
                segops::bench::intake(options).await
            }
            Command::Bench {
                which:
                    Bench::Pixel {
                        events,
                        batch,
                        concurrency,
                        store,
                        visitors,
                    },
            } => {
                segops::bench::pixel(segops::bench::PixelOptions {
                    events,
                    batch,
                    concurrency,
                    store,
                    visitors,
                })
                .await
            }
            Command::Bench {
                which:
                    Bench::Membership {
                        visitors,
                        rate,
                        store,
                        workers,
                    },
            } => {
                segops::bench::membership(segops::bench::MembershipOptions {
                    store,
                    visitors,
                    rate,
                    workers,
                })
                .await
            }
            Command::Bench {
                which:
                    Bench::Backfill {
                        orders,
                        customers,
                        store,
                    },
            } => {
                segops::bench::backfill(segops::bench::BackfillOptions {
                    orders,
                    customers,
                    store,
                })
                .await
            }
            Command::Bench {
                which:
                    Bench::Segments {
                        profiles,
                        events,
                        seed,
                        threads,
                    },
            } => segops::bench::segments(segops::bench::SegmentsOptions {
                profiles,
                events,
                seed,
                threads,
            }),
            Command::Bench {
                which:
                    Bench::SegmentsDb {
                        profiles,
                        seed,
                        store,
                        page_size,
                        batch_changes,
                        writers,
                        keep,
                    },
            } => {
                segops::bench::segments_db(segops::bench::SegmentsDbOptions {
                    profiles,
                    seed,
                    store,
                    page_size,
                    batch_changes,
                    writers,
                    keep,
                })
                .await
            }
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
