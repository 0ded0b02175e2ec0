//! Visits on SQL.

use super::{SqlBackend, SqlStore};
use crate::domain::{BuildingId, GridCode, Visit, VisitId, WorkerId};
use crate::store::schema::{self, ColumnType, SqlValue, Statement};
use crate::store::{StoreError, VisitQuery, VisitStore};
use async_trait::async_trait;
use std::sync::Arc;

#[async_trait]
impl<B: SqlBackend> VisitStore for SqlStore<B> {
    async fn record_visit(&self, visit: &Visit) -> Result<(), StoreError> {
        let at = B::DIALECT.param(ColumnType::Timestamp, 8);
        let text = |v: Option<&str>| SqlValue::Text(v.map(str::to_string));
        let photos = (!visit.photos.is_empty())
            .then(|| serde_json::to_string(&visit.photos).ok())
            .flatten();
        let insert = Statement::new(
            Arc::from(format!(
                "INSERT INTO visits (id, worker_id, building_id, grid_code, household, note, photos, visited_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, {at})"
            )),
            vec![
                text(Some(visit.id.as_str())),
                text(Some(visit.worker.as_str())),
                text(Some(visit.building.as_str())),
                text(visit.grid.as_ref().map(GridCode::as_str)),
                text(visit.household.as_deref()),
                text(Some(&visit.note)),
                SqlValue::Text(photos),
                text(Some(&schema::format_timestamp(&visit.at))),
            ],
        );
        self.backend
            .execute_in_transaction(&[insert], None)
            .await
            .map(|_| ())
            .map_err(|source| StoreError::Write {
                what: format!("visit {}", visit.id),
                source,
            })
    }

    async fn visits(&self, query: &VisitQuery) -> Result<Vec<Visit>, StoreError> {
        let mut conditions = Vec::new();
        let mut params = Vec::new();
        let mut add = |column: &str, op: &str, value: String, ty: ColumnType| {
            params.push(SqlValue::Text(Some(value)));
            conditions.push(format!(
                "{column} {op} {}",
                B::DIALECT.param(ty, params.len())
            ));
        };
        if let Some(w) = &query.worker {
            add("worker_id", "=", w.to_string(), ColumnType::Text);
        }
        if let Some(b) = &query.building {
            add("building_id", "=", b.to_string(), ColumnType::Text);
        }
        if let Some(from) = &query.from {
            add(
                "visited_at",
                ">=",
                schema::format_timestamp(from),
                ColumnType::Timestamp,
            );
        }
        if let Some(to) = &query.to {
            add(
                "visited_at",
                "<",
                schema::format_timestamp(to),
                ColumnType::Timestamp,
            );
        }
        let at = B::DIALECT.select_column("visited_at", ColumnType::Timestamp);
        let mut sql = format!(
            "SELECT id, worker_id, building_id, grid_code, household, note, photos, {at} FROM visits"
        );
        if !conditions.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&conditions.join(" AND "));
        }
        sql.push_str(" ORDER BY visited_at DESC, id DESC");
        if let Some(limit) = query.limit {
            sql.push_str(&format!(" LIMIT {limit}"));
        }
        let rows = self
            .backend
            .fetch(&sql, &params, &[ColumnType::Text; 8])
            .await
            .map_err(StoreError::query("visits"))?;
        rows.into_iter()
            .map(|row| {
                let mut values = row.into_iter().map(|v| match v {
                    SqlValue::Text(t) => t,
                    _ => None,
                });
                let mut next = || values.next().flatten();
                let id = next().unwrap_or_default();
                let corrupt = |reason: &str| StoreError::Corrupt {
                    table: "visits",
                    key: id.clone(),
                    reason: reason.into(),
                };
                let worker = next().map(WorkerId).ok_or_else(|| corrupt("no worker"))?;
                let building = next()
                    .map(BuildingId)
                    .ok_or_else(|| corrupt("no building"))?;
                let grid = match next() {
                    Some(g) => Some(g.parse::<GridCode>().map_err(|_| corrupt("bad grid"))?),
                    None => None,
                };
                let household = next();
                let note = next().unwrap_or_default();
                let photos = match next() {
                    Some(json) => serde_json::from_str(&json).map_err(|_| corrupt("bad photos"))?,
                    None => Vec::new(),
                };
                let at = next()
                    .and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok())
                    .map(|t| t.with_timezone(&chrono::Utc))
                    .ok_or_else(|| corrupt("bad time"))?;
                Ok(Visit {
                    id: VisitId(id.clone()),
                    worker,
                    building,
                    grid,
                    household,
                    note,
                    photos,
                    at,
                })
            })
            .collect()
    }
}
