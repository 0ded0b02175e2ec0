//! Residents' reports on SQL: a row per tracking code's hash, rated once after closing.

use super::{SqlBackend, SqlStore};
use crate::domain::{IncidentId, PublicReport, Satisfaction};
use crate::store::schema::{self, ColumnType, SqlValue, Statement};
use crate::store::{ChangedLayer, PublicReportStore, Rated, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// The statement recording a report's code hash beside its incident (written with the
/// incident by `report_incident`).
pub(super) fn code_statement(code_sha256: &str, incident: &IncidentId) -> Statement {
    Statement::new(
        Arc::from("INSERT INTO public_reports (code_sha256, incident_id) VALUES ($1, $2)"),
        vec![
            SqlValue::Text(Some(code_sha256.to_string())),
            SqlValue::Text(Some(incident.to_string())),
        ],
    )
    .uncounted()
}

#[async_trait]
impl<B: SqlBackend> PublicReportStore for SqlStore<B> {
    async fn public_report(&self, code_sha256: &str) -> Result<Option<PublicReport>, StoreError> {
        let at = B::DIALECT.select_column("rated_at", ColumnType::Timestamp);
        let rows = self
            .backend
            .fetch(
                &format!(
                    "SELECT incident_id, rating, rating_comment, {at} FROM public_reports WHERE code_sha256 = $1"
                ),
                &[SqlValue::Text(Some(code_sha256.to_string()))],
                &[ColumnType::Text; 4],
            )
            .await
            .map_err(StoreError::query("public_reports"))?;
        let Some(row) = rows.into_iter().next() else {
            return Ok(None);
        };
        let corrupt = |reason: &str| StoreError::Corrupt {
            table: "public_reports",
            key: "(a tracking code)".into(),
            reason: reason.into(),
        };
        let mut values = row.into_iter().map(|v| match v {
            SqlValue::Text(t) => t,
            _ => None,
        });
        let mut next = || values.next().flatten();
        let incident = next()
            .map(IncidentId)
            .ok_or_else(|| corrupt("no incident"))?;
        let rating = match next() {
            Some(r) => Some(Satisfaction::parse(&r).ok_or_else(|| corrupt("bad rating"))?),
            None => None,
        };
        let rating_comment = next();
        let rated_at = match next() {
            Some(t) => Some(
                DateTime::parse_from_rfc3339(&t)
                    .map_err(|_| corrupt("bad time"))?
                    .with_timezone(&Utc),
            ),
            None => None,
        };
        Ok(Some(PublicReport {
            incident,
            rating,
            rating_comment,
            rated_at,
        }))
    }

    async fn rate_public_report(
        &self,
        code_sha256: &str,
        rating: Satisfaction,
        comment: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<Rated, StoreError> {
        let at_param = B::DIALECT.param(ColumnType::Timestamp, 3);
        let update = Statement::new(
            Arc::from(format!(
                "UPDATE public_reports SET rating = $1, rating_comment = $2, rated_at = {at_param} \
                 WHERE code_sha256 = $4 AND rating IS NULL \
                 AND incident_id IN (SELECT id FROM incidents WHERE status = 'closed')"
            )),
            vec![
                SqlValue::Text(Some(rating.as_str().into())),
                SqlValue::Text(comment.map(str::to_string)),
                SqlValue::Text(Some(schema::format_timestamp(&at))),
                SqlValue::Text(Some(code_sha256.to_string())),
            ],
        )
        .exactly_one_row();
        // The incident carries the rating too: the dashboard's figures come from incidents.
        let copy = Statement::new(
            Arc::from(
                "UPDATE incidents SET satisfaction = $1 WHERE id = \
                 (SELECT incident_id FROM public_reports WHERE code_sha256 = $2)",
            ),
            vec![
                SqlValue::Text(Some(rating.as_str().into())),
                SqlValue::Text(Some(code_sha256.to_string())),
            ],
        )
        .exactly_one_row();
        let mut statements = vec![update, copy];
        let incident = self
            .public_report(code_sha256)
            .await?
            .map(|r| vec![r.incident.0]);
        statements.extend(self.announce(ChangedLayer::Incidents, incident));
        match self.backend.execute_in_transaction(&statements, None).await {
            Ok(_) => Ok(Rated::Now),
            Err(sqlx::Error::RowNotFound) => Ok(match self.public_report(code_sha256).await? {
                Some(report) if report.rating.is_some() => Rated::AlreadyRated,
                _ => Rated::NotClosed,
            }),
            Err(source) => Err(StoreError::Write {
                what: "a rating".into(),
                source,
            }),
        }
    }
}
