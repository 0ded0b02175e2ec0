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

/// Most building ids a roster change names; beyond, the whole layer is announced.
const MAX_ANNOUNCED_IDS: usize = 10_000;

/// Roster rows per UPDATE statement: one statement per row cost a round trip each
/// (300,000 rows took 10 s on a GeoPackage); 6 parameters a row stays far below either
/// backend's parameter limit.
const ROSTER_ROWS_PER_STATEMENT: usize = 1_000;

/// One UPDATE of `rows` buildings from a VALUES list of (id, households, residents,
/// floors, name, building_head); NULL leaves a column as it is.
fn roster_update_sql(dialect: Dialect, rows: usize) -> String {
    let set = "households = COALESCE(v.h, buildings.households), residents = COALESCE(v.r, buildings.residents), \
               floors = COALESCE(v.f, buildings.floors), name = COALESCE(v.n, buildings.name), \
               building_head = COALESCE(v.bh, buildings.building_head)";
    let values: Vec<String> = (0..rows)
        .map(|i| {
            let n = i * 6;
            match dialect {
                Dialect::Postgis => format!(
                    "(${}::text, ${}::integer, ${}::integer, ${}::integer, ${}::text, ${}::text)",
                    n + 1,
                    n + 2,
                    n + 3,
                    n + 4,
                    n + 5,
                    n + 6
                ),
                // Anonymous `?` in order: sqlx looks each named or numbered parameter
                // up by name, which costs quadratic time in thousands of parameters.
                Dialect::GeoPackage => "(?, ?, ?, ?, ?, ?)".to_string(),
            }
        })
        .collect();
    match dialect {
        Dialect::Postgis => format!(
            "UPDATE buildings SET {set} FROM (VALUES {}) AS v(id, h, r, f, n, bh) WHERE buildings.id = v.id",
            values.join(", ")
        ),
        // SQLite plans a join with a VALUES list as a scan of every building per chunk:
        // the rows go to a keyed temporary table, joined once (see `roster_statements`).
        Dialect::GeoPackage => format!(
            "INSERT OR REPLACE INTO temp.roster_update (id, h, r, f, n, bh) VALUES {}",
            values.join(", ")
        ),
    }
}

/// What runs around the chunks: nothing on PostGIS; on a GeoPackage, the temporary table
/// emptied before, then one UPDATE joining it and emptied after.
fn roster_statements(dialect: Dialect) -> (Vec<Statement>, Vec<Statement>) {
    let statement = |sql: &str| Statement::new(Arc::from(sql), Vec::new()).uncounted();
    match dialect {
        Dialect::Postgis => (Vec::new(), Vec::new()),
        Dialect::GeoPackage => (
            vec![
                statement(
                    "CREATE TEMP TABLE IF NOT EXISTS roster_update (id TEXT PRIMARY KEY, h INTEGER, r INTEGER, f INTEGER, n TEXT, bh TEXT)",
                ),
                statement("DELETE FROM temp.roster_update"),
            ],
            vec![
                Statement::new(
                    Arc::from(
                        "UPDATE buildings SET households = COALESCE(v.h, buildings.households), residents = COALESCE(v.r, buildings.residents), \
                         floors = COALESCE(v.f, buildings.floors), name = COALESCE(v.n, buildings.name), \
                         building_head = COALESCE(v.bh, buildings.building_head) \
                         FROM temp.roster_update AS v WHERE buildings.id = v.id",
                    ),
                    Vec::new(),
                ),
                statement("DELETE FROM temp.roster_update"),
            ],
        ),
    }
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
        // The last row naming a building wins, as if applied one by one.
        let mut resolved: HashMap<String, &RosterEntry> = HashMap::with_capacity(entries.len());
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
            resolved.insert(id, entry);
        }
        let mut updated: Vec<String> = resolved.keys().cloned().collect();
        updated.sort();
        let (before, after) = roster_statements(B::DIALECT);
        let mut statements = before;
        for chunk in updated.chunks(ROSTER_ROWS_PER_STATEMENT) {
            let mut params = Vec::with_capacity(chunk.len() * 6);
            for id in chunk {
                let entry = resolved[id];
                params.extend([
                    SqlValue::Text(Some(id.clone())),
                    SqlValue::Int(entry.households.map(i64::from)),
                    SqlValue::Int(entry.residents.map(i64::from)),
                    SqlValue::Int(entry.floors.map(i64::from)),
                    SqlValue::Text(entry.name.clone()),
                    SqlValue::Text(entry.building_head.clone()),
                ]);
            }
            let statement = Statement::new(
                Arc::from(roster_update_sql(B::DIALECT, chunk.len())),
                params,
            );
            // On a GeoPackage the chunks fill the temporary table; the join counts.
            statements.push(match B::DIALECT {
                Dialect::GeoPackage => statement.uncounted(),
                Dialect::Postgis => statement,
            });
        }
        statements.extend(after);
        // A bulk roster reloads the layer (an id list of hundreds of thousands costs more
        // to write and read than the reload).
        let ids = (updated.len() <= MAX_ANNOUNCED_IDS).then_some(updated);
        statements.extend(self.announce(ChangedLayer::Buildings, ids));
        self.backend
            .execute_in_transaction(&statements, None)
            .await
            .map_err(|source| StoreError::Write {
                what: format!("roster of {} lines", entries.len()),
                source,
            })
    }
}
