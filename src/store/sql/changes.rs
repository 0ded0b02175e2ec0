//! Announcing committed changes to other processes, in the same transaction as the write:
//! PostGIS NOTIFY; on a GeoPackage a row of `gridmap_changes`, which a `serve` on the same
//! file polls.

use super::{SqlBackend, SqlStore};
use crate::store::schema::{Dialect, SqlValue, Statement};
use crate::store::{Change, ChangedLayer};
use std::sync::Arc;

/// The channel changes are announced on.
pub(crate) const CHANGES_CHANNEL: &str = "gridmap_changes";
/// The GeoPackage's change feed.
pub(crate) const CHANGE_FEED_TABLE: &str = "gridmap_changes";
/// PostgreSQL refuses notification payloads of 8,000 bytes or more.
const MAX_PAYLOAD: usize = 7_000;

impl<B: SqlBackend> SqlStore<B> {
    /// The statement announcing a change when the transaction commits (PostGIS: NOTIFY is
    /// transactional; GeoPackage: a row of the change feed).
    pub(super) fn announce(
        &self,
        layer: ChangedLayer,
        ids: Option<Vec<String>>,
    ) -> Option<Statement> {
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
        let sql = match B::DIALECT {
            Dialect::Postgis => format!("SELECT pg_notify('{CHANGES_CHANNEL}', $1)"),
            Dialect::GeoPackage => format!("INSERT INTO {CHANGE_FEED_TABLE} (payload) VALUES (?)"),
        };
        Some(Statement::new(Arc::from(sql), vec![SqlValue::Text(Some(payload))]).uncounted())
    }
}
