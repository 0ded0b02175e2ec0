//! The store logic shared by both backends: a [`SqlStore`] over any [`SqlBackend`], which
//! only has to fetch rows and run statements in one transaction. Each concern's
//! implementation lives in the file named for it.

mod backend;
mod changes;
mod datasets;
mod incidents;
mod layers;
mod macros;
mod patrols;
mod photos;
mod plan_snapshots;
mod plans;
mod public_reports;
mod rosters;
mod sql_store;
mod tokens;
mod upsert;
mod visits;
mod workers;

pub(crate) use backend::SqlBackend;
pub(crate) use changes::{CHANGE_FEED_TABLE, CHANGES_CHANNEL};
pub(crate) use macros::{bind_values, execute_all, fetch_values, read_values};
pub(crate) use sql_store::SqlStore;
