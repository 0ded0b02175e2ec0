//! The embedded default store: an OGC GeoPackage 1.4 file (SQLite) that GDAL and QGIS open.

use super::Change;
use super::schema::{ColumnType, Dialect, SqlValue, Statement};
use super::sql::{CHANGE_FEED_TABLE, SqlBackend, SqlStore, execute_all, fetch_values};
use super::{Progress, StoreError, StoreKind};
use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// `PRAGMA application_id` of a GeoPackage: ASCII "GPKG".
const GPKG_APPLICATION_ID: i64 = 0x4750_4B47;
/// `PRAGMA user_version` of GeoPackage 1.3.0 (read without warnings by GDAL ≥ 3.0).
const GPKG_USER_VERSION: i64 = 10300;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// How often a `serve` reads the change feed.
const CHANGE_POLL: std::time::Duration = std::time::Duration::from_millis(250);
/// Feed rows are pruned every this many polls (a minute).
const PRUNE_EVERY_ROUNDS: u64 = 240;

/// A GeoPackage file behind a SQLite pool.
pub struct GeoPackageBackend {
    pool: SqlitePool,
    /// The file, for naming it and its serving lock.
    path: PathBuf,
    /// The lock file held while this process serves the GeoPackage.
    serving: std::sync::Mutex<Option<std::fs::File>>,
}

/// The GeoPackage store.
pub type GeoPackageStore = SqlStore<GeoPackageBackend>;

impl GeoPackageStore {
    /// Opens (creating if missing) a GeoPackage file and brings its schema up to date.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let location = path.as_ref().display().to_string();
        let open_error = |source| StoreError::Open {
            location: location.clone(),
            source,
        };
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{location}"))
            .map_err(open_error)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            .busy_timeout(std::time::Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(open_error)?;
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|source| StoreError::Migrate {
                location: location.clone(),
                source,
            })?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "PRAGMA application_id = {GPKG_APPLICATION_ID}"
        )))
        .execute(&pool)
        .await
        .map_err(open_error)?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "PRAGMA user_version = {GPKG_USER_VERSION}"
        )))
        .execute(&pool)
        .await
        .map_err(open_error)?;
        // GDAL reads application_id from the file header itself: put it there now.
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&pool)
            .await
            .map_err(open_error)?;
        Ok(SqlStore::new(GeoPackageBackend {
            pool,
            path: path.as_ref().to_path_buf(),
            serving: std::sync::Mutex::new(None),
        }))
    }
}

#[async_trait]
impl SqlBackend for GeoPackageBackend {
    const KIND: StoreKind = StoreKind::GeoPackage;
    const DIALECT: Dialect = Dialect::GeoPackage;

    async fn fetch(
        &self,
        sql: &str,
        params: &[SqlValue],
        columns: &[ColumnType],
    ) -> Result<Vec<Vec<SqlValue>>, sqlx::Error> {
        fetch_values!(self.pool, sql, params, columns)
    }

    /// Polls the change feed every quarter second for rows other processes committed after
    /// this call (a CLI import, partition or rebalance beside a running `serve`), and prunes
    /// rows older than ten minutes once a minute.
    async fn subscribe(&self, origin: String) -> Option<tokio::sync::mpsc::Receiver<Change>> {
        let start: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT coalesce(max(seq), 0) FROM {CHANGE_FEED_TABLE}"
        )))
        .fetch_one(&self.pool)
        .await
        .map_err(|e| tracing::error!(error = %e, "cannot read the change feed"))
        .ok()?;
        let (tx, rx) = tokio::sync::mpsc::channel(4096);
        let pool = self.pool.clone();
        tokio::spawn(async move {
            let mut last = start;
            let mut tick = tokio::time::interval(CHANGE_POLL);
            for round in 0u64.. {
                tick.tick().await;
                if pool.is_closed() || tx.is_closed() {
                    break;
                }
                let rows: Vec<(i64, String)> = match sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT seq, payload FROM {CHANGE_FEED_TABLE} WHERE seq > ? ORDER BY seq"
                )))
                .bind(last)
                .fetch_all(&pool)
                .await
                {
                    Ok(rows) => rows,
                    Err(e) => {
                        tracing::warn!(error = %e, "reading the change feed failed");
                        continue;
                    }
                };
                for (seq, payload) in rows {
                    last = seq;
                    match serde_json::from_str::<Change>(&payload) {
                        Ok(change) if change.origin == origin => {}
                        Ok(change) => {
                            if tx.send(change).await.is_err() {
                                return;
                            }
                        }
                        Err(e) => tracing::warn!(error = %e, "unreadable change in the feed"),
                    }
                }
                if round % PRUNE_EVERY_ROUNDS == 0 {
                    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DELETE FROM {CHANGE_FEED_TABLE} WHERE written_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-10 minutes')"
                    )))
                    .execute(&pool)
                    .await;
                }
            }
        });
        Some(rx)
    }

    /// Takes an exclusive lock on `<file>.serving` (released by the system when the process
    /// ends, however it ends) and writes this process's id into it for the next one's
    /// message.
    fn claim_serving(&self) -> Result<(), StoreError> {
        use std::io::{Read, Seek, Write};
        let location = self.path.display().to_string();
        let claim_error = |source| StoreError::Claim {
            location: location.clone(),
            source,
        };
        let mut serving = self.serving.lock().unwrap_or_else(|e| e.into_inner());
        if serving.is_some() {
            return Ok(());
        }
        let mut name = self.path.clone().into_os_string();
        name.push(".serving");
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&name)
            .map_err(claim_error)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                return Err(StoreError::AlreadyServed {
                    location,
                    holder: match holder.trim() {
                        "" => "process unknown".into(),
                        pid => format!("process {pid}"),
                    },
                });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(claim_error(e)),
        }
        file.set_len(0).map_err(claim_error)?;
        file.rewind().map_err(claim_error)?;
        write!(file, "{}", std::process::id()).map_err(claim_error)?;
        *serving = Some(file);
        Ok(())
    }

    async fn close(&self) {
        let _ = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.pool)
            .await;
        self.pool.close().await;
    }

    async fn execute_in_transaction(
        &self,
        statements: &[Statement],
        progress: Option<Progress<'_>>,
    ) -> Result<u64, sqlx::Error> {
        let result: Result<u64, sqlx::Error> = execute_all!(self.pool, statements, progress);
        if result.is_ok() {
            // Keep gpkg_contents' extents and change time true for GDAL and QGIS.
            update_contents(&self.pool).await?;
        }
        result
    }
}

/// Refreshes `gpkg_contents` extents from each feature table's indexed `bbox_*` columns.
async fn update_contents(pool: &SqlitePool) -> Result<(), sqlx::Error> {
    for table in super::schema::ALL_TABLES {
        let name = table.name;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE gpkg_contents SET \
               min_x = (SELECT MIN(bbox_minx) FROM {name}), \
               min_y = (SELECT MIN(bbox_miny) FROM {name}), \
               max_x = (SELECT MAX(bbox_maxx) FROM {name}), \
               max_y = (SELECT MAX(bbox_maxy) FROM {name}), \
               last_change = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') \
             WHERE table_name = '{name}'"
        )))
        .execute(pool)
        .await?;
    }
    Ok(())
}
