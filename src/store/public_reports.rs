//! Residents' reports as stored: which incident a tracking code (by its hash) follows, and
//! the rating given after closing. The report itself is written by
//! [`IncidentStore::report_incident`](super::IncidentStore::report_incident) with its code.

use super::StoreError;
use crate::domain::{PublicReport, Satisfaction};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// What rating a report did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rated {
    Now,
    /// The incident is not closed yet: nothing was written.
    NotClosed,
    /// It was rated before: the first rating stands.
    AlreadyRated,
}

/// Residents' reports by the SHA-256 of their tracking codes.
#[async_trait]
pub trait PublicReportStore: Send + Sync {
    /// The report a code's hash follows.
    async fn public_report(&self, code_sha256: &str) -> Result<Option<PublicReport>, StoreError>;

    /// Rates a closed report, once.
    async fn rate_public_report(
        &self,
        code_sha256: &str,
        rating: Satisfaction,
        comment: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<Rated, StoreError>;
}
