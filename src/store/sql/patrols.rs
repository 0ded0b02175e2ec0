//! Patrols on SQL: a row per patrol, a row per fix.

use super::{SqlBackend, SqlStore};
use crate::domain::{Patrol, PatrolId, TrackPoint, WorkerId};
use crate::engine::TrackPassage;
use crate::store::schema::{self, ColumnType, SqlValue, Statement};
use crate::store::{PatrolStore, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use geo_types::Point;
use std::sync::Arc;

fn text(v: impl Into<String>) -> SqlValue {
    SqlValue::Text(Some(v.into()))
}

fn time(t: &DateTime<Utc>) -> SqlValue {
    text(schema::format_timestamp(t))
}

fn parse_time(t: Option<String>) -> Option<DateTime<Utc>> {
    t.and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
        .map(|t| t.with_timezone(&Utc))
}

/// A JSON array column (NULL until the patrol stops).
fn json_list<T: serde::de::DeserializeOwned>(text: Option<String>) -> Vec<T> {
    text.and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default()
}

/// Fails the transaction unless the patrol is open.
fn open_guard(id: &PatrolId) -> Statement {
    Statement::new(
        Arc::from("UPDATE patrols SET stopped_at = NULL WHERE id = $1 AND stopped_at IS NULL"),
        vec![text(id.as_str())],
    )
    .exactly_one_row()
}

fn conflict(id: &PatrolId) -> StoreError {
    StoreError::Conflict {
        what: format!("patrol {id}"),
        now: "stopped".into(),
    }
}

#[async_trait]
impl<B: SqlBackend> PatrolStore for SqlStore<B> {
    async fn start_patrol(&self, patrol: &Patrol) -> Result<(), StoreError> {
        let open = self.patrols(Some(&patrol.worker), None, None, 1).await?;
        if open.first().is_some_and(|p| p.stopped_at.is_none()) {
            return Err(StoreError::Conflict {
                what: format!("worker {}'s patrol", patrol.worker),
                now: "one is under way; stop it first".into(),
            });
        }
        let at = B::DIALECT.param(ColumnType::Timestamp, 3);
        let insert = Statement::new(
            Arc::from(format!(
                "INSERT INTO patrols (id, worker_id, started_at) VALUES ($1, $2, {at})"
            )),
            vec![
                text(patrol.id.as_str()),
                text(patrol.worker.as_str()),
                time(&patrol.started_at),
            ],
        );
        self.backend
            .execute_in_transaction(&[insert], None)
            .await
            .map(|_| ())
            .map_err(|source| StoreError::Write {
                what: format!("patrol {}", patrol.id),
                source,
            })
    }

    async fn add_patrol_points(
        &self,
        id: &PatrolId,
        points: &[TrackPoint],
    ) -> Result<(), StoreError> {
        let at = B::DIALECT.param(ColumnType::Timestamp, 2);
        let sql: Arc<str> = Arc::from(format!(
            "INSERT INTO patrol_points (patrol_id, at, lon, lat) VALUES ($1, {at}, $3, $4)"
        ));
        let mut statements = vec![open_guard(id)];
        statements.extend(points.iter().map(|p| {
            Statement::new(
                sql.clone(),
                vec![
                    text(id.as_str()),
                    time(&p.at),
                    SqlValue::Real(Some(p.location.x())),
                    SqlValue::Real(Some(p.location.y())),
                ],
            )
        }));
        match self.backend.execute_in_transaction(&statements, None).await {
            Ok(_) => Ok(()),
            Err(sqlx::Error::RowNotFound) => Err(conflict(id)),
            Err(source) => Err(StoreError::Write {
                what: format!("patrol {}'s track", id),
                source,
            }),
        }
    }

    async fn stop_patrol(
        &self,
        id: &PatrolId,
        at: DateTime<Utc>,
        passage: &TrackPassage,
    ) -> Result<(), StoreError> {
        let at_param = B::DIALECT.param(ColumnType::Timestamp, 1);
        let update = Statement::new(
            Arc::from(format!(
                "UPDATE patrols SET stopped_at = {at_param}, length_m = $2, grids = $3, buildings = $4 \
                 WHERE id = $5 AND stopped_at IS NULL"
            )),
            vec![
                time(&at),
                SqlValue::Real(Some(passage.length_m)),
                text(serde_json::to_string(&passage.grids).unwrap_or_default()),
                text(serde_json::to_string(&passage.buildings).unwrap_or_default()),
                text(id.as_str()),
            ],
        )
        .exactly_one_row();
        match self.backend.execute_in_transaction(&[update], None).await {
            Ok(_) => Ok(()),
            Err(sqlx::Error::RowNotFound) => Err(conflict(id)),
            Err(source) => Err(StoreError::Write {
                what: format!("patrol {id}"),
                source,
            }),
        }
    }

    async fn patrol(&self, id: &PatrolId) -> Result<Option<Patrol>, StoreError> {
        let Some(mut patrol) = self
            .select_patrols("WHERE id = $1", vec![text(id.as_str())], 1)
            .await?
            .into_iter()
            .next()
        else {
            return Ok(None);
        };
        let at = B::DIALECT.select_column("at", ColumnType::Timestamp);
        let rows = self
            .backend
            .fetch(
                &format!(
                    "SELECT {at}, lon, lat FROM patrol_points WHERE patrol_id = $1 ORDER BY at"
                ),
                &[text(id.as_str())],
                &[ColumnType::Text, ColumnType::Real, ColumnType::Real],
            )
            .await
            .map_err(StoreError::query("patrol_points"))?;
        patrol.track = rows
            .into_iter()
            .filter_map(|row| match row.as_slice() {
                [
                    SqlValue::Text(t),
                    SqlValue::Real(Some(lon)),
                    SqlValue::Real(Some(lat)),
                ] => parse_time(t.clone()).map(|at| TrackPoint {
                    location: Point::new(*lon, *lat),
                    at,
                }),
                _ => None,
            })
            .collect();
        Ok(Some(patrol))
    }

    async fn patrols(
        &self,
        worker: Option<&WorkerId>,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        limit: u32,
    ) -> Result<Vec<Patrol>, StoreError> {
        let mut conditions = Vec::new();
        let mut params = Vec::new();
        if let Some(w) = worker {
            params.push(text(w.as_str()));
            conditions.push(format!("worker_id = ${}", params.len()));
        }
        for (value, op) in [(from, ">="), (to, "<")] {
            if let Some(t) = value {
                params.push(time(&t));
                conditions.push(format!(
                    "started_at {op} {}",
                    B::DIALECT.param(ColumnType::Timestamp, params.len())
                ));
            }
        }
        let filter = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        self.select_patrols(&filter, params, limit).await
    }
}

impl<B: SqlBackend> SqlStore<B> {
    async fn select_patrols(
        &self,
        filter: &str,
        params: Vec<SqlValue>,
        limit: u32,
    ) -> Result<Vec<Patrol>, StoreError> {
        let ts = |c: &str| B::DIALECT.select_column(c, ColumnType::Timestamp);
        let sql = format!(
            "SELECT id, worker_id, {}, {}, length_m, grids, buildings FROM patrols {filter} \
             ORDER BY started_at DESC, id DESC LIMIT {limit}",
            ts("started_at"),
            ts("stopped_at")
        );
        let rows = self
            .backend
            .fetch(
                &sql,
                &params,
                &[
                    ColumnType::Text,
                    ColumnType::Text,
                    ColumnType::Text,
                    ColumnType::Text,
                    ColumnType::Real,
                    ColumnType::Text,
                    ColumnType::Text,
                ],
            )
            .await
            .map_err(StoreError::query("patrols"))?;
        rows.into_iter()
            .map(|row| {
                let mut v = row.into_iter();
                let mut t = || match v.next() {
                    Some(SqlValue::Text(t)) => t,
                    Some(SqlValue::Real(r)) => r.map(|r| r.to_string()),
                    _ => None,
                };
                let id: Option<String> = t();
                let corrupt = |reason: &str| StoreError::Corrupt {
                    table: "patrols",
                    key: id.clone().unwrap_or_default(),
                    reason: reason.into(),
                };
                let worker = t().map(WorkerId).ok_or_else(|| corrupt("no worker"))?;
                let started_at = parse_time(t()).ok_or_else(|| corrupt("bad start"))?;
                let stopped_at = parse_time(t());
                let length_m = t().and_then(|l| l.parse::<f64>().ok());
                let grids = json_list(t());
                let buildings = json_list(t());
                Ok(Patrol {
                    id: PatrolId(id.clone().unwrap_or_default()),
                    worker,
                    started_at,
                    stopped_at,
                    length_m,
                    grids,
                    buildings,
                    track: Vec::new(),
                })
            })
            .collect()
    }
}
