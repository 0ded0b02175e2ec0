//! Workers on SQL: saved as a dataset of workers (one upsert each, announced by id).

use super::{SqlBackend, SqlStore};
use crate::domain::{Dataset, Worker};
use crate::store::{DatasetStore, StoreError, WorkerStore};
use async_trait::async_trait;

#[async_trait]
impl<B: SqlBackend> WorkerStore for SqlStore<B> {
    async fn save_workers(&self, workers: &[Worker]) -> Result<u64, StoreError> {
        let data = Dataset {
            workers: workers.to_vec(),
            ..Dataset::default()
        };
        self.write(&data, None).await
    }
}
