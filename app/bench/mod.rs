//! `segops bench …`: benchmark programs whose figures go into BENCHMARKS.md. Each prints the
//! machine's own limit beside our figure, so the numbers can be read on any box.

mod backfill;
mod box_limit;
mod intake;
mod load;
mod membership;
mod payloads;
mod pixel;
mod segments;
mod segments_db;
mod server;
mod shoppers;

pub use backfill::{BackfillOptions, backfill};
pub use intake::{IntakeOptions, intake};
pub use membership::{MembershipOptions, membership};
pub use pixel::{PixelOptions, pixel};
pub use segments::{SegmentsOptions, segments};
pub use segments_db::{SegmentsDbOptions, segments_db};
