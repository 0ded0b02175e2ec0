//! Imports on SQL: datasets and rosters (see `rosters`), each in one transaction with its
//! announcement.

use super::upsert::push_rows;
use super::{SqlBackend, SqlStore};
use crate::domain::{Dataset, RosterEntry};
use crate::store::schema::{Dialect, Statement};
use crate::store::{ChangedLayer, DatasetStore, Progress, StoreError};
use async_trait::async_trait;

/// All statements writing a dataset, parents first.
fn dataset_statements(dialect: Dialect, data: &Dataset) -> Result<Vec<Statement>, StoreError> {
    let mut out = Vec::with_capacity(data.len());
    push_rows(dialect, &data.districts, &mut out)?;
    push_rows(dialect, &data.streets, &mut out)?;
    push_rows(dialect, &data.communities, &mut out)?;
    push_rows(dialect, &data.grids, &mut out)?;
    push_rows(dialect, &data.buildings, &mut out)?;
    push_rows(dialect, &data.roads, &mut out)?;
    push_rows(dialect, &data.walls, &mut out)?;
    push_rows(dialect, &data.gates, &mut out)?;
    push_rows(dialect, &data.land_areas, &mut out)?;
    push_rows(dialect, &data.stations, &mut out)?;
    push_rows(dialect, &data.workers, &mut out)?;
    push_rows(dialect, &data.incidents, &mut out)?;
    out.extend(super::incidents::event_rows(dialect, &data.incident_events));
    Ok(out)
}

#[async_trait]
impl<B: SqlBackend> DatasetStore for SqlStore<B> {
    async fn write(
        &self,
        data: &Dataset,
        progress: Option<Progress<'_>>,
    ) -> Result<u64, StoreError> {
        let mut statements = dataset_statements(B::DIALECT, data)?;
        let keys = |items: Vec<String>| (!items.is_empty()).then_some(items);
        for (layer, ids) in [
            (
                ChangedLayer::Grids,
                keys(data.grids.iter().map(|g| g.code.to_string()).collect()),
            ),
            (
                ChangedLayer::Workers,
                keys(data.workers.iter().map(|w| w.id.to_string()).collect()),
            ),
            (
                ChangedLayer::Incidents,
                keys(data.incidents.iter().map(|i| i.id.to_string()).collect()),
            ),
        ] {
            if let Some(ids) = ids {
                statements.extend(self.announce(layer, Some(ids)));
            }
        }
        // Buildings and stations change in bulk (imports): the layer is reloaded.
        if !data.buildings.is_empty() {
            statements.extend(self.announce(ChangedLayer::Buildings, None));
        }
        if !data.stations.is_empty() {
            statements.extend(self.announce(ChangedLayer::Stations, None));
        }
        if !data.roads.is_empty()
            || !data.walls.is_empty()
            || !data.gates.is_empty()
            || !data.land_areas.is_empty()
        {
            statements.extend(self.announce(ChangedLayer::Roads, None));
        }
        if !data.communities.is_empty() || !data.streets.is_empty() {
            statements.extend(self.announce(ChangedLayer::Communities, None));
        }
        self.backend
            .execute_in_transaction(&statements, progress)
            .await
            .map_err(|source| StoreError::Write {
                what: format!("{} features", data.len()),
                source,
            })
    }

    async fn apply_roster(&self, entries: &[RosterEntry]) -> Result<u64, StoreError> {
        self.apply_roster_rows(entries).await
    }
}
