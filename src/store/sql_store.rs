//! The store logic shared by both backends: a [`SqlStore`] over any [`SqlBackend`], which
//! only has to fetch rows and run statements in one transaction.

use super::tables::{self, ColumnType, FromRow, RowReader, SqlValue, Statement, Table, ToRow};
use super::{
    Change, ChangedLayer, Counts, GridReplacement, LayerQuery, PartitionRun, Progress, Reported,
    Store, StoreError, StoreKind,
};
use crate::domain::*;
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::Arc;

/// What a backend must provide: typed row fetches and transactional batches.
#[async_trait]
pub trait SqlBackend: Send + Sync + 'static {
    const KIND: StoreKind;
    const DIALECT: tables::Dialect;

    /// Runs a query and reads each row's columns with the given types.
    async fn fetch(
        &self,
        sql: &str,
        params: &[SqlValue],
        columns: &[ColumnType],
    ) -> Result<Vec<Vec<SqlValue>>, sqlx::Error>;

    /// Flushes and closes the connections.
    async fn close(&self);

    /// Changes other store instances announce on this database (see [`Store::subscribe`]);
    /// those from `origin` (this instance) are left out.
    async fn subscribe(&self, _origin: String) -> Option<tokio::sync::mpsc::Receiver<Change>> {
        None
    }

    /// Runs all statements in one transaction: all land or none. Returns rows affected.
    async fn execute_in_transaction(
        &self,
        statements: &[Statement],
        progress: Option<Progress<'_>>,
    ) -> Result<u64, sqlx::Error>;
}

/// A [`Store`] over a SQL backend.
pub struct SqlStore<B> {
    pub(crate) backend: B,
    /// This store instance, named in the changes it announces.
    pub(crate) origin: String,
}

impl<B> SqlStore<B> {
    pub(crate) fn new(backend: B) -> Self {
        Self {
            backend,
            origin: format!("{:016x}", rand::random::<u64>()),
        }
    }
}

impl<B: SqlBackend> SqlStore<B> {
    async fn list<T: FromRow>(&self, query: &LayerQuery) -> Result<Vec<T>, StoreError> {
        let (sql, params, types) = B::DIALECT.select_sql(T::TABLE, query);
        let rows = self
            .backend
            .fetch(&sql, &params, &types)
            .await
            .map_err(StoreError::query(T::TABLE.name))?;
        rows.into_iter()
            .map(|row| T::from_row(&mut RowReader::new(T::TABLE, row, B::DIALECT)))
            .collect()
    }

    async fn count(&self, table: &'static Table) -> Result<u64, StoreError> {
        let sql = format!("SELECT COUNT(*) FROM {}", table.name);
        let rows = self
            .backend
            .fetch(&sql, &[], &[ColumnType::Int])
            .await
            .map_err(StoreError::query(table.name))?;
        match rows.first().and_then(|r| r.first()) {
            Some(SqlValue::Int(Some(n))) => Ok(u64::try_from(*n).unwrap_or(0)),
            _ => Ok(0),
        }
    }
}

/// Appends one upsert statement per item.
fn push_rows<T: ToRow>(
    dialect: tables::Dialect,
    items: &[T],
    out: &mut Vec<Statement>,
) -> Result<(), StoreError> {
    if items.is_empty() {
        return Ok(());
    }
    let sql: Arc<str> = Arc::from(dialect.upsert_sql(T::TABLE).as_str());
    for item in items {
        out.push(dialect.row_statement(T::TABLE, &sql, item.values(), item.geometry().as_ref())?);
    }
    Ok(())
}

/// All statements writing a dataset, parents first.
fn dataset_statements(
    dialect: tables::Dialect,
    data: &Dataset,
) -> Result<Vec<Statement>, StoreError> {
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
impl<B: SqlBackend> Store for SqlStore<B> {
    fn kind(&self) -> StoreKind {
        B::KIND
    }

    async fn counts(&self) -> Result<Counts, StoreError> {
        Ok(Counts {
            districts: self.count(&tables::DISTRICTS).await?,
            streets: self.count(&tables::STREETS).await?,
            communities: self.count(&tables::COMMUNITIES).await?,
            grids: self.count(&tables::GRIDS).await?,
            buildings: self.count(&tables::BUILDINGS).await?,
            roads: self.count(&tables::ROADS).await?,
            stations: self.count(&tables::STATIONS).await?,
            workers: self.count(&tables::WORKERS).await?,
            incidents: self.count(&tables::INCIDENTS).await?,
        })
    }

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

    async fn replace_grids(&self, r: &GridReplacement) -> Result<u64, StoreError> {
        let text = |v: &str| SqlValue::Text(Some(v.to_string()));
        let delete_grids: Arc<str> = Arc::from("DELETE FROM grids WHERE community_code = $1");
        let clear_buildings: Arc<str> =
            Arc::from("UPDATE buildings SET grid_code = NULL WHERE community_code = $1");
        let mut statements =
            Vec::with_capacity(r.communities.len() * 2 + r.grids.len() + r.assignments.len() + 1);
        for c in &r.communities {
            statements.push(Statement::new(delete_grids.clone(), vec![text(c.as_str())]));
            statements.push(Statement::new(
                clear_buildings.clone(),
                vec![text(c.as_str())],
            ));
        }
        push_rows(B::DIALECT, &r.grids, &mut statements)?;
        let assign: Arc<str> = Arc::from("UPDATE buildings SET grid_code = $1 WHERE id = $2");
        for (building, grid) in &r.assignments {
            statements.push(Statement::new(
                assign.clone(),
                vec![text(grid.as_str()), text(building.as_str())],
            ));
        }
        statements.push(Statement::new(
            Arc::from("INSERT INTO partition_runs (scope, options, metrics) VALUES ($1, $2, $3)"),
            vec![
                text(&r.scope),
                text(&r.options.to_string()),
                text(&r.metrics.to_string()),
            ],
        ));
        // The partition is a plan version too (its snapshot starts the history).
        let version = self.plan_head().await? + 1;
        for c in &r.communities {
            statements.push(Statement::new(
                Arc::from(
                    "INSERT INTO community_versions (code, version) VALUES ($1, $2) ON CONFLICT (code) DO UPDATE SET version = excluded.version",
                ),
                vec![
                    text(c.as_str()),
                    SqlValue::Int(Some(i64::try_from(version).unwrap_or(i64::MAX))),
                ],
            ));
        }
        let mut members: HashMap<&GridCode, Vec<BuildingId>> = HashMap::new();
        for (b, g) in &r.assignments {
            members.entry(g).or_default().push(b.clone());
        }
        let snapshot: Vec<GridSnapshot> = r
            .grids
            .iter()
            .map(|g| GridSnapshot {
                grid: g.clone(),
                buildings: members.remove(&g.code).unwrap_or_default(),
            })
            .collect();
        statements.extend(plan_statements(
            B::DIALECT,
            &PlanRecord {
                version,
                author: &r.author,
                summary: &format!("partition {}", r.scope),
                operation: &serde_json::json!({"partition": r.scope, "options": r.options}),
                retired: &[],
                communities: &r.community_rows,
                grids: &snapshot,
            },
        ));
        statements.extend(self.announce(ChangedLayer::Grids, None));
        self.backend
            .execute_in_transaction(&statements, None)
            .await
            .map_err(|source| StoreError::Write {
                what: format!("grids of {}", r.scope),
                source,
            })
    }

    async fn partition_runs(&self, limit: u32) -> Result<Vec<PartitionRun>, StoreError> {
        let created = match B::DIALECT {
            tables::Dialect::GeoPackage => "created_at",
            tables::Dialect::Postgis => {
                "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
            }
        };
        let sql = format!(
            "SELECT scope, options, metrics, {created} FROM partition_runs ORDER BY fid DESC LIMIT $1"
        );
        let rows = self
            .backend
            .fetch(
                &sql,
                &[SqlValue::Int(Some(i64::from(limit)))],
                &[
                    ColumnType::Text,
                    ColumnType::Text,
                    ColumnType::Text,
                    ColumnType::Text,
                ],
            )
            .await
            .map_err(StoreError::query("partition_runs"))?;
        let json = |v: &SqlValue| match v {
            SqlValue::Text(Some(t)) => serde_json::from_str(t).unwrap_or(serde_json::Value::Null),
            _ => serde_json::Value::Null,
        };
        Ok(rows
            .iter()
            .map(|row| PartitionRun {
                scope: match &row[0] {
                    SqlValue::Text(Some(t)) => t.clone(),
                    _ => String::new(),
                },
                options: json(&row[1]),
                metrics: json(&row[2]),
                created_at: match &row[3] {
                    SqlValue::Text(Some(t)) => t.clone(),
                    _ => String::new(),
                },
            })
            .collect())
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
            "UPDATE buildings SET households = $1, residents = COALESCE($2, residents) WHERE id = $3",
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
                    SqlValue::Int(Some(i64::from(entry.households))),
                    SqlValue::Int(entry.residents.map(i64::from)),
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
    async fn stations(&self, q: &LayerQuery) -> Result<Vec<Station>, StoreError> {
        self.list(q).await
    }
    async fn workers(&self, q: &LayerQuery) -> Result<Vec<Worker>, StoreError> {
        self.list(q).await
    }
    async fn incidents(&self, q: &LayerQuery) -> Result<Vec<Incident>, StoreError> {
        self.list(q).await
    }

    async fn create_token(
        &self,
        token_hash: &str,
        role: Role,
        label: &str,
    ) -> Result<(), StoreError> {
        let statement = Statement::new(
            Arc::from("INSERT INTO tokens (hash, role, label) VALUES ($1, $2, $3)"),
            vec![
                SqlValue::Text(Some(token_hash.to_string())),
                SqlValue::Text(Some(role.as_str().to_string())),
                SqlValue::Text(Some(label.to_string())),
            ],
        );
        self.backend
            .execute_in_transaction(&[statement], None)
            .await
            .map(|_| ())
            .map_err(|source| StoreError::Write {
                what: "token".into(),
                source,
            })
    }

    async fn close(&self) {
        self.backend.close().await;
    }

    async fn token(&self, token_hash: &str) -> Result<Option<(Role, String)>, StoreError> {
        let rows = self
            .backend
            .fetch(
                "SELECT role, label FROM tokens WHERE hash = $1",
                &[SqlValue::Text(Some(token_hash.to_string()))],
                &[ColumnType::Text, ColumnType::Text],
            )
            .await
            .map_err(StoreError::query("tokens"))?;
        Ok(rows.first().and_then(|r| match (r.first(), r.get(1)) {
            (Some(SqlValue::Text(Some(role))), Some(SqlValue::Text(label))) => {
                Role::parse(role).map(|role| (role, label.clone().unwrap_or_default()))
            }
            _ => None,
        }))
    }

    async fn report_incident(
        &self,
        incident: &Incident,
        events: &[IncidentEvent],
        idempotency_key: Option<&str>,
    ) -> Result<Reported, StoreError> {
        // The key goes first: a repeated key fails the transaction at once (unique key),
        // with no extra round trip for the common case of a new report.
        let mut statements = Vec::with_capacity(4);
        if let Some(key) = idempotency_key {
            statements.push(Statement::new(
                Arc::from("INSERT INTO incident_keys (key, incident_id) VALUES ($1, $2)"),
                vec![
                    SqlValue::Text(Some(key.to_string())),
                    SqlValue::Text(Some(incident.id.as_str().to_string())),
                ],
            ));
        }
        push_rows(B::DIALECT, std::slice::from_ref(incident), &mut statements)?;
        statements.extend(events.iter().map(|e| event_statement(B::DIALECT, e)));
        statements
            .extend(self.announce(ChangedLayer::Incidents, Some(vec![incident.id.to_string()])));
        match self.backend.execute_in_transaction(&statements, None).await {
            Ok(_) => Ok(Reported::Created),
            Err(source) => {
                // The key was used before (or concurrently): the first report stands.
                if let Some(key) = idempotency_key
                    && let Some(first) = self.incident_for_key(key).await?
                {
                    return Ok(Reported::Duplicate(first));
                }
                Err(StoreError::Write {
                    what: format!("incident {}", incident.id),
                    source,
                })
            }
        }
    }

    async fn transition_incident(
        &self,
        from: IncidentStatus,
        incident: &Incident,
        event: &IncidentEvent,
    ) -> Result<(), StoreError> {
        let text = |v: Option<&str>| SqlValue::Text(v.map(str::to_string));
        let closed = B::DIALECT.param(ColumnType::Timestamp, 3);
        let update = Statement::new(
            Arc::from(format!(
                "UPDATE incidents SET status = $1, assignee = $2, closed_at = {closed} WHERE id = $4 AND status = $5"
            )),
            vec![
                text(Some(incident.status.as_str())),
                text(incident.assignee.as_ref().map(WorkerId::as_str)),
                text(incident.closed_at.map(|t| tables::format_timestamp(&t)).as_deref()),
                text(Some(incident.id.as_str())),
                text(Some(from.as_str())),
            ],
        )
        .exactly_one_row();
        let mut statements = vec![update, event_statement(B::DIALECT, event)];
        statements
            .extend(self.announce(ChangedLayer::Incidents, Some(vec![incident.id.to_string()])));
        match self.backend.execute_in_transaction(&statements, None).await {
            Ok(_) => Ok(()),
            Err(sqlx::Error::RowNotFound) => Err(StoreError::Conflict {
                what: format!("incident {}", incident.id),
                now: format!("not {}", from.as_str()),
            }),
            Err(source) => Err(StoreError::Write {
                what: format!("incident {}", incident.id),
                source,
            }),
        }
    }

    async fn subscribe(&self) -> Option<tokio::sync::mpsc::Receiver<Change>> {
        self.backend.subscribe(self.origin.clone()).await
    }

    async fn plan_head(&self) -> Result<u64, StoreError> {
        let rows = self
            .backend
            .fetch(
                "SELECT COALESCE(MAX(version), 0) FROM plan_versions",
                &[],
                &[ColumnType::Int],
            )
            .await
            .map_err(StoreError::query("plan_versions"))?;
        Ok(match rows.first().and_then(|r| r.first()) {
            Some(SqlValue::Int(Some(n))) => u64::try_from(*n).unwrap_or(0),
            _ => 0,
        })
    }

    async fn plan_versions(&self, limit: u32) -> Result<Vec<PlanVersion>, StoreError> {
        let created = B::DIALECT.select_column("created_at", ColumnType::Timestamp);
        let sql = format!(
            "SELECT version, author, {created}, summary, operation, communities FROM plan_versions ORDER BY version DESC LIMIT $1"
        );
        let rows = self
            .backend
            .fetch(
                &sql,
                &[SqlValue::Int(Some(i64::from(limit)))],
                &[
                    ColumnType::Int,
                    ColumnType::Text,
                    ColumnType::Text,
                    ColumnType::Text,
                    ColumnType::Text,
                    ColumnType::Text,
                ],
            )
            .await
            .map_err(StoreError::query("plan_versions"))?;
        rows.into_iter()
            .map(|row| {
                let text = |i: usize| match row.get(i) {
                    Some(SqlValue::Text(Some(t))) => t.clone(),
                    _ => String::new(),
                };
                let version = match row.first() {
                    Some(SqlValue::Int(Some(n))) => u64::try_from(*n).unwrap_or(0),
                    _ => 0,
                };
                let corrupt = |reason: String| StoreError::Corrupt {
                    table: "plan_versions",
                    key: version.to_string(),
                    reason,
                };
                Ok(PlanVersion {
                    version,
                    author: text(1),
                    created_at: parse_time(&text(2)).ok_or_else(|| corrupt("bad time".into()))?,
                    summary: text(3),
                    operation: serde_json::from_str(&text(4))
                        .map_err(|e| corrupt(e.to_string()))?,
                    communities: serde_json::from_str(&text(5))
                        .map_err(|e| corrupt(e.to_string()))?,
                })
            })
            .collect()
    }

    async fn plan_state(&self, version: u64) -> Result<PlanState, StoreError> {
        let v = SqlValue::Int(Some(i64::try_from(version).unwrap_or(i64::MAX)));
        let latest = "SELECT code AS c, MAX(version) AS v FROM plan_communities WHERE version <= $1 GROUP BY code";
        let communities = self
            .backend
            .fetch(
                &format!(
                    "SELECT p.code, p.data FROM plan_communities p JOIN ({latest}) m ON p.code = m.c AND p.version = m.v WHERE p.retired = 0 ORDER BY p.code"
                ),
                std::slice::from_ref(&v),
                &[ColumnType::Text, ColumnType::Text],
            )
            .await
            .map_err(StoreError::query("plan_communities"))?;
        let grids = self
            .backend
            .fetch(
                &format!(
                    "SELECT g.code, g.data FROM plan_grids g JOIN ({latest}) m ON g.community_code = m.c AND g.version = m.v JOIN plan_communities p ON p.code = m.c AND p.version = m.v WHERE p.retired = 0 ORDER BY g.code"
                ),
                &[v],
                &[ColumnType::Text, ColumnType::Text],
            )
            .await
            .map_err(StoreError::query("plan_grids"))?;
        let pair = |row: &Vec<SqlValue>| match (row.first(), row.get(1)) {
            (Some(SqlValue::Text(Some(k))), Some(SqlValue::Text(Some(d)))) => {
                Some((k.clone(), d.clone()))
            }
            _ => None,
        };
        let mut state = PlanState::default();
        for row in &communities {
            let (code, data) = pair(row).unwrap_or_default();
            state
                .communities
                .push(
                    community_from_json(&code, &data).ok_or_else(|| StoreError::Corrupt {
                        table: "plan_communities",
                        key: code.clone(),
                        reason: "unreadable snapshot".into(),
                    })?,
                );
        }
        for row in &grids {
            let (code, data) = pair(row).unwrap_or_default();
            state.grids.push(
                grid_from_json(&code, &data).ok_or_else(|| StoreError::Corrupt {
                    table: "plan_grids",
                    key: code.clone(),
                    reason: "unreadable snapshot".into(),
                })?,
            );
        }
        Ok(state)
    }

    async fn commit_plan(&self, plan: &PlanCommit) -> Result<u64, StoreError> {
        let version = self.plan_head().await? + 1;
        let text = |v: &str| SqlValue::Text(Some(v.to_string()));
        let int = |v: u64| SqlValue::Int(Some(i64::try_from(v).unwrap_or(i64::MAX)));
        let mut touched: Vec<&CommunityCode> = plan
            .retired_communities
            .iter()
            .chain(plan.communities.iter().map(|c| &c.code))
            .collect();
        touched.sort();
        touched.dedup();
        let mut statements = Vec::new();
        for c in &touched {
            statements.push(Statement::new(
                Arc::from(
                    "INSERT INTO community_versions (code, version) VALUES ($1, 0) ON CONFLICT (code) DO NOTHING",
                ),
                vec![text(c.as_str())],
            ));
            statements.push(
                Statement::new(
                    Arc::from(
                        "UPDATE community_versions SET version = $1 WHERE code = $2 AND version <= $3",
                    ),
                    vec![int(version), text(c.as_str()), int(plan.base_version)],
                )
                .exactly_one_row(),
            );
            statements.push(Statement::new(
                Arc::from("DELETE FROM grids WHERE community_code = $1"),
                vec![text(c.as_str())],
            ));
        }
        for c in &plan.retired_communities {
            statements.push(Statement::new(
                Arc::from("DELETE FROM communities WHERE code = $1"),
                vec![text(c.as_str())],
            ));
        }
        push_rows(B::DIALECT, &plan.communities, &mut statements)?;
        let grids: Vec<Grid> = plan.grids.iter().map(|g| g.grid.clone()).collect();
        push_rows(B::DIALECT, &grids, &mut statements)?;
        let assign: Arc<str> =
            Arc::from("UPDATE buildings SET community_code = $1, grid_code = $2 WHERE id = $3");
        for g in &plan.grids {
            for b in &g.buildings {
                statements.push(Statement::new(
                    assign.clone(),
                    vec![
                        text(g.grid.community.as_str()),
                        text(g.grid.code.as_str()),
                        text(b.as_str()),
                    ],
                ));
            }
        }
        push_rows(B::DIALECT, &plan.workers, &mut statements)?;
        statements.extend(plan_statements(
            B::DIALECT,
            &PlanRecord {
                version,
                author: &plan.author,
                summary: &plan.summary,
                operation: &plan.operation,
                retired: &plan.retired_communities,
                communities: &plan.communities,
                grids: &plan.grids,
            },
        ));
        statements.extend(self.announce(ChangedLayer::Grids, None));
        if !plan.workers.is_empty() {
            statements.extend(self.announce(
                ChangedLayer::Workers,
                Some(plan.workers.iter().map(|w| w.id.to_string()).collect()),
            ));
        }
        match self.backend.execute_in_transaction(&statements, None).await {
            Ok(_) => Ok(version),
            Err(sqlx::Error::RowNotFound) => Err(StoreError::Conflict {
                what: format!(
                    "the plan of {}",
                    touched
                        .iter()
                        .map(|c| c.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                now: format!("changed after version {}", plan.base_version),
            }),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(StoreError::Conflict {
                what: "the plan".into(),
                now: format!("version {version} was committed meanwhile"),
            }),
            Err(source) => Err(StoreError::Write {
                what: format!("plan version {version}"),
                source,
            }),
        }
    }

    async fn incident_events(&self, id: &IncidentId) -> Result<Vec<IncidentEvent>, StoreError> {
        let at = B::DIALECT.select_column("at", ColumnType::Timestamp);
        let sql = format!(
            "SELECT action, status, {at}, actor, worker, note FROM incident_events WHERE incident_id = $1 ORDER BY fid"
        );
        let rows = self
            .backend
            .fetch(
                &sql,
                &[SqlValue::Text(Some(id.as_str().to_string()))],
                &[ColumnType::Text; 6],
            )
            .await
            .map_err(StoreError::query("incident_events"))?;
        let corrupt = |reason: &str| StoreError::Corrupt {
            table: "incident_events",
            key: id.to_string(),
            reason: reason.to_string(),
        };
        rows.into_iter()
            .map(|row| {
                let t = |i: usize| match row.get(i) {
                    Some(SqlValue::Text(v)) => v.clone(),
                    _ => None,
                };
                Ok(IncidentEvent {
                    incident: id.clone(),
                    action: t(0)
                        .as_deref()
                        .and_then(IncidentAction::parse)
                        .ok_or_else(|| corrupt("bad action"))?,
                    status: t(1)
                        .as_deref()
                        .and_then(IncidentStatus::parse)
                        .ok_or_else(|| corrupt("bad status"))?,
                    at: t(2)
                        .as_deref()
                        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
                        .map(|d| d.with_timezone(&chrono::Utc))
                        .ok_or_else(|| corrupt("bad time"))?,
                    actor: t(3).unwrap_or_default(),
                    worker: t(4).map(WorkerId),
                    note: t(5),
                })
            })
            .collect()
    }

    async fn role_for_token(&self, token_hash: &str) -> Result<Option<Role>, StoreError> {
        Ok(self.token(token_hash).await?.map(|(role, _)| role))
    }
}

/// The channel changes are announced on.
pub(crate) const CHANGES_CHANNEL: &str = "gridmap_changes";
/// PostgreSQL refuses notification payloads of 8,000 bytes or more.
const MAX_PAYLOAD: usize = 7_000;

impl<B: SqlBackend> SqlStore<B> {
    /// The statement announcing a change when the transaction commits (PostGIS: NOTIFY is
    /// transactional); nothing for the GeoPackage, which one process uses.
    fn announce(&self, layer: ChangedLayer, ids: Option<Vec<String>>) -> Option<Statement> {
        if B::DIALECT != tables::Dialect::Postgis {
            return None;
        }
        let mut change = Change {
            layer,
            ids,
            origin: self.origin.clone(),
        };
        let mut payload = serde_json::to_string(&change).ok()?;
        if payload.len() > MAX_PAYLOAD {
            change.ids = None;
            payload = serde_json::to_string(&change).ok()?;
        }
        Some(
            Statement::new(
                Arc::from(format!("SELECT pg_notify('{CHANGES_CHANNEL}', $1)")),
                vec![SqlValue::Text(Some(payload))],
            )
            .uncounted(),
        )
    }

    /// The incident first recorded under an idempotency key.
    async fn incident_for_key(&self, key: &str) -> Result<Option<IncidentId>, StoreError> {
        let rows = self
            .backend
            .fetch(
                "SELECT incident_id FROM incident_keys WHERE key = $1",
                &[SqlValue::Text(Some(key.to_string()))],
                &[ColumnType::Text],
            )
            .await
            .map_err(StoreError::query("incident_keys"))?;
        Ok(rows.first().and_then(|r| match r.first() {
            Some(SqlValue::Text(Some(id))) => Some(IncidentId(id.clone())),
            _ => None,
        }))
    }
}

/// What a plan version records.
struct PlanRecord<'a> {
    version: u64,
    author: &'a str,
    summary: &'a str,
    operation: &'a serde_json::Value,
    retired: &'a [CommunityCode],
    communities: &'a [Community],
    grids: &'a [GridSnapshot],
}

/// The statements recording a plan version and its snapshot.
fn plan_statements(dialect: tables::Dialect, r: &PlanRecord) -> Vec<Statement> {
    let text = |v: String| SqlValue::Text(Some(v));
    let int = |v: u64| SqlValue::Int(Some(i64::try_from(v).unwrap_or(i64::MAX)));
    let mut codes: Vec<String> = r
        .retired
        .iter()
        .chain(r.communities.iter().map(|c| &c.code))
        .map(|c| c.to_string())
        .collect();
    codes.sort();
    codes.dedup();
    let created = match dialect {
        tables::Dialect::GeoPackage => "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
        tables::Dialect::Postgis => "now()",
    };
    let mut out = vec![Statement::new(
        Arc::from(format!(
            "INSERT INTO plan_versions (version, author, created_at, summary, operation, communities) VALUES ($1, $2, {created}, $3, $4, $5)"
        )),
        vec![
            int(r.version),
            text(r.author.to_string()),
            text(r.summary.to_string()),
            text(r.operation.to_string()),
            text(serde_json::to_string(&codes).unwrap_or_default()),
        ],
    )];
    let community_sql: Arc<str> = Arc::from(
        "INSERT INTO plan_communities (version, code, retired, data) VALUES ($1, $2, $3, $4)",
    );
    for c in r.retired {
        out.push(Statement::new(
            community_sql.clone(),
            vec![
                int(r.version),
                text(c.to_string()),
                int(1),
                text("{}".into()),
            ],
        ));
    }
    for c in r.communities {
        let data = serde_json::json!({
            "name": c.name,
            "geometry": geojson::Geometry::new(geojson::Value::from(&c.boundary)),
        });
        out.push(Statement::new(
            community_sql.clone(),
            vec![
                int(r.version),
                text(c.code.to_string()),
                int(0),
                text(data.to_string()),
            ],
        ));
    }
    let grid_sql: Arc<str> = Arc::from(
        "INSERT INTO plan_grids (version, community_code, code, data) VALUES ($1, $2, $3, $4)",
    );
    for g in r.grids {
        let data = serde_json::json!({
            "kind": g.grid.kind,
            "households": g.grid.households,
            "residents": g.grid.residents,
            "buildings": g.buildings,
            "geometry": geojson::Geometry::new(geojson::Value::from(&g.grid.boundary)),
        });
        out.push(Statement::new(
            grid_sql.clone(),
            vec![
                int(r.version),
                text(g.grid.community.to_string()),
                text(g.grid.code.to_string()),
                text(data.to_string()),
            ],
        ));
    }
    out
}

fn multipolygon_from_json(value: &serde_json::Value) -> Option<geo_types::MultiPolygon<f64>> {
    let geometry = geojson::Geometry::from_json_value(value.clone()).ok()?;
    match geo_types::Geometry::<f64>::try_from(geometry).ok()? {
        geo_types::Geometry::MultiPolygon(m) => Some(m),
        geo_types::Geometry::Polygon(p) => Some(geo_types::MultiPolygon::new(vec![p])),
        _ => None,
    }
}

fn community_from_json(code: &str, data: &str) -> Option<Community> {
    let v: serde_json::Value = serde_json::from_str(data).ok()?;
    Some(Community {
        code: code.parse().ok()?,
        name: v["name"].as_str()?.to_string(),
        boundary: multipolygon_from_json(&v["geometry"])?,
    })
}

fn grid_from_json(code: &str, data: &str) -> Option<GridSnapshot> {
    let v: serde_json::Value = serde_json::from_str(data).ok()?;
    let code: GridCode = code.parse().ok()?;
    Some(GridSnapshot {
        grid: Grid {
            community: code.community(),
            kind: GridKind::parse(v["kind"].as_str()?)?,
            households: u32::try_from(v["households"].as_u64()?).ok()?,
            residents: u32::try_from(v["residents"].as_u64()?).ok()?,
            boundary: multipolygon_from_json(&v["geometry"])?,
            code,
        },
        buildings: serde_json::from_value(v["buildings"].clone()).ok()?,
    })
}

fn parse_time(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.with_timezone(&chrono::Utc))
}

/// The statement recording one step of an incident.
fn event_statement(dialect: tables::Dialect, e: &IncidentEvent) -> Statement {
    let at = dialect.param(ColumnType::Timestamp, 4);
    let text = |v: Option<&str>| SqlValue::Text(v.map(str::to_string));
    Statement::new(
        Arc::from(format!(
            "INSERT INTO incident_events (incident_id, action, status, at, actor, worker, note) VALUES ($1, $2, $3, {at}, $5, $6, $7)"
        )),
        vec![
            text(Some(e.incident.as_str())),
            text(Some(e.action.as_str())),
            text(Some(e.status.as_str())),
            text(Some(&tables::format_timestamp(&e.at))),
            text(Some(&e.actor)),
            text(e.worker.as_ref().map(WorkerId::as_str)),
            text(e.note.as_deref()),
        ],
    )
}

/// Binds typed [`SqlValue`]s to a sqlx query, for either backend.
macro_rules! bind_values {
    ($query:expr, $params:expr) => {{
        let mut query = $query;
        for param in $params {
            query = match param {
                $crate::store::tables::SqlValue::Text(v) => query.bind(v.as_deref()),
                $crate::store::tables::SqlValue::Int(v) => query.bind(*v),
                $crate::store::tables::SqlValue::Real(v) => query.bind(*v),
                $crate::store::tables::SqlValue::Blob(v) => query.bind(v.as_deref()),
            };
        }
        query
    }};
}

/// Reads one fetched row into typed [`SqlValue`]s, for either backend.
macro_rules! read_values {
    ($row:expr, $columns:expr) => {{
        use sqlx::Row as _;
        let row = $row;
        let mut values = Vec::with_capacity($columns.len());
        for (i, ty) in $columns.iter().enumerate() {
            values.push(match ty {
                $crate::store::tables::ColumnType::Text
                | $crate::store::tables::ColumnType::Timestamp => {
                    $crate::store::tables::SqlValue::Text(row.try_get::<Option<String>, _>(i)?)
                }
                $crate::store::tables::ColumnType::Int => {
                    $crate::store::tables::SqlValue::Int(row.try_get::<Option<i64>, _>(i)?)
                }
                $crate::store::tables::ColumnType::Real => {
                    $crate::store::tables::SqlValue::Real(row.try_get::<Option<f64>, _>(i)?)
                }
                $crate::store::tables::ColumnType::Blob => {
                    $crate::store::tables::SqlValue::Blob(row.try_get::<Option<Vec<u8>>, _>(i)?)
                }
            });
        }
        values
    }};
}

/// Runs statements in one transaction with progress every 1,000 rows, for either backend.
macro_rules! execute_all {
    ($pool:expr, $statements:expr, $progress:expr) => {{
        let mut tx = $pool.begin().await?;
        let mut affected = 0u64;
        for (i, statement) in $statements.iter().enumerate() {
            let query = $crate::store::sql_store::bind_values!(
                sqlx::query(sqlx::AssertSqlSafe(statement.sql.clone())),
                &statement.params
            );
            let rows = query.execute(&mut *tx).await?.rows_affected();
            match statement.guard {
                $crate::store::tables::RowGuard::ExactlyOne if rows != 1 => {
                    // Dropping the transaction rolls it back.
                    return Err(sqlx::Error::RowNotFound);
                }
                $crate::store::tables::RowGuard::Uncounted => {}
                _ => affected += rows,
            }
            if let Some(progress) = $progress {
                if i % 1000 == 999 {
                    progress(i as u64 + 1);
                }
            }
        }
        tx.commit().await?;
        if let Some(progress) = $progress {
            progress($statements.len() as u64);
        }
        Ok(affected)
    }};
}

/// Runs a query and reads every row into typed [`SqlValue`]s, for either backend.
macro_rules! fetch_values {
    ($pool:expr, $sql:expr, $params:expr, $columns:expr) => {{
        let rows =
            $crate::store::sql_store::bind_values!(sqlx::query(sqlx::AssertSqlSafe($sql)), $params)
                .fetch_all(&$pool)
                .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push($crate::store::sql_store::read_values!(row, $columns));
        }
        Ok(out)
    }};
}

pub(crate) use {bind_values, execute_all, fetch_values, read_values};
