//! Imports on SQL: datasets and rosters, each in one transaction with its announcement.

use super::upsert::push_rows;
use super::{SqlBackend, SqlStore};
use crate::domain::{Dataset, RosterEntry, RosterKey};
use crate::store::schema::{ColumnType, Dialect, SqlValue, Statement};
use crate::store::{ChangedLayer, DatasetStore, Progress, StoreError};
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::Arc;

/// All statements writing a dataset, parents first.
fn dataset_statements(dialect: Dialect, data: &Dataset) -> Result<Vec<Statement>, StoreError> {
    let mut out = Vec::with_capacity(data.len());
    push_rows(dialect, &data.districts, &mut out)?;
    push_rows(dialect, &data.streets, &mut out)?;
    push_rows(dialect, &data.communities, &mut out)?;
    push_rows(dialect, &data.grids, &mut out)?;
    push_rows(dialect, &data.buildings, &mut out)?;
    push_rows(dialect, &data.roads, &mut out)?;
    push_rows(dialect, &data.land_areas, &mut out)?;
    push_rows(dialect, &data.stations, &mut out)?;
    push_rows(dialect, &data.workers, &mut out)?;
    push_rows(dialect, &data.incidents, &mut out)?;
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
        if !data.roads.is_empty() || !data.land_areas.is_empty() {
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
        let rows = self
            .backend
            .fetch(
                "SELECT id, address FROM buildings",
                &[],
                &[ColumnType::Text, ColumnType::Text],
            )
            .await
            .map_err(StoreError::query("buildings"))?;
        let mut ids = std::collections::HashSet::new();
        let mut by_address: HashMap<String, Vec<String>> = HashMap::new();
        for row in rows {
            if let [SqlValue::Text(Some(id)), SqlValue::Text(address)] = row.as_slice() {
                ids.insert(id.clone());
                if let Some(a) = address {
                    by_address
                        .entry(a.trim().to_string())
                        .or_default()
                        .push(id.clone());
                }
            }
        }
        let sql: Arc<str> = Arc::from(
            "UPDATE buildings SET households = COALESCE($1, households), residents = COALESCE($2, residents), \
             floors = COALESCE($3, floors), name = COALESCE($4, name), building_head = COALESCE($5, building_head) \
             WHERE id = $6",
        );
        let mut statements = Vec::with_capacity(entries.len() + 1);
        let mut updated = Vec::with_capacity(entries.len());
        for entry in entries {
            let id = match &entry.building {
                RosterKey::Id(id) if ids.contains(id.as_str()) => id.0.clone(),
                RosterKey::Id(id) => {
                    return Err(StoreError::Roster {
                        line: entry.line,
                        reason: format!("no building with id {:?}", id.as_str()),
                    });
                }
                RosterKey::Address(address) => {
                    match by_address.get(address.trim()).map(Vec::as_slice) {
                        Some([one]) => one.clone(),
                        Some(many) if many.len() > 1 => {
                            return Err(StoreError::Roster {
                                line: entry.line,
                                reason: format!(
                                    "address {address:?} matches {} buildings; give the building id",
                                    many.len()
                                ),
                            });
                        }
                        _ => {
                            return Err(StoreError::Roster {
                                line: entry.line,
                                reason: format!("no building with address {address:?}"),
                            });
                        }
                    }
                }
            };
            updated.push(id.clone());
            statements.push(Statement::new(
                sql.clone(),
                vec![
                    SqlValue::Int(entry.households.map(i64::from)),
                    SqlValue::Int(entry.residents.map(i64::from)),
                    SqlValue::Int(entry.floors.map(i64::from)),
                    SqlValue::Text(entry.name.clone()),
                    SqlValue::Text(entry.building_head.clone()),
                    SqlValue::Text(Some(id)),
                ],
            ));
        }
        statements.extend(self.announce(ChangedLayer::Buildings, Some(updated)));
        self.backend
            .execute_in_transaction(&statements, None)
            .await
            .map_err(|source| StoreError::Write {
                what: format!("roster of {} lines", entries.len()),
                source,
            })
    }
}
