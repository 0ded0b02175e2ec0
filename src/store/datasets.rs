//! Writing imported data: whole datasets and household rosters, each in one transaction.

use super::StoreError;
use crate::domain::{Dataset, RosterEntry};
use async_trait::async_trait;

/// Progress callback for long writes: called with the number of rows written so far.
pub type Progress<'a> = &'a (dyn Fn(u64) + Sync);

/// Imports: all or nothing.
#[async_trait]
pub trait DatasetStore: Send + Sync {
    /// Inserts or replaces (by code or id) everything in `data`, in one transaction.
    async fn write(
        &self,
        data: &Dataset,
        progress: Option<Progress<'_>>,
    ) -> Result<u64, StoreError>;

    /// Applies a household roster in one transaction; an unknown building fails the whole
    /// roster with its line number. Returns the number of buildings updated.
    async fn apply_roster(&self, entries: &[RosterEntry]) -> Result<u64, StoreError>;
}
