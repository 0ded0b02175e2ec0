//! The system of record: narrow traits by concern ([`LayerStore`], [`DatasetStore`],
//! [`PlanStore`], [`IncidentStore`], [`TokenStore`], [`WorkerStore`], [`PhotoStore`],
//! [`PublicReportStore`], [`VisitStore`], [`PatrolStore`]) that together make a [`Store`],
//! over two backends — an embedded GeoPackage file and PostGIS — with the same schema and
//! behaviour. Every write is one transaction.

mod changes;
mod datasets;
mod error;
pub mod geometry_codec;
mod incidents;
mod layers;
mod patrols;
mod photos;
mod plans;
mod public_reports;
mod schema;
mod sql;
mod tokens;
mod visits;
mod workers;

pub mod geopackage;
pub mod postgis;

pub use changes::{Change, ChangedLayer};
pub use datasets::{DatasetStore, Progress};
pub use error::StoreError;
pub use incidents::{IncidentStore, Reported};
pub use layers::{Counts, LayerQuery, LayerStore};
pub use patrols::PatrolStore;
pub use photos::{PhotoSaved, PhotoStore};
pub use plans::{GridReplacement, PartitionRun, PlanStore};
pub use public_reports::{PublicReportStore, Rated};
pub use tokens::{TOKEN_ID_DIGITS, TokenListing, TokenRecord, TokenStore};
pub use visits::{VisitQuery, VisitStore};
pub use workers::WorkerStore;

use async_trait::async_trait;
use serde::Serialize;
use std::sync::Arc;

/// Which backend a store is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StoreKind {
    GeoPackage,
    Postgis,
}

/// The whole store contract, implemented by [`geopackage::GeoPackageStore`] and
/// [`postgis::PostgisStore`]: every concern, plus what a connection is.
#[async_trait]
pub trait Store:
    LayerStore
    + DatasetStore
    + PlanStore
    + IncidentStore
    + TokenStore
    + WorkerStore
    + PhotoStore
    + PublicReportStore
    + VisitStore
    + PatrolStore
{
    /// The backend kind.
    fn kind(&self) -> StoreKind;

    /// Claims the database for this process's server, held until the process ends. A
    /// GeoPackage is served by one process only (a second would drift apart from the
    /// first): a second claim on the same file is [`StoreError::AlreadyServed`]. PostGIS
    /// serves any number of processes, kept in step by NOTIFY.
    fn claim_serving(&self) -> Result<(), StoreError> {
        Ok(())
    }

    /// Flushes and closes the store (a GeoPackage's WAL is folded into the file, so GIS
    /// tools reading the file alone see everything).
    async fn close(&self);

    /// Changes committed by other gridmap processes on the same database, as they commit
    /// (PostGIS LISTEN/NOTIFY; GeoPackage: its change feed, polled every quarter second).
    async fn subscribe(&self) -> Option<tokio::sync::mpsc::Receiver<Change>> {
        None
    }
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
