//! Application services: jobs that combine the pure algorithms with the store, shared by the
//! CLI and the API.

pub mod coverage;
pub mod demo;
pub mod dispatch;
pub mod engine_sync;
pub mod evaluation;
pub mod job_stop;
pub mod office_workbooks;
pub mod partition_job;
pub mod patrols;
pub mod photo_refs;
pub mod public_reports;
pub mod rebalance;
pub mod site_suggestions;
pub mod staffing;
pub mod tile_cache;
pub mod visits;
pub mod worker_roster;
