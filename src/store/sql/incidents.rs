//! Incidents on SQL: idempotent reports, transitions guarded by the status they start
//! from, and their steps.

use super::upsert::push_rows;
use super::{SqlBackend, SqlStore};
use crate::domain::*;
use crate::store::schema::{self, ColumnType, Dialect, SqlValue, Statement};
use crate::store::{ChangedLayer, IncidentStore, Reported, StoreError};
use async_trait::async_trait;
use std::sync::Arc;

#[async_trait]
impl<B: SqlBackend> IncidentStore for SqlStore<B> {
    async fn report_incident(
        &self,
        incident: &Incident,
        events: &[IncidentEvent],
        idempotency_key: Option<&IdempotencyKey>,
        tracking_code_sha256: Option<&str>,
    ) -> Result<Reported, StoreError> {
        // The key goes first: a repeated key fails the transaction at once (unique key),
        // with no extra round trip for the common case of a new report.
        let mut statements = Vec::with_capacity(4);
        if let Some(key) = idempotency_key {
            statements.push(Statement::new(
                Arc::from(
                    "INSERT INTO incident_keys (key, incident_id, request_sha256) VALUES ($1, $2, $3)",
                ),
                vec![
                    SqlValue::Text(Some(key.scoped.clone())),
                    SqlValue::Text(Some(incident.id.as_str().to_string())),
                    SqlValue::Text(Some(key.request_sha256.clone())),
                ],
            ));
        }
        push_rows(B::DIALECT, std::slice::from_ref(incident), &mut statements)?;
        statements.extend(events.iter().flat_map(|e| event_statements(B::DIALECT, e)));
        statements.extend(
            tracking_code_sha256
                .map(|code| super::public_reports::code_statement(code, &incident.id)),
        );
        statements
            .extend(self.announce(ChangedLayer::Incidents, Some(vec![incident.id.to_string()])));
        match self.backend.execute_in_transaction(&statements, None).await {
            Ok(_) => Ok(Reported::Created),
            Err(source) => {
                // The key was used before (or concurrently): the first report stands.
                if let Some(key) = idempotency_key
                    && let Some((first, request_sha256)) = self.incident_for_key(key).await?
                {
                    return Ok(if request_sha256 == key.request_sha256 {
                        Reported::Duplicate(first)
                    } else {
                        Reported::KeyReused(first)
                    });
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
                "UPDATE incidents SET status = $1, assignee = $2, closed_at = {closed}, \
                 returned_times = $6 WHERE id = $4 AND status = $5"
            )),
            vec![
                text(Some(incident.status.as_str())),
                text(incident.assignee.as_ref().map(WorkerId::as_str)),
                text(
                    incident
                        .closed_at
                        .map(|t| schema::format_timestamp(&t))
                        .as_deref(),
                ),
                text(Some(incident.id.as_str())),
                text(Some(from.as_str())),
                SqlValue::Int(Some(i64::from(incident.returned_times))),
            ],
        )
        .exactly_one_row();
        let mut statements = vec![update];
        statements.extend(event_statements(B::DIALECT, event));
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

    async fn incident_events(&self, id: &IncidentId) -> Result<Vec<IncidentEvent>, StoreError> {
        let at = B::DIALECT.select_column("at", ColumnType::Timestamp);
        let sql = format!(
            "SELECT action, status, {at}, actor, worker, note, photos FROM incident_events WHERE incident_id = $1 ORDER BY fid"
        );
        let rows = self
            .backend
            .fetch(
                &sql,
                &[SqlValue::Text(Some(id.as_str().to_string()))],
                &[ColumnType::Text; 7],
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
                    photos: match t(6) {
                        Some(json) => {
                            serde_json::from_str(&json).map_err(|_| corrupt("bad photos"))?
                        }
                        None => Vec::new(),
                    },
                })
            })
            .collect()
    }
}

impl<B: SqlBackend> SqlStore<B> {
    /// The incident first recorded under an idempotency key.
    async fn incident_for_key(
        &self,
        key: &IdempotencyKey,
    ) -> Result<Option<(IncidentId, String)>, StoreError> {
        let rows = self
            .backend
            .fetch(
                "SELECT incident_id, request_sha256 FROM incident_keys WHERE key = $1",
                &[SqlValue::Text(Some(key.scoped.clone()))],
                &[ColumnType::Text, ColumnType::Text],
            )
            .await
            .map_err(StoreError::query("incident_keys"))?;
        Ok(rows.first().and_then(|r| match (r.first(), r.get(1)) {
            (Some(SqlValue::Text(Some(id))), Some(SqlValue::Text(Some(hash)))) => {
                Some((IncidentId(id.clone()), hash.clone()))
            }
            _ => None,
        }))
    }
}
/// Parameters of one step's row in [`event_rows`].
const EVENT_COLUMNS: usize = 8;
/// Steps one `INSERT` writes at most (2,000 parameters, as the upserts).
const EVENTS_PER_STATEMENT: usize = 2_000 / EVENT_COLUMNS;

/// Statements appending whole histories (an import or the demo): many steps a statement.
/// Steps have no key: they are added, never replaced. Photos are listed on the step but not
/// linked to the incident (histories written this way carry none).
pub(super) fn event_rows(dialect: Dialect, events: &[IncidentEvent]) -> Vec<Statement> {
    events
        .chunks(EVENTS_PER_STATEMENT)
        .map(|chunk| {
            let rows: Vec<String> = (0..chunk.len())
                .map(|r| {
                    let n = r * EVENT_COLUMNS;
                    format!(
                        "(${}, ${}, ${}, {}, ${}, ${}, ${}, ${})",
                        n + 1,
                        n + 2,
                        n + 3,
                        dialect.param(ColumnType::Timestamp, n + 4),
                        n + 5,
                        n + 6,
                        n + 7,
                        n + 8
                    )
                })
                .collect();
            let params = chunk.iter().flat_map(event_values).collect();
            Statement::new(
                Arc::from(format!(
                    "INSERT INTO incident_events (incident_id, action, status, at, actor, worker, note, photos) VALUES {}",
                    rows.join(", ")
                )),
                params,
            )
            .writing(chunk.len() as u64)
        })
        .collect()
}

/// A step's row: incident, action, status, time, actor, worker, note, photos (JSON).
fn event_values(e: &IncidentEvent) -> [SqlValue; EVENT_COLUMNS] {
    let text = |v: Option<&str>| SqlValue::Text(v.map(str::to_string));
    let photos = (!e.photos.is_empty())
        .then(|| serde_json::to_string(&e.photos).ok())
        .flatten();
    [
        text(Some(e.incident.as_str())),
        text(Some(e.action.as_str())),
        text(Some(e.status.as_str())),
        text(Some(&schema::format_timestamp(&e.at))),
        text(Some(&e.actor)),
        text(e.worker.as_ref().map(WorkerId::as_str)),
        text(e.note.as_deref()),
        SqlValue::Text(photos),
    ]
}

/// The statements recording one step of an incident: its row, and the incident's link to
/// each photo the step names.
fn event_statements(dialect: Dialect, e: &IncidentEvent) -> Vec<Statement> {
    let at = dialect.param(ColumnType::Timestamp, 4);
    let text = |v: Option<&str>| SqlValue::Text(v.map(str::to_string));
    let mut statements = vec![Statement::new(
        Arc::from(format!(
            "INSERT INTO incident_events (incident_id, action, status, at, actor, worker, note, photos) VALUES ($1, $2, $3, {at}, $5, $6, $7, $8)"
        )),
        event_values(e).to_vec(),
    )];
    statements.extend(e.photos.iter().map(|photo| {
        Statement::new(
            Arc::from(
                "INSERT INTO incident_photos (incident_id, photo_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            ),
            vec![text(Some(e.incident.as_str())), text(Some(photo.as_str()))],
        )
        .uncounted()
    }));
    statements
}
