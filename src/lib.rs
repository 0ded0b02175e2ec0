//! gridmap: city grid governance (网格化服务管理) — base grids, spatial indexes, vector tiles
//! and rebalancing, over a GeoPackage or PostGIS store.
//!
//! Dependencies point one way: [`domain`] ← [`crs`], [`import`], [`generate`], [`mvt`],
//! [`partition`] (pure) ← [`store`] ← [`engine`] ← [`service`] ← [`api`] ← the `gridmap`
//! binary.

// The OpenAPI document is one `json!` literal, deeper than the default limit.
#![recursion_limit = "256"]

pub mod api;
pub mod auth;
pub mod bench;
pub mod cli;
pub mod crs;
pub mod domain;
pub mod engine;
pub mod features;
pub mod generate;
pub mod import;
pub mod mvt;
pub mod partition;
pub mod photo;
pub mod routing;
pub mod service;
pub mod siting;
pub mod spatial;
pub mod store;
