//! The demo district loaded into an empty store with progress bars, for `serve` and the
//! benchmarks (the loading itself is [`crate::service::demo`]).

use super::{CliResult, progress};
use crate::service::demo;
use crate::store::Store;

/// Loads the demo district into an empty store, with progress bars.
pub async fn load_demo_if_empty(store: &dyn Store) -> CliResult {
    if let Some(loaded) =
        demo::load_demo_if_empty(store, &progress::DemoBars::default(), chrono::Utc::now()).await?
    {
        println!(
            "demo district partitioned: {} grids, {:.1}% within ±10% of {} households",
            loaded.grids,
            loaded.within_10_percent * 100.0,
            loaded.target
        );
    }
    Ok(())
}
