//! The production store: PostgreSQL with PostGIS (and Citus for scale-out by district).

use super::sql_store::{SqlBackend, SqlStore, execute_all, fetch_values};
use super::tables::{ColumnType, Dialect, SqlValue, Statement};
use super::{Progress, StoreError, StoreKind};
use async_trait::async_trait;
use sqlx::postgres::{PgPool, PgPoolOptions};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// A PostGIS database behind a connection pool.
pub struct PostgisBackend {
    pool: PgPool,
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
        Ok(SqlStore {
            backend: PostgisBackend { pool },
        })
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
        self.pool.close().await;
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
