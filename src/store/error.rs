//! Errors of the store subsystem, with the table, key or file they concern.

/// A store failure; the API maps these to status codes.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open store {location}: {source}")]
    Open {
        location: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("migrating store {location}: {source}")]
    Migrate {
        location: String,
        #[source]
        source: sqlx::migrate::MigrateError,
    },
    #[error("query on {table} failed: {source}")]
    Query {
        table: &'static str,
        #[source]
        source: sqlx::Error,
    },
    #[error("write of {what} failed, nothing was written: {source}")]
    Write {
        what: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("corrupt {table} row {key}: {reason}")]
    Corrupt {
        table: &'static str,
        key: String,
        reason: String,
    },
    #[error("roster line {line}: {reason}; nothing was written")]
    Roster { line: usize, reason: String },
    #[error("{what} changed meanwhile (now {now}); reload and try again")]
    Conflict { what: String, now: String },
    #[error(
        "{location} is already served by another gridmap process ({holder}); stop it first, or use PostGIS for several processes on one database"
    )]
    AlreadyServed { location: String, holder: String },
    #[error("cannot claim {location} for serving: {source}")]
    Claim {
        location: String,
        #[source]
        source: std::io::Error,
    },
    #[error("unsupported database location {0:?}: use a .gpkg path or a postgres:// URL")]
    UnsupportedLocation(String),
}

impl StoreError {
    /// The conflict of a commit based on a plan version past the head `head`.
    pub fn base_ahead_of(head: u64, base_version: u64) -> Self {
        Self::Conflict {
            what: "the plan".into(),
            now: format!("at version {head}; version {base_version} does not exist"),
        }
    }

    pub(crate) fn query(table: &'static str) -> impl FnOnce(sqlx::Error) -> Self {
        move |source| Self::Query { table, source }
    }
}
