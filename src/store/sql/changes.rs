//! Announcing committed changes to other processes (PostGIS NOTIFY, in the same
//! transaction as the write).

use super::{SqlBackend, SqlStore};
use crate::store::schema::{Dialect, SqlValue, Statement};
use crate::store::{Change, ChangedLayer};
use std::sync::Arc;

/// The channel changes are announced on.
pub(crate) const CHANGES_CHANNEL: &str = "gridmap_changes";
/// PostgreSQL refuses notification payloads of 8,000 bytes or more.
const MAX_PAYLOAD: usize = 7_000;

impl<B: SqlBackend> SqlStore<B> {
    /// The statement announcing a change when the transaction commits (PostGIS: NOTIFY is
    /// transactional); nothing for the GeoPackage, which one process uses.
    pub(super) fn announce(
        &self,
        layer: ChangedLayer,
        ids: Option<Vec<String>>,
    ) -> Option<Statement> {
        if B::DIALECT != Dialect::Postgis {
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
}
