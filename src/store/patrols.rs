//! Patrols as stored: started, fixes appended while open, stopped with what they passed.

use super::StoreError;
use crate::domain::{Patrol, PatrolId, TrackPoint, WorkerId};
use crate::engine::TrackPassage;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// Patrols.
#[async_trait]
pub trait PatrolStore: Send + Sync {
    /// Starts a patrol; [`StoreError::Conflict`] when its worker has one open.
    async fn start_patrol(&self, patrol: &Patrol) -> Result<(), StoreError>;

    /// Appends fixes to an open patrol; [`StoreError::Conflict`] when it is stopped.
    async fn add_patrol_points(
        &self,
        id: &PatrolId,
        points: &[TrackPoint],
    ) -> Result<(), StoreError>;

    /// Stops an open patrol with what it passed; [`StoreError::Conflict`] when stopped.
    async fn stop_patrol(
        &self,
        id: &PatrolId,
        at: DateTime<Utc>,
        passage: &TrackPassage,
    ) -> Result<(), StoreError>;

    /// A patrol with its track.
    async fn patrol(&self, id: &PatrolId) -> Result<Option<Patrol>, StoreError>;

    /// Patrols newest first (without tracks), of one worker or all, started in a time span.
    async fn patrols(
        &self,
        worker: Option<&WorkerId>,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        limit: u32,
    ) -> Result<Vec<Patrol>, StoreError>;
}
