//! Worker positions, write-behind: an update reaches the engine at once (nearest-worker
//! answers use it immediately) and the store in batches, the latest position per worker,
//! every [`FLUSH_INTERVAL`] — thousands of updates a second cost one transaction each tick.

use crate::domain::WorkerId;
use crate::engine::Engine;
use crate::engine::read;
use crate::store::{Store, StoreError};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::Duration;

/// How often pending positions are written.
pub const FLUSH_INTERVAL: Duration = Duration::from_millis(250);

/// Workers whose position changed since the last write.
pub struct PositionWriter {
    store: Arc<dyn Store>,
    engine: Arc<RwLock<Engine>>,
    pending: Mutex<BTreeSet<WorkerId>>,
    /// Serialises flushes (the timer and an explicit flush).
    flushing: tokio::sync::Mutex<()>,
}

impl PositionWriter {
    /// Starts the writer; its timer task ends when the writer is dropped.
    pub fn start(store: Arc<dyn Store>, engine: Arc<RwLock<Engine>>) -> Arc<Self> {
        let writer = Arc::new(Self {
            store,
            engine,
            pending: Mutex::default(),
            flushing: tokio::sync::Mutex::new(()),
        });
        let weak: Weak<Self> = Arc::downgrade(&writer);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(FLUSH_INTERVAL);
            loop {
                tick.tick().await;
                let Some(writer) = weak.upgrade() else { break };
                if let Err(e) = writer.flush().await {
                    tracing::error!(error = %e, "writing worker positions failed; will retry");
                }
            }
        });
        writer
    }

    /// Marks a worker's position for the next write.
    pub fn touch(&self, worker: WorkerId) {
        self.pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(worker);
    }

    /// Writes the pending positions (as the engine has them now) in one transaction.
    pub async fn flush(&self) -> Result<u64, StoreError> {
        let _one_at_a_time = self.flushing.lock().await;
        let ids = std::mem::take(&mut *self.pending.lock().unwrap_or_else(|e| e.into_inner()));
        if ids.is_empty() {
            return Ok(0);
        }
        let workers: Vec<_> = {
            let engine = read(&self.engine);
            ids.iter()
                .filter_map(|id| engine.workers().get(id).cloned())
                .collect()
        };
        // Positions and duty only: a name, grids or retirement written meanwhile by another
        // process must not be overwritten with this engine's older copy.
        match self.store.save_positions(&workers).await {
            Ok(n) => Ok(n),
            Err(e) => {
                // Keep them for the next tick.
                self.pending
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .extend(ids);
                Err(e)
            }
        }
    }
}
