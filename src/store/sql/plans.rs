//! Plans on SQL: partition results, plan versions and their snapshots, and commits that
//! refuse a stale base inside the transaction.

use super::plan_snapshots::{
    PlanRecord, community_from_json, grid_from_json, parse_time, plan_statements,
};
use super::upsert::push_rows;
use super::{SqlBackend, SqlStore};
use crate::domain::*;
use crate::store::schema::{self, ColumnType, SqlValue, Statement};
use crate::store::{ChangedLayer, GridReplacement, PartitionRun, PlanStore, StoreError};
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::Arc;

/// Another writer committed plan version `version` first (its number is unique): the
/// caller reloads and tries again.
fn committed_meanwhile(version: u64) -> StoreError {
    StoreError::Conflict {
        what: "the plan".into(),
        now: format!("version {version} was committed meanwhile"),
    }
}

#[async_trait]
impl<B: SqlBackend> PlanStore for SqlStore<B> {
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
        match self.backend.execute_in_transaction(&statements, None).await {
            Ok(written) => Ok(written),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Err(committed_meanwhile(version))
            }
            Err(source) => Err(StoreError::Write {
                what: format!("grids of {}", r.scope),
                source,
            }),
        }
    }

    async fn partition_runs(&self, limit: u32) -> Result<Vec<PartitionRun>, StoreError> {
        let created = match B::DIALECT {
            schema::Dialect::GeoPackage => "created_at",
            schema::Dialect::Postgis => {
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
        let head = self.plan_head().await?;
        // A base from the future is as stale as one from the past (the head only grows, so
        // a base at or below it now stays so).
        if plan.base_version > head {
            return Err(StoreError::base_ahead_of(head, plan.base_version));
        }
        let version = head + 1;
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
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Err(committed_meanwhile(version))
            }
            Err(source) => Err(StoreError::Write {
                what: format!("plan version {version}"),
                source,
            }),
        }
    }
}
