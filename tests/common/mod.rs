//! Shared test helpers: fresh stores of both kinds and paths to the real data.
#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly at the first value that is not what it expects"
)]
#![allow(
    dead_code,
    reason = "each test crate uses some of these helpers; an expect would fail in the others"
)]

pub mod browser;

use gridmap::store::{self, Store};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

pub fn data(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(path)
}

/// A new GeoPackage store in a temporary directory (kept alive by the returned guard).
pub async fn fresh_gpkg() -> (tempfile::TempDir, Arc<dyn Store>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("test.gpkg");
    let store = store::open(path.to_str().expect("utf-8 path"))
        .await
        .expect("open gpkg");
    (dir, store)
}

/// The PostgreSQL server tests run against (PostGIS must be installed there).
pub fn postgres_admin_url() -> String {
    std::env::var("GRIDMAP_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

static DATABASES: AtomicUsize = AtomicUsize::new(0);

/// A PostGIS store on a new, empty database. Fails (never skips) when PostGIS is missing.
pub async fn fresh_postgis() -> Arc<dyn Store> {
    let url = fresh_postgis_url().await;
    store::open(&url).await.unwrap_or_else(|e| {
        panic!("PostGIS store on {url}: {e} (is postgresql-15-postgis-3 installed?)")
    })
}

/// A new, empty database; its URL (open it as often as needed: several "processes").
pub async fn fresh_postgis_url() -> String {
    use sqlx::Connection;
    let admin = postgres_admin_url();
    let name = format!(
        "gridmap_test_{}_{}_{}",
        std::process::id(),
        DATABASES.fetch_add(1, Ordering::SeqCst),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0)
    );
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at {admin} is required for the PostGIS tests: {e}"));
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .expect("create test database");
    match admin.rfind('/') {
        Some(i) => format!("{}/{name}", &admin[..i]),
        None => panic!("bad admin URL {admin}"),
    }
}

/// Runs an async test body against both backends.
#[macro_export]
macro_rules! both_stores {
    ($name:ident, $body:path) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn geopackage() {
                let (_dir, store) = common::fresh_gpkg().await;
                $body(store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgis() {
                let store = common::fresh_postgis().await;
                $body(store).await;
            }
        }
    };
}

/// Imports a file into a store as the CLI does (communities assigned, one transaction).
pub async fn import(
    store: &dyn Store,
    file: &std::path::Path,
    options: &gridmap::import::ImportOptions,
) -> u64 {
    match gridmap::import::read_file(file, options).expect("import parses") {
        gridmap::import::Imported::Features(mut data) => {
            if !data.buildings.is_empty() {
                let communities = store
                    .communities(&Default::default())
                    .await
                    .expect("communities");
                gridmap::spatial::assign_communities(
                    &gridmap::spatial::community_index(&communities),
                    &mut data.buildings,
                );
            }
            store.write(&data, None).await.expect("write")
        }
        gridmap::import::Imported::Roster(entries) => {
            store.apply_roster(&entries).await.expect("roster")
        }
        gridmap::import::Imported::Workers(_, rows) => {
            let data = gridmap::domain::Dataset {
                workers: rows.into_iter().map(|r| r.worker).collect(),
                ..Default::default()
            };
            store.write(&data, None).await.expect("workers")
        }
    }
}

/// A generated district written to the store and partitioned (plan version 1).
pub async fn partitioned_district(
    store: &dyn Store,
    households: u32,
    seed: u64,
) -> gridmap::domain::Dataset {
    use gridmap::generate::{DistrictProfile, GenerateOptions, generate};
    use gridmap::service::partition_job::{self, Commit, Scope};
    let profile = DistrictProfile::dongsheng().expect("profile");
    let data = generate(&profile, &GenerateOptions { households, seed }).expect("generate");
    store.write(&data, None).await.expect("write");
    partition_job::run(
        store,
        &Scope::All,
        &gridmap::partition::PartitionOptions::default(),
        Commit::Write,
        &|_, _| {},
    )
    .await
    .expect("partition");
    data
}

/// Monaco's real OSM data: its 9 quartiers as communities of street 990101001, buildings,
/// roads and land cover (buildings not yet placed in communities).
pub fn monaco() -> gridmap::domain::Dataset {
    let read =
        |path: &str, options: &gridmap::import::ImportOptions| match gridmap::import::read_file(
            &data(path),
            options,
        )
        .unwrap()
        {
            gridmap::import::Imported::Features(d) => d,
            other => panic!("{other:?}"),
        };
    let mut options = gridmap::import::ImportOptions::new(gridmap::import::ImportKind::Communities);
    options.parent = Some("990101001".parse().unwrap());
    options.admin_level = Some("10".into());
    let mut data = read("monaco/admin.geojson", &options);
    data.buildings = read(
        "monaco/buildings.geojson",
        &gridmap::import::ImportOptions::new(gridmap::import::ImportKind::Buildings),
    )
    .buildings;
    data.roads = read(
        "monaco/roads.geojson",
        &gridmap::import::ImportOptions::new(gridmap::import::ImportKind::Roads),
    )
    .roads;
    data.land_areas = read(
        "monaco/monaco-2025-02-11.osm.pbf",
        &gridmap::import::ImportOptions::new(gridmap::import::ImportKind::Land),
    )
    .land_areas;
    data
}

/// A new bearer token of `role`, stored hashed under `label`.
pub async fn token(store: &dyn Store, role: gridmap::domain::Role, label: &str) -> String {
    let token = gridmap::auth::new_token();
    store
        .create_token(&gridmap::auth::hash_token(&token), role, label, None)
        .await
        .expect("create token");
    token
}

/// A worker token belonging to `worker`.
pub async fn worker_token(store: &dyn Store, worker: &gridmap::domain::WorkerId) -> String {
    let token = gridmap::auth::new_token();
    store
        .create_token(
            &gridmap::auth::hash_token(&token),
            gridmap::domain::Role::Worker,
            worker.as_str(),
            Some(worker),
        )
        .await
        .expect("create worker token");
    token
}

/// Sends one request through `app(state)` (no socket): status, headers and body bytes.
pub async fn send(
    state: &gridmap::api::AppState,
    method: &str,
    uri: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: Option<serde_json::Value>,
) -> (axum::http::StatusCode, axum::http::HeaderMap, bytes::Bytes) {
    use axum::http::header;
    let mut request = axum::http::Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let body = match body {
        Some(b) => {
            request = request.header(header::CONTENT_TYPE, "application/json");
            axum::body::Body::from(b.to_string())
        }
        None => axum::body::Body::empty(),
    };
    respond(state, request.body(body).expect("request")).await
}

/// Sends one request through `app(state)` and answers its status and JSON body (null when
/// the body is not JSON).
pub async fn call(
    state: &gridmap::api::AppState,
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: Option<serde_json::Value>,
) -> (axum::http::StatusCode, serde_json::Value) {
    let (status, _, bytes) = send(state, method, uri, token, &[], body).await;
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    )
}

/// The field a problem+json answer names (`invalid-params[0].name`), or "".
pub fn field(body: &serde_json::Value) -> &str {
    body["invalid-params"][0]["name"].as_str().unwrap_or("")
}

/// Sends raw bytes (a photo) with their content type through `app(state)`.
pub async fn send_bytes(
    state: &gridmap::api::AppState,
    uri: &str,
    token: Option<&str>,
    content_type: &str,
    bytes: Vec<u8>,
) -> (axum::http::StatusCode, axum::http::HeaderMap, bytes::Bytes) {
    use axum::http::header;
    let mut request = axum::http::Request::builder()
        .method("POST")
        .uri(uri)
        .header(header::CONTENT_TYPE, content_type);
    if let Some(t) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let request = request
        .body(axum::body::Body::from(bytes))
        .expect("request");
    respond(state, request).await
}

async fn respond(
    state: &gridmap::api::AppState,
    request: axum::http::Request<axum::body::Body>,
) -> (axum::http::StatusCode, axum::http::HeaderMap, bytes::Bytes) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let response = gridmap::api::app(state.clone())
        .oneshot(request)
        .await
        .expect("response");
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (status, headers, bytes)
}

/// A `gridmap serve` process of the real binary on a free port, stopped however the test
/// ends (a panicking test once left its server holding the test's output open).
pub struct ServeProcess {
    child: std::process::Child,
    /// `host:port` it listens on.
    pub address: String,
}

impl ServeProcess {
    /// Runs `gridmap serve --addr 127.0.0.1:0` with `args` and waits until it listens.
    pub fn start(args: &[&str]) -> Self {
        use std::io::{BufRead, BufReader};
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_gridmap"))
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(args)
            .env("RUST_LOG", "error")
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("serve starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let address = loop {
            let line = lines.next().expect("serve exited early").unwrap();
            if let Some(rest) = line.split("http://").nth(1) {
                break rest.split('/').next().unwrap().to_string();
            }
        };
        Self { child, address }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The JSON body of `GET path`, with a bearer token when given.
    pub fn get(&self, path: &str, token: Option<&str>) -> serde_json::Value {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(&self.address).unwrap();
        let auth = token
            .map(|t| format!("Authorization: Bearer {t}\r\n"))
            .unwrap_or_default();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: t\r\n{auth}Connection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        serde_json::from_str(response.split("\r\n\r\n").nth(1).unwrap_or_default()).unwrap()
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// Runs the real `gridmap` binary with `args`, panicking with its output when it fails;
/// its standard output.
pub fn run_gridmap(args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gridmap"))
        .args(args)
        .env("RUST_LOG", "error")
        .output()
        .expect("gridmap runs");
    assert!(
        out.status.success(),
        "gridmap {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A small generated district (20,000 households) in the store at `db`, partitioned when
/// asked: quick to cut under fuzzing and in end-to-end tests.
pub fn small_district(db: &str, seed: u32, partitioned: bool) {
    let seed = seed.to_string();
    run_gridmap(&[
        "generate",
        "--database",
        db,
        "--households",
        "20000",
        "--seed",
        &seed,
    ]);
    if partitioned {
        run_gridmap(&["partition", "--database", db, "--all"]);
    }
}
