//! Workers on SQL: one upsert each (their table's declared columns) and one change row per
//! recorded change, announced by id, in one transaction.

use super::upsert::push_rows;
use super::{SqlBackend, SqlStore};
use crate::domain::{Actor, Role, Worker, WorkerAction, WorkerChange, WorkerId};
use crate::store::schema::{ColumnType, Dialect, SqlValue, Statement, format_timestamp};
use crate::store::{ChangedLayer, StoreError, WorkerStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;

#[async_trait]
impl<B: SqlBackend> WorkerStore for SqlStore<B> {
    async fn record_workers(
        &self,
        workers: &[Worker],
        changes: &[WorkerChange],
    ) -> Result<u64, StoreError> {
        let mut statements = Vec::with_capacity(workers.len() + changes.len() + 1);
        push_rows(B::DIALECT, workers, &mut statements)?;
        let insert: Arc<str> = Arc::from(format!(
            "INSERT INTO worker_changes (worker_id, changed_at, actor_label, actor_role, action, before, after) \
             VALUES ($1, {}, $3, $4, $5, $6, $7)",
            B::DIALECT.param(ColumnType::Timestamp, 2)
        ));
        for change in changes {
            let json = |r: &crate::domain::WorkerRecord| {
                serde_json::to_string(r).map_err(|e| StoreError::Corrupt {
                    table: "worker_changes",
                    key: change.worker.to_string(),
                    reason: e.to_string(),
                })
            };
            let before = change.before.as_ref().map(json).transpose()?;
            statements.push(
                Statement::new(
                    insert.clone(),
                    vec![
                        SqlValue::Text(Some(change.worker.to_string())),
                        SqlValue::Text(Some(format_timestamp(&change.at))),
                        SqlValue::Text(Some(change.actor.label.clone())),
                        SqlValue::Text(Some(change.actor.role.as_str().to_string())),
                        SqlValue::Text(Some(change.action.as_str().to_string())),
                        SqlValue::Text(before),
                        SqlValue::Text(Some(json(&change.after)?)),
                    ],
                )
                .uncounted(),
            );
        }
        self.write_workers(statements, workers, "workers").await
    }

    async fn save_positions(&self, workers: &[Worker]) -> Result<u64, StoreError> {
        let sql: Arc<str> = Arc::from(match B::DIALECT {
            Dialect::GeoPackage => format!(
                "UPDATE workers SET duty = $1, position_at = {}, geom = $3, bbox_minx = $4, bbox_miny = $5, \
                 bbox_maxx = $6, bbox_maxy = $7 WHERE id = $8 AND retired_at IS NULL",
                B::DIALECT.param(ColumnType::Timestamp, 2)
            ),
            Dialect::Postgis => format!(
                "UPDATE workers SET duty = $1, position_at = {}, geom = ST_GeomFromWKB($3, 4326) \
                 WHERE id = $4 AND retired_at IS NULL",
                B::DIALECT.param(ColumnType::Timestamp, 2)
            ),
        });
        let mut statements = Vec::with_capacity(workers.len() + 1);
        for w in workers {
            let mut params = vec![
                SqlValue::Text(Some(w.duty.as_str().to_string())),
                SqlValue::Text(w.position_at.as_ref().map(format_timestamp)),
            ];
            let position = w.position.map(geo_types::Geometry::Point);
            params.extend(
                B::DIALECT.geometry_values(&crate::store::schema::WORKERS, position.as_ref())?,
            );
            params.push(SqlValue::Text(Some(w.id.to_string())));
            statements.push(Statement::new(sql.clone(), params));
        }
        self.write_workers(statements, workers, "positions of workers")
            .await
    }

    async fn worker_changes(
        &self,
        worker: Option<&WorkerId>,
        limit: u32,
    ) -> Result<Vec<WorkerChange>, StoreError> {
        let filter = if worker.is_some() {
            "WHERE worker_id = $1"
        } else {
            ""
        };
        let sql = format!(
            "SELECT worker_id, {}, actor_label, actor_role, action, before, after \
             FROM worker_changes {filter} ORDER BY seq DESC LIMIT {limit}",
            B::DIALECT.select_column("changed_at", ColumnType::Timestamp)
        );
        let params: Vec<SqlValue> = worker
            .map(|w| SqlValue::Text(Some(w.to_string())))
            .into_iter()
            .collect();
        let rows = self
            .backend
            .fetch(&sql, &params, &[ColumnType::Text; 7])
            .await
            .map_err(StoreError::query("worker_changes"))?;
        rows.iter().map(|row| change_from_row(row)).collect()
    }
}

fn change_from_row(row: &[SqlValue]) -> Result<WorkerChange, StoreError> {
    let key = match row.first() {
        Some(SqlValue::Text(Some(id))) => id.clone(),
        _ => String::new(),
    };
    let corrupt = |reason: &str| StoreError::Corrupt {
        table: "worker_changes",
        key: key.clone(),
        reason: reason.to_string(),
    };
    let [
        SqlValue::Text(Some(worker)),
        SqlValue::Text(Some(at)),
        SqlValue::Text(Some(label)),
        SqlValue::Text(Some(role)),
        SqlValue::Text(Some(action)),
        SqlValue::Text(before),
        SqlValue::Text(Some(after)),
    ] = row
    else {
        return Err(corrupt("a row with missing columns"));
    };
    let at = DateTime::parse_from_rfc3339(at)
        .map_err(|e| corrupt(&format!("time {at:?}: {e}")))?
        .with_timezone(&Utc);
    let record = |text: &str| {
        serde_json::from_str(text).map_err(|e| corrupt(&format!("worker record: {e}")))
    };
    Ok(WorkerChange {
        worker: WorkerId(worker.clone()),
        at,
        actor: Actor {
            label: label.clone(),
            role: Role::parse(role).ok_or_else(|| corrupt(&format!("role {role:?}")))?,
        },
        action: WorkerAction::parse(action)
            .ok_or_else(|| corrupt(&format!("action {action:?}")))?,
        before: before.as_deref().map(record).transpose()?,
        after: record(after)?,
    })
}

impl<B: SqlBackend> SqlStore<B> {
    /// Runs a write of `workers` in one transaction, announcing them by id.
    async fn write_workers(
        &self,
        mut statements: Vec<Statement>,
        workers: &[Worker],
        what: &str,
    ) -> Result<u64, StoreError> {
        if !workers.is_empty() {
            let ids = workers.iter().map(|w| w.id.to_string()).collect();
            statements.extend(self.announce(ChangedLayer::Workers, Some(ids)));
        }
        self.backend
            .execute_in_transaction(&statements, None)
            .await
            .map_err(|source| StoreError::Write {
                what: format!("{what} ({})", workers.len()),
                source,
            })
    }
}
