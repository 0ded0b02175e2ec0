//! The incidents' closed loop as stored: reports (idempotent), checked transitions, steps.

use super::StoreError;
use crate::domain::{IdempotencyKey, Incident, IncidentEvent, IncidentId, IncidentStatus};
use async_trait::async_trait;

/// What recording a report did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reported {
    Created,
    /// The idempotency key was used before, with the same request, by this incident.
    Duplicate(IncidentId),
    /// The idempotency key was used before with another request (by this incident):
    /// nothing was written.
    KeyReused(IncidentId),
}

/// Incidents and their steps.
#[async_trait]
pub trait IncidentStore: Send + Sync {
    /// Records a new incident with its first events, in one transaction, and for a
    /// resident's report the SHA-256 of its tracking code. With an idempotency key already
    /// used, nothing is written and the first incident's id is returned: as a duplicate for
    /// the same request, as a reused key for another.
    async fn report_incident(
        &self,
        incident: &Incident,
        events: &[IncidentEvent],
        idempotency_key: Option<&IdempotencyKey>,
        tracking_code_sha256: Option<&str>,
    ) -> Result<Reported, StoreError>;

    /// Moves an incident on (status, assignee, closing time) and records the step, in one
    /// transaction, only if its status is still `from`: otherwise [`StoreError::Conflict`]
    /// and nothing is written.
    async fn transition_incident(
        &self,
        from: IncidentStatus,
        incident: &Incident,
        event: &IncidentEvent,
    ) -> Result<(), StoreError>;

    /// The steps of an incident, oldest first.
    async fn incident_events(&self, id: &IncidentId) -> Result<Vec<IncidentEvent>, StoreError>;
}
