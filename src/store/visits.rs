//! Visits as stored: recorded one at a time, listed by worker, building and time.

use super::StoreError;
use crate::domain::{BuildingId, Visit, WorkerId};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// Which visits to list (all filters optional), newest first.
#[derive(Debug, Clone, Default)]
pub struct VisitQuery {
    pub worker: Option<WorkerId>,
    pub building: Option<BuildingId>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub limit: Option<u32>,
}

/// Visits.
#[async_trait]
pub trait VisitStore: Send + Sync {
    async fn record_visit(&self, visit: &Visit) -> Result<(), StoreError>;

    async fn visits(&self, query: &VisitQuery) -> Result<Vec<Visit>, StoreError>;
}
