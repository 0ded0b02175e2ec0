//! Reading the layers: row counts and filtered, paged lists of every feature table.

use super::StoreError;
use crate::domain::{
    Building, Community, District, Gate, Grid, Incident, LandArea, Road, Station, Street, Wall,
    Worker,
};
use async_trait::async_trait;
use geo_types::Rect;
use serde::Serialize;

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
    /// Only features with this text in one of the table's search columns (a building's id,
    /// name or address; a station's or community's name), matched literally.
    pub text: Option<String>,
}

/// The layers as stored.
#[async_trait]
pub trait LayerStore: Send + Sync {
    /// Rows per layer.
    async fn counts(&self) -> Result<Counts, StoreError>;

    async fn districts(&self, query: &LayerQuery) -> Result<Vec<District>, StoreError>;
    async fn streets(&self, query: &LayerQuery) -> Result<Vec<Street>, StoreError>;
    async fn communities(&self, query: &LayerQuery) -> Result<Vec<Community>, StoreError>;
    async fn grids(&self, query: &LayerQuery) -> Result<Vec<Grid>, StoreError>;
    async fn buildings(&self, query: &LayerQuery) -> Result<Vec<Building>, StoreError>;
    async fn roads(&self, query: &LayerQuery) -> Result<Vec<Road>, StoreError>;
    /// Water, parks, woods and land use (the basemap's areas).
    async fn land_areas(&self, query: &LayerQuery) -> Result<Vec<LandArea>, StoreError>;
    /// Compound walls and fences (the walking network crosses them only at gates).
    async fn walls(&self, query: &LayerQuery) -> Result<Vec<Wall>, StoreError>;
    async fn gates(&self, query: &LayerQuery) -> Result<Vec<Gate>, StoreError>;
    async fn stations(&self, query: &LayerQuery) -> Result<Vec<Station>, StoreError>;
    async fn workers(&self, query: &LayerQuery) -> Result<Vec<Worker>, StoreError>;
    async fn incidents(&self, query: &LayerQuery) -> Result<Vec<Incident>, StoreError>;
}
