//! Saving grid workers (their grids, duty and last positions) and the record of who changed
//! which worker when.

use super::StoreError;
use crate::domain::{Worker, WorkerChange, WorkerId};
use async_trait::async_trait;

/// Workers as stored.
#[async_trait]
pub trait WorkerStore: Send + Sync {
    /// Inserts or replaces these workers (grids, duty, position), in one transaction.
    async fn save_workers(&self, workers: &[Worker]) -> Result<u64, StoreError> {
        self.record_workers(workers, &[]).await
    }

    /// Writes these workers' positions and duty only (their other fields stay as stored:
    /// another process may have changed them since this one read them); retired workers
    /// are left alone. One transaction.
    async fn save_positions(&self, workers: &[Worker]) -> Result<u64, StoreError>;

    /// Inserts or replaces these workers and records these changes, in one transaction.
    async fn record_workers(
        &self,
        workers: &[Worker],
        changes: &[WorkerChange],
    ) -> Result<u64, StoreError>;

    /// Recorded changes, newest first: of one worker, or of all; at most `limit`.
    async fn worker_changes(
        &self,
        worker: Option<&WorkerId>,
        limit: u32,
    ) -> Result<Vec<WorkerChange>, StoreError>;
}
