//! The production store: PostgreSQL with PostGIS (and Citus for scale-out by district).

use super::schema::{ColumnType, Dialect, SqlValue, Statement};
use super::sql::{CHANGES_CHANNEL, SqlBackend, SqlStore, execute_all, fetch_values};
use super::{Change, ChangedLayer, Progress, StoreError, StoreKind};
use async_trait::async_trait;
use sqlx::postgres::{PgPool, PgPoolOptions};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// A PostGIS database behind a connection pool.
pub struct PostgisBackend {
    pool: PgPool,
    /// The database URL: change listeners hold a connection of their own, outside the
    /// pool (closing the pool waits for every pooled connection to come back).
    url: String,
    /// Set when the store closes: listeners stop.
    closed: tokio::sync::watch::Sender<bool>,
}

/// The PostGIS store.
pub type PostgisStore = SqlStore<PostgisBackend>;

impl PostgisStore {
    /// Connects to `postgres://…` and brings the schema up to date (creating the postgis
    /// extension if it is missing, which needs a role allowed to do so).
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let location = redact(url);
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(std::time::Duration::from_secs(10))
            .connect(url)
            .await
            .map_err(|source| StoreError::Open {
                location: location.clone(),
                source,
            })?;
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|source| StoreError::Migrate { location, source })?;
        Ok(SqlStore::new(PostgisBackend {
            pool,
            url: url.to_string(),
            closed: tokio::sync::watch::Sender::new(false),
        }))
    }

    /// The connection pool, for benchmarks that compare with plain PostGIS queries.
    pub fn pool(&self) -> &PgPool {
        &self.backend.pool
    }
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{}@{}", &url[..scheme_end + 3], user, &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

#[async_trait]
impl SqlBackend for PostgisBackend {
    const KIND: StoreKind = StoreKind::Postgis;
    const DIALECT: Dialect = Dialect::Postgis;

    async fn fetch(
        &self,
        sql: &str,
        params: &[SqlValue],
        columns: &[ColumnType],
    ) -> Result<Vec<Vec<SqlValue>>, sqlx::Error> {
        fetch_values!(self.pool, sql, params, columns)
    }

    async fn close(&self) {
        self.closed.send_replace(true);
        self.pool.close().await;
    }

    async fn subscribe(&self, origin: String) -> Option<tokio::sync::mpsc::Receiver<Change>> {
        let mut listener = match sqlx::postgres::PgListener::connect(&self.url).await {
            Ok(l) => l,
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for changes of other processes");
                return None;
            }
        };
        if let Err(e) = listener.listen(CHANGES_CHANNEL).await {
            tracing::error!(error = %e, "cannot listen for changes of other processes");
            return None;
        }
        let (tx, rx) = tokio::sync::mpsc::channel(4096);
        let mut closed = self.closed.subscribe();
        tokio::spawn(async move {
            loop {
                let received = tokio::select! {
                    r = listener.recv() => r,
                    _ = closed.wait_for(|c| *c) => break,
                };
                match received {
                    Ok(notification) => {
                        match serde_json::from_str::<Change>(notification.payload()) {
                            Ok(change) if change.origin == origin => {}
                            Ok(change) => {
                                if tx.send(change).await.is_err() {
                                    break;
                                }
                            }
                            Err(e) => tracing::warn!(error = %e, "unreadable change notice"),
                        }
                    }
                    Err(e) => {
                        // The connection dropped: notices may have been missed, so every
                        // layer is reloaded once the listener is back.
                        tracing::warn!(error = %e, "change listener reconnecting");
                        if tx.is_closed() {
                            break;
                        }
                        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                        for layer in [
                            ChangedLayer::Grids,
                            ChangedLayer::Workers,
                            ChangedLayer::Incidents,
                        ] {
                            let change = Change {
                                layer,
                                ids: None,
                                origin: String::new(),
                            };
                            if tx.send(change).await.is_err() {
                                return;
                            }
                        }
                    }
                }
            }
        });
        Some(rx)
    }

    async fn execute_in_transaction(
        &self,
        statements: &[Statement],
        progress: Option<Progress<'_>>,
    ) -> Result<u64, sqlx::Error> {
        execute_all!(self.pool, statements, progress)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(
            super::redact("postgres://me:secret@db:5432/x"),
            "postgres://me@db:5432/x"
        );
        assert_eq!(super::redact("postgres://db/x"), "postgres://db/x");
    }
}
