//! The system of record: one [`Store`] trait over two backends, an embedded GeoPackage file
//! and PostGIS, with the same schema and behaviour. Every write is one transaction.

mod error;
pub mod geometry_codec;
mod sql_store;
mod tables;

pub mod geopackage;
pub mod postgis;

pub use error::StoreError;

use crate::domain::{
    Building, BuildingId, Community, CommunityCode, Dataset, District, Grid, GridCode, Incident,
    IncidentEvent, IncidentId, IncidentStatus, LandArea, PlanCommit, PlanState, PlanVersion, Road,
    Role, RosterEntry, Station, Street, Worker,
};
use async_trait::async_trait;
use geo_types::Rect;
use serde::Serialize;
use std::sync::Arc;

/// One recorded partition run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartitionRun {
    pub scope: String,
    pub options: serde_json::Value,
    pub metrics: serde_json::Value,
    pub created_at: String,
}

/// Which backend a store is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StoreKind {
    GeoPackage,
    Postgis,
}

/// Number of rows per layer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub districts: u64,
    pub streets: u64,
    pub communities: u64,
    pub grids: u64,
    pub buildings: u64,
    pub roads: u64,
    pub stations: u64,
    pub workers: u64,
    pub incidents: u64,
}

/// Filters for listing a layer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LayerQuery {
    /// Only features whose bounding box intersects this box (lon/lat).
    pub bbox: Option<Rect<f64>>,
    /// Only features whose code (or community code, for buildings and stations) starts so.
    pub code_prefix: Option<String>,
    /// At most this many features; `None` for all.
    pub limit: Option<u32>,
    /// Skip this many features (in key order).
    pub offset: u64,
    /// Only features with these keys (ids or codes).
    pub ids: Option<Vec<String>>,
}

/// A layer whose rows changed, as other processes on the same database hear of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangedLayer {
    Grids,
    Workers,
    Incidents,
    Buildings,
    Stations,
    /// Roads and land areas (the basemap).
    Roads,
    /// Communities and streets (imports; splits and merges come with `Grids`).
    Communities,
}

/// A committed change, announced by the process that wrote it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Change {
    pub layer: ChangedLayer,
    /// The keys written; `None` when too many to list (reload the layer).
    pub ids: Option<Vec<String>>,
    /// The store instance that wrote it (a process skips its own changes).
    pub origin: String,
}

/// A partition result to commit: the grids of `communities` are replaced by `grids`, every
/// building of those communities gets its grid from `assignments`, and the run is recorded.
#[derive(Debug, Clone, Default)]
pub struct GridReplacement {
    pub communities: Vec<CommunityCode>,
    pub grids: Vec<Grid>,
    pub assignments: Vec<(BuildingId, GridCode)>,
    /// What was partitioned, e.g. `community 150602001001` or `all`.
    pub scope: String,
    /// Parameters and metrics as JSON, kept with the run.
    pub options: serde_json::Value,
    pub metrics: serde_json::Value,
    /// The communities partitioned, recorded with the grids as a plan version.
    pub community_rows: Vec<Community>,
    /// Who committed it (recorded with the plan version).
    pub author: String,
}

/// Progress callback for long writes: called with the number of rows written so far.
pub type Progress<'a> = &'a (dyn Fn(u64) + Sync);

/// The store contract, implemented by [`geopackage::GeoPackageStore`] and
/// [`postgis::PostgisStore`].
#[async_trait]
pub trait Store: Send + Sync {
    /// The backend kind.
    fn kind(&self) -> StoreKind;

    /// Rows per layer.
    async fn counts(&self) -> Result<Counts, StoreError>;

    /// Inserts or replaces (by code or id) everything in `data`, in one transaction.
    async fn write(
        &self,
        data: &Dataset,
        progress: Option<Progress<'_>>,
    ) -> Result<u64, StoreError>;

    /// Replaces the grids of some communities in one transaction (see [`GridReplacement`]).
    async fn replace_grids(&self, replacement: &GridReplacement) -> Result<u64, StoreError>;

    /// The recorded partition runs, newest first: (scope, options, metrics, created_at).
    async fn partition_runs(&self, limit: u32) -> Result<Vec<PartitionRun>, StoreError>;

    /// Applies a household roster in one transaction; an unknown building fails the whole
    /// roster with its line number. Returns the number of buildings updated.
    async fn apply_roster(&self, entries: &[RosterEntry]) -> Result<u64, StoreError>;

    async fn districts(&self, query: &LayerQuery) -> Result<Vec<District>, StoreError>;
    async fn streets(&self, query: &LayerQuery) -> Result<Vec<Street>, StoreError>;
    async fn communities(&self, query: &LayerQuery) -> Result<Vec<Community>, StoreError>;
    async fn grids(&self, query: &LayerQuery) -> Result<Vec<Grid>, StoreError>;
    async fn buildings(&self, query: &LayerQuery) -> Result<Vec<Building>, StoreError>;
    async fn roads(&self, query: &LayerQuery) -> Result<Vec<Road>, StoreError>;
    /// Water, parks, woods and land use (the basemap's areas).
    async fn land_areas(&self, query: &LayerQuery) -> Result<Vec<LandArea>, StoreError>;
    async fn stations(&self, query: &LayerQuery) -> Result<Vec<Station>, StoreError>;
    async fn workers(&self, query: &LayerQuery) -> Result<Vec<Worker>, StoreError>;
    async fn incidents(&self, query: &LayerQuery) -> Result<Vec<Incident>, StoreError>;

    /// Stores a token's hash with its role (the token itself is never stored).
    async fn create_token(
        &self,
        token_hash: &str,
        role: Role,
        label: &str,
    ) -> Result<(), StoreError>;

    /// Flushes and closes the store (a GeoPackage's WAL is folded into the file, so GIS
    /// tools reading the file alone see everything).
    async fn close(&self);

    /// The role of a token hash, if it exists.
    async fn role_for_token(&self, token_hash: &str) -> Result<Option<Role>, StoreError>;

    /// The role and label of a token hash, if it exists.
    async fn token(&self, token_hash: &str) -> Result<Option<(Role, String)>, StoreError>;

    /// Records a new incident with its first events, in one transaction. With an
    /// idempotency key already used, nothing is written and the first incident's id is
    /// returned as a duplicate.
    async fn report_incident(
        &self,
        incident: &Incident,
        events: &[IncidentEvent],
        idempotency_key: Option<&str>,
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

    /// The latest plan version (0 before any).
    async fn plan_head(&self) -> Result<u64, StoreError>;

    /// Plan versions, newest first.
    async fn plan_versions(&self, limit: u32) -> Result<Vec<PlanVersion>, StoreError>;

    /// The plan as it stood at `version`: every community's latest snapshot up to it
    /// (communities retired by then left out).
    async fn plan_state(&self, version: u64) -> Result<PlanState, StoreError>;

    /// Commits a change of grids and community boundaries as a new plan version, in one
    /// transaction: [`StoreError::Conflict`] (nothing written) when a community it touches
    /// changed after `base_version`. Returns the new version.
    async fn commit_plan(&self, plan: &PlanCommit) -> Result<u64, StoreError>;

    /// Changes committed by other gridmap processes on the same database, as they commit
    /// (PostGIS LISTEN/NOTIFY); `None` for a store only one process uses (GeoPackage).
    async fn subscribe(&self) -> Option<tokio::sync::mpsc::Receiver<Change>> {
        None
    }

    /// The steps of an incident, oldest first.
    async fn incident_events(&self, id: &IncidentId) -> Result<Vec<IncidentEvent>, StoreError>;
}

/// What recording a report did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reported {
    Created,
    /// The idempotency key was used before, by this incident.
    Duplicate(IncidentId),
}

/// Opens a store from a location: a `postgres://` URL, or a GeoPackage file path (created
/// if missing). Migrations are applied.
pub async fn open(location: &str) -> Result<Arc<dyn Store>, StoreError> {
    if location.starts_with("postgres://") || location.starts_with("postgresql://") {
        Ok(Arc::new(postgis::PostgisStore::connect(location).await?))
    } else if location.contains("://") {
        Err(StoreError::UnsupportedLocation(location.to_string()))
    } else {
        Ok(Arc::new(geopackage::GeoPackageStore::open(location).await?))
    }
}
