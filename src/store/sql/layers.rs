//! Layer reads on SQL: counts and filtered lists, every table through its declared columns.

use super::{SqlBackend, SqlStore};
use crate::domain::*;
use crate::store::schema;
use crate::store::{Counts, LayerQuery, LayerStore, StoreError};
use async_trait::async_trait;

#[async_trait]
impl<B: SqlBackend> LayerStore for SqlStore<B> {
    async fn counts(&self) -> Result<Counts, StoreError> {
        Ok(Counts {
            districts: self.count(&schema::DISTRICTS).await?,
            streets: self.count(&schema::STREETS).await?,
            communities: self.count(&schema::COMMUNITIES).await?,
            grids: self.count(&schema::GRIDS).await?,
            buildings: self.count(&schema::BUILDINGS).await?,
            roads: self.count(&schema::ROADS).await?,
            stations: self.count(&schema::STATIONS).await?,
            workers: self.count(&schema::WORKERS).await?,
            incidents: self.count(&schema::INCIDENTS).await?,
        })
    }

    async fn districts(&self, q: &LayerQuery) -> Result<Vec<District>, StoreError> {
        self.list(q).await
    }
    async fn streets(&self, q: &LayerQuery) -> Result<Vec<Street>, StoreError> {
        self.list(q).await
    }
    async fn communities(&self, q: &LayerQuery) -> Result<Vec<Community>, StoreError> {
        self.list(q).await
    }
    async fn grids(&self, q: &LayerQuery) -> Result<Vec<Grid>, StoreError> {
        self.list(q).await
    }
    async fn buildings(&self, q: &LayerQuery) -> Result<Vec<Building>, StoreError> {
        self.list(q).await
    }
    async fn roads(&self, q: &LayerQuery) -> Result<Vec<Road>, StoreError> {
        self.list(q).await
    }
    async fn land_areas(&self, q: &LayerQuery) -> Result<Vec<LandArea>, StoreError> {
        self.list(q).await
    }
    async fn walls(&self, q: &LayerQuery) -> Result<Vec<Wall>, StoreError> {
        self.list(q).await
    }
    async fn gates(&self, q: &LayerQuery) -> Result<Vec<Gate>, StoreError> {
        self.list(q).await
    }
    async fn stations(&self, q: &LayerQuery) -> Result<Vec<Station>, StoreError> {
        self.list(q).await
    }
    async fn workers(&self, q: &LayerQuery) -> Result<Vec<Worker>, StoreError> {
        self.list(q).await
    }
    async fn incidents(&self, q: &LayerQuery) -> Result<Vec<Incident>, StoreError> {
        self.list(q).await
    }
}
