//! Saving grid workers: their grids, duty and last positions.

use super::StoreError;
use crate::domain::Worker;
use async_trait::async_trait;

/// Workers as stored.
#[async_trait]
pub trait WorkerStore: Send + Sync {
    /// Inserts or replaces these workers (grids, duty, position), in one transaction.
    async fn save_workers(&self, workers: &[Worker]) -> Result<u64, StoreError>;
}
