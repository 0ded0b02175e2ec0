//! The demo district: an empty store gets the generated Dongsheng district (东胜区, seed 1),
//! written in one transaction, partitioned into grids and staffed — what `serve` shows on
//! a fresh machine and what the benchmarks run on.

use crate::generate::{DONGSHENG_HOUSEHOLDS, GenerateOptions};
use crate::partition::PartitionOptions;
use crate::service::partition_job::{self, Commit, PartitionJobError, Scope};
use crate::service::staffing;
use crate::store::{Store, StoreError};

/// Why the demo could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("generating the demo district: {0}")]
    Generate(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Partition(#[from] PartitionJobError),
}

/// What loading the demo reports as it goes (a CLI shows bars).
pub trait DemoProgress: Sync {
    /// The district is being generated (`done` once it is).
    fn generating(&self, done: bool);
    /// `written` of `total` rows are in the store.
    fn writing(&self, written: u64, total: u64);
}

/// The demo as loaded: its grids and how many are within ±10% of the target.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoLoaded {
    pub grids: usize,
    pub within_10_percent: f64,
    pub target: u32,
}

/// Generates, writes, partitions and staffs the demo district when the store has no
/// communities; `None` when it has some (nothing is done).
pub async fn load_demo_if_empty(
    store: &dyn Store,
    progress: &dyn DemoProgress,
) -> Result<Option<DemoLoaded>, DemoError> {
    if store.counts().await?.communities > 0 {
        return Ok(None);
    }
    progress.generating(false);
    let options = GenerateOptions {
        households: DONGSHENG_HOUSEHOLDS,
        seed: 1,
    };
    let data = crate::generate::generate_dongsheng(&options);
    progress.generating(true);
    let data = data.map_err(DemoError::Generate)?;
    let total = data.len() as u64;
    let report = |n: u64| progress.writing(n, total);
    store.write(&data, Some(&report)).await?;
    let options = PartitionOptions::default();
    let run = partition_job::run(store, &Scope::All, &options, Commit::Write, &|_, _| {}).await?;
    staffing::settle(store).await?;
    Ok(Some(DemoLoaded {
        grids: run.metrics.grids,
        within_10_percent: run.metrics.within_10_percent,
        target: options.target,
    }))
}
