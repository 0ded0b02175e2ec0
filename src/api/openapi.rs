//! The OpenAPI 3.1 description of the API, served at `/api/openapi.json`.

use super::AppState;
use super::layers::BBOX_PATTERN;
use crate::domain::worker::{MAX_WORKER_ID_CHARS, MAX_WORKER_NAME_CHARS, PHONE_PATTERN};
use crate::domain::{DutyStatus, Lines, StationKind, Taxonomy, WorkerRole};
use crate::engine::TileLayer;
use crate::features::Layer;
use crate::mvt::MAX_ZOOM;
use crate::partition::{TARGET_RANGE, TOLERANCE_RANGE};
use crate::service::dispatch::MAX_TEXT_CHARS;
use crate::service::rebalance::{MAX_COMMUNITIES, MAX_NAME_CHARS};
use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

/// `GET /api/openapi.json`.
pub async fn openapi(State(state): State<AppState>) -> Json<Value> {
    Json(document(&state.taxonomy))
}

/// The coordinate systems a point may be given in.
const CRS_NAMES: [&str; 4] = ["wgs84", "cgcs2000", "gcj02", "bd09"];

fn lon() -> Value {
    json!({"type": "number", "minimum": -180, "maximum": 180})
}

fn lat() -> Value {
    json!({"type": "number", "minimum": -90, "maximum": 90})
}

fn crs() -> Value {
    json!({"type": "string", "enum": CRS_NAMES, "default": "wgs84", "description": "GCJ-02 and BD-09 are converted to WGS84"})
}

fn digits(count: usize) -> Value {
    json!({"type": "string", "pattern": format!("^[0-9]{{{count}}}$")})
}

/// Free text as the server takes it (`domain::check_text`): at most `max_chars`
/// characters, no control characters (beyond line breaks and tabs where `lines` is Multi).
fn text(max_chars: usize, lines: Lines, required: bool) -> Value {
    let pattern = match lines {
        Lines::Multi => "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$",
        Lines::Single => "^[^\\u0000-\\u001F\\u007F-\\u009F]*$",
    };
    json!({"type": "string", "minLength": usize::from(required), "maxLength": max_chars, "pattern": pattern})
}

/// `schema` or `null`: an optional body field may be sent as null (taken as absent).
/// Where new-site candidates come from: one schema per source.
fn site_candidates() -> Value {
    let point = json!({"type": "object", "required": ["type", "geometry"], "properties": {
        "type": {"const": "Feature"},
        "geometry": {"type": "object", "required": ["type", "coordinates"], "properties": {
            "type": {"const": "Point"},
            "coordinates": {"type": "array", "minItems": 2, "maxItems": 3, "prefixItems": [lon(), lat()], "items": {"type": "number"}}
        }}
    }});
    let points = json!({"type": "object", "required": ["type", "features"], "properties": {
        "type": {"const": "FeatureCollection"},
        "features": {"type": "array", "maxItems": 20000, "items": point}
    }});
    let source = |from: &str, required: &[&str], properties: Value| {
        let mut props = json!({"from": {"const": from}});
        if let (Some(all), Some(more)) = (props.as_object_mut(), properties.as_object()) {
            all.extend(more.clone());
        }
        let mut needed = vec!["from"];
        needed.extend(required);
        json!({"type": "object", "required": needed, "additionalProperties": false, "properties": props})
    };
    let building_kinds: Vec<&str> = crate::domain::BuildingKind::ALL
        .iter()
        .map(|k| k.as_str())
        .collect();
    let land_classes: Vec<&str> = crate::domain::LandClass::ALL
        .iter()
        .map(|c| c.as_str())
        .collect();
    json!({"oneOf": [
        source("buildings", &["kinds"], json!({"kinds": {"type": "array", "minItems": 1, "items": {"type": "string", "enum": building_kinds}}})),
        source("land", &["classes"], json!({"classes": {"type": "array", "minItems": 1, "items": {"type": "string", "enum": land_classes}}})),
        source("nodes", &[], json!({"spacing_m": nullable(json!({"type": "number", "minimum": 10, "maximum": 5000}))})),
        source("points", &["points"], json!({"points": points}))
    ]})
}

fn nullable(schema: Value) -> Value {
    json!({"anyOf": [schema, {"type": "null"}]})
}

fn time() -> Value {
    json!({"type": "string", "format": "date-time"})
}

fn query(name: &str, schema: Value, required: bool) -> Value {
    json!({"name": name, "in": "query", "required": required, "schema": schema})
}

fn path(name: &str, schema: Value) -> Value {
    json!({"name": name, "in": "path", "required": true, "schema": schema})
}

/// A JSON request body of `schema`.
/// A tracking code as people type it: 12 symbols of Crockford base 32, dashes and spaces
/// anywhere.
fn tracking_code() -> Value {
    json!({"type": "string", "pattern": "^[- 0-9A-Za-z]{12,40}$"})
}

/// A photo id: 64 hex digits.
fn photo_id() -> Value {
    json!({"type": "string", "pattern": "^[0-9a-fA-F]{64}$"})
}

/// Photos named by a report or step.
fn photo_ids() -> Value {
    json!({"type": "array", "maxItems": crate::service::photo_refs::MAX_PHOTOS_PER_STEP, "items": photo_id(), "description": "ids from POST /api/photos"})
}

fn body(schema: Value) -> Value {
    json!({"required": true, "content": {"application/json": {"schema": schema}}})
}

/// The `lon`, `lat` and `crs` query parameters of a point.
fn point_query() -> [Value; 3] {
    [
        query("lon", lon(), true),
        query("lat", lat(), true),
        query("crs", crs(), false),
    ]
}

/// The fields of a worker as a planner enters them; `required` for a new worker's id.
fn worker_fields(new: bool) -> Value {
    let roles: Vec<&str> = WorkerRole::ALL.iter().map(|r| r.as_str()).collect();
    let duties = [DutyStatus::OnDuty.as_str(), DutyStatus::OffDuty.as_str()];
    let mut fields = json!({
        "name": text(MAX_WORKER_NAME_CHARS, Lines::Single, true),
        "phone": nullable(json!({"type": "string", "pattern": format!("^$|{PHONE_PATTERN}"), "description": "a mobile (11 digits) or a landline with its area code; empty for none"})),
        "role": nullable(json!({"type": "string", "enum": roles, "description": "default grid_worker"})),
        "grids": nullable(json!({"type": "array", "maxItems": 1000, "items": digits(15)})),
        "community": nullable(digits(12)),
        "duty": nullable(json!({"type": "string", "enum": duties, "description": "default on_duty"})),
    });
    if new {
        fields["id"] = text(MAX_WORKER_ID_CHARS, Lines::Single, true);
    } else {
        fields["name"] = nullable(text(MAX_WORKER_NAME_CHARS, Lines::Single, true));
    }
    fields
}

/// The filters of a layer list: `bbox`, `code`, `q`, `limit`, `offset`.
fn layer_query() -> Value {
    json!([
        {"name": "bbox", "in": "query", "schema": {"type": "string", "pattern": BBOX_PATTERN}, "example": "109.95,39.80,110.00,39.84", "description": "minLon,minLat,maxLon,maxLat (WGS84): features whose bounding box intersects it"},
        {"name": "code", "in": "query", "schema": {"type": "string", "pattern": "^[0-9]{1,15}$"}, "description": "code prefix: a district (6), street (9), community (12) or grid (15) code; buildings and stations filter by their community"},
        {"name": "q", "in": "query", "schema": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": "\\S"}, "description": "text found literally in a building's id, name or address, or a station's or community's name (other layers: 400)"},
        query("limit", json!({"type": "integer", "minimum": 1, "maximum": super::layers::MAX_LIMIT, "default": super::layers::DEFAULT_LIMIT}), false),
        query("offset", json!({"type": "integer", "minimum": 0, "maximum": u64::MAX, "default": 0}), false)
    ])
}

/// The OpenAPI document; incident categories are those `taxonomy` knows.
pub fn document(taxonomy: &Taxonomy) -> Value {
    let layers: Vec<&str> = Layer::ALL.iter().map(|l| l.as_str()).collect();
    let tile_layers: Vec<&str> = TileLayer::ALL.iter().map(|l| l.as_str()).collect();
    let mut layer_parameters = vec![path("layer", json!({"type": "string", "enum": layers}))];
    if let Value::Array(filters) = layer_query() {
        layer_parameters.extend(filters);
    }
    let categories: Vec<&str> = taxonomy
        .categories()
        .iter()
        .flat_map(|c| [c.name.as_str(), c.en.as_str()])
        .collect();
    let public_categories: Vec<&str> = taxonomy
        .categories()
        .iter()
        .filter(|c| c.public)
        .flat_map(|c| [c.name.as_str(), c.en.as_str()])
        .collect();
    let station_kinds: Vec<&str> = StationKind::ALL.iter().map(|k| k.as_str()).collect();
    let problem = json!({"$ref": "#/components/responses/Problem"});
    let community = digits(12);
    let worker_id = text(MAX_WORKER_ID_CHARS, Lines::Single, true);
    let name = text(MAX_NAME_CHARS, Lines::Single, false);
    let target = json!({"type": "integer", "minimum": TARGET_RANGE.start(), "maximum": TARGET_RANGE.end(), "default": 300});
    let tolerance = json!({"type": "number", "minimum": TOLERANCE_RANGE.start(), "maximum": TOLERANCE_RANGE.end(), "default": 0.1});
    let version = json!({"type": "integer", "minimum": 1});
    let community_list = |min_items: usize| json!({"type": "array", "items": community, "minItems": min_items, "maxItems": MAX_COMMUNITIES, "uniqueItems": true});
    let strings = json!({"type": "array", "items": {"type": "string"}});
    // Every operation takes every field; those it does not use are only type-checked.
    let rebalance_common = json!({
        "communities": nullable(strings.clone()), "community": nullable(json!({"type": "string"})),
        "line": {}, "codes": nullable(strings.clone()), "names": nullable(strings.clone()),
        "code": nullable(json!({"type": "string"})), "name": nullable(json!({"type": "string"})),
        "target": nullable(target.clone()), "tolerance": nullable(tolerance.clone()),
        "commit": {"type": "boolean", "default": false},
        "base_version": nullable(json!({"type": "integer", "minimum": 0, "maximum": u64::MAX}))
    });
    let rebalance_variant = |operation: &str, required: &[&str], properties: Value| {
        let mut all = rebalance_common.clone();
        if let (Some(map), Value::Object(more)) = (all.as_object_mut(), properties) {
            map.extend(more);
            map.insert("operation".into(), json!({"const": operation}));
        }
        let mut required: Vec<&str> = required.to_vec();
        required.push("operation");
        json!({"type": "object", "additionalProperties": false, "required": required, "properties": all})
    };
    let partition_common = json!({
        "target": nullable(target.clone()), "tolerance": nullable(tolerance.clone()),
        "seed": nullable(json!({"type": "integer", "minimum": 0, "maximum": u64::MAX})),
        "dry_run": {"type": "boolean", "default": false},
        "keep_existing": {"type": "boolean", "default": false, "description": "start from the current grids: those within tolerance keep their buildings and codes"}
    });
    // Exactly one scope: the others absent or null (`all` false).
    let partition_variant = |scope: &str| {
        let mut all = partition_common.clone();
        if let Some(map) = all.as_object_mut() {
            map.insert("community".into(), json!({"type": "null"}));
            map.insert("street".into(), json!({"type": "null"}));
            map.insert("all".into(), json!({"const": false}));
            let chosen = match scope {
                "community" => digits(12),
                "street" => digits(9),
                _ => json!({"const": true}),
            };
            map.insert(scope.into(), chosen);
        }
        json!({"type": "object", "additionalProperties": false, "required": [scope], "properties": all})
    };
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "gridmap API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "City grid governance (网格化服务管理): districts, streets, communities, grids, buildings, stations, workers and incidents as GeoJSON (RFC 7946, WGS84 lon/lat). Errors are RFC 7807 problem+json naming the field at fault: 400 for a value the schema refuses, 422 for a well-formed request the data cannot take (a split line that misses the community, a code already taken, a worker that does not exist). Without a token only public layers and attributes are served; internal layers (buildings, workers, incidents) need a dispatcher, planner or admin bearer token (`gridmap token create`). Any operation may also answer 405 (another method), 413 (a body over 16 MiB), 414, 431 or 400 (a request too malformed to route), all problem+json."
        },
        "servers": [{"url": "/"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Problem": {
                    "type": "object",
                    "required": ["type", "title", "status", "detail"],
                    "properties": {
                        "type": {"type": "string"},
                        "title": {"type": "string"},
                        "status": {"type": "integer"},
                        "detail": {"type": "string"},
                        "invalid-params": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}, "reason": {"type": "string"}}}}
                    }
                },
                "FeatureCollection": {
                    "type": "object",
                    "required": ["type", "features"],
                    "properties": {
                        "type": {"const": "FeatureCollection"},
                        "features": {"type": "array", "items": {"type": "object"}},
                        "numberReturned": {"type": "integer"},
                        "links": {"type": "array", "items": {"type": "object", "properties": {"rel": {"type": "string"}, "href": {"type": "string"}}}}
                    }
                }
            },
            "responses": {
                "Problem": {"description": "An RFC 7807 problem", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
            }
        },
        "security": [{}, {"bearer": []}],
        "paths": {
            "/api/health": {"get": {
                "summary": "Store kind, version and row counts per layer",
                "responses": {"200": {"description": "healthy", "content": {"application/json": {"schema": {"type": "object", "required": ["status", "store", "version", "counts"]}}}}, "500": problem}
            }},
            "/api/ready": {"get": {
                "summary": "Readiness: 200 once the store answers",
                "responses": {"200": {"description": "ready", "content": {"application/json": {}}}, "500": problem}
            }},
            "/api/config": {"get": {
                "summary": "What the web app needs first: households per base grid (`target_households`), `tolerance`, the band of households `within_band` (low, high) and the `extent` of the store's data ([minLon, minLat, maxLon, maxLat], null when empty)",
                "responses": {"200": {"description": "the configuration", "content": {"application/json": {"schema": {"type": "object", "required": ["target_households", "tolerance", "within_band", "extent"]}}}}, "500": problem}
            }},
            "/api/{layer}": {"get": {
                "summary": "Features of a layer as GeoJSON, filtered and paginated",
                "description": "Public layers: districts, streets, communities, grids (without household figures), roads, stations, and the walking network (`network`: each edge as walked with its end node ids `from`, `to`, `length_m` and `way`). Internal layers (token of role dispatcher or above): buildings, workers, incidents. Parameters other than these five are refused (400); `q` only on buildings, stations and communities. A `bbox` whose minimum exceeds its maximum is 400 as well (not expressible in the schema).",
                "parameters": layer_parameters,
                "responses": {
                    "200": {"description": "a page of features; `links` has the next page when full", "content": {"application/geo+json": {"schema": {"$ref": "#/components/schemas/FeatureCollection"}}}},
                    "400": problem, "401": problem, "403": problem, "404": problem, "500": problem
                }
            }},
            "/api/partition": {"post": {
                "summary": "Partition a community, a street or all communities into base grids (planner role)",
                "description": "Exactly one of `community` (12 digits), `street` (9 digits) or `all: true`; optional `target`, `tolerance`, `seed`, `dry_run`, `keep_existing`. A dry run writes nothing and returns the grids as GeoJSON under `grids`; a commit replaces the grids of the scope in one transaction and records the run. Past the server's job time limit, or when the client goes away, the job stops and nothing is written (422).",
                "security": [{"bearer": []}],
                "requestBody": body(json!({"oneOf": [
                    partition_variant("community"),
                    partition_variant("street"),
                    partition_variant("all")
                ]})),
                "responses": {"200": {"description": "metrics, `outside_communities` (count and examples of buildings no community holds; `all` partitions the rest) and `without_buildings` (communities that got no grids), and grids for a dry run", "content": {"application/json": {}}}, "400": problem, "401": problem, "403": problem, "404": problem, "409": problem, "422": problem, "500": problem}
            }},
            "/api/rebalance": {"post": {
                "summary": "Preview or commit a split, merge or adjustment of communities and grids (planner role)",
                "description": "operation adjust {communities}, split {community, line (GeoJSON LineString or Polygon, or a Feature of one), codes, names}, merge {communities, code, name}. Without `commit` nothing is written and the preview (moved, code_map, retired, grids, communities, totals, affected_workers, metrics) comes with ETag \"v{base}\". With `commit: true` give `base_version` (or If-Match): a version other than the current one of every touched community is 409. A line that misses the community, codes that do not match the pieces or are taken, communities that are not adjacent: 422 naming the field.",
                "security": [{"bearer": []}],
                "parameters": [{"name": "If-Match", "in": "header", "schema": {"type": "string", "pattern": "^(W/)?\"v[0-9]{1,19}\"$"}, "description": "the plan version previewed against, as its ETag"}],
                "requestBody": body(json!({"oneOf": [
                    rebalance_variant("adjust", &["communities"], json!({"communities": community_list(1)})),
                    rebalance_variant("split", &["community", "line", "codes"], json!({
                        "community": community,
                        "line": {"type": "object", "required": ["type"], "description": "a GeoJSON LineString, MultiLineString, Polygon or MultiPolygon geometry, or a Feature of one"},
                        "codes": community_list(1),
                        "names": nullable(json!({"type": "array", "items": name}))
                    })),
                    rebalance_variant("merge", &["communities"], json!({"communities": community_list(2), "code": nullable(community.clone()), "name": nullable(name.clone())}))
                ]})),
                "responses": {"200": {"description": "the preview (and `version` when committed)", "content": {"application/json": {}}}, "400": problem, "401": problem, "403": problem, "404": problem, "409": problem, "422": problem, "500": problem}
            }},
            "/api/plan/versions": {"get": {"summary": "Plan versions, newest first (planner role)", "security": [{"bearer": []}], "parameters": [query("limit", json!({"type": "integer", "minimum": 1, "maximum": 1000, "default": 50}), false)], "responses": {"200": {"description": "`head` and `versions`", "content": {"application/json": {}}}, "400": problem, "401": problem, "403": problem, "500": problem}}},
            "/api/plan/versions/{version}": {"get": {"summary": "The communities and grids as a version left them", "security": [{"bearer": []}], "parameters": [path("version", version.clone())], "responses": {"200": {"description": "GeoJSON", "content": {"application/json": {}}}, "400": problem, "401": problem, "403": problem, "404": problem, "500": problem}}},
            "/api/plan/versions/{version}/restore": {"post": {"summary": "Restore a version's plan as a new version (planner role; `base_version` or If-Match required: another version than the current one is 409)", "security": [{"bearer": []}], "parameters": [path("version", version.clone()), {"name": "If-Match", "in": "header", "schema": {"type": "string", "pattern": "^(W/)?\"v[0-9]{1,19}\"$"}}], "requestBody": {"required": false, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "properties": {"base_version": nullable(json!({"type": "integer", "minimum": 0, "maximum": u64::MAX}))}}}}}, "responses": {"200": {"description": "the new version", "content": {"application/json": {}}}, "400": problem, "401": problem, "403": problem, "404": problem, "409": problem, "500": problem}}},
            "/api/plan/diff": {"get": {"summary": "Grids added, removed or changed between two versions (planner role)", "security": [{"bearer": []}], "parameters": [query("from", version.clone(), true), query("to", version.clone(), false)], "responses": {"200": {"description": "GeoJSON with `change`", "content": {"application/json": {}}}, "400": problem, "401": problem, "403": problem, "404": problem, "500": problem}}},
            "/api/locate": {"get": {
                "summary": "The grid, community and street holding a point (public)",
                "parameters": point_query(),
                "responses": {"200": {"description": "`inside` false and `null` codes outside every grid and community", "content": {"application/json": {}}}, "400": problem}
            }},
            "/api/dispatch/nearest": {"get": {
                "summary": "The k nearest on-duty workers (dispatcher role): the point's grid workers first, nearest first, then the others by distance (straight, or along the walking network on foot at 72 m a minute or by e-bike at 250 m a minute)",
                "description": "With `mode=walk` or `ebike` a point more than 500 m from every walkable way is 422; workers off the network are left out.",
                "security": [{"bearer": []}],
                "parameters": [point_query()[0], point_query()[1], point_query()[2], query("k", json!({"type": "integer", "minimum": 1, "maximum": 100, "default": 5}), false), query("mode", json!({"type": "string", "enum": ["straight", "walk", "ebike"], "default": "straight"}), false), query("m_per_min", json!({"type": "number", "minimum": 20, "maximum": 600, "description": "speed in metres a minute (default 72 on foot, 250 by e-bike)"}), false)],
                "responses": {"200": {"description": "`grid` and `workers` (id, name, role, distance_m, serves_grid, position, position_at; with walk or ebike also network_m, minutes and route)", "content": {"application/json": {}}}, "400": problem, "401": problem, "403": problem, "422": problem}
            }},
            "/api/workers": {"post": {
                "summary": "Add a worker (planner role): grids by code, or a community whose base grids are given by the rule (grid leaders and community workers all, the others the least served one); recorded with the caller and time",
                "security": [{"bearer": []}],
                "requestBody": body(json!({"type": "object", "additionalProperties": false, "required": ["id", "name"], "properties": worker_fields(true)})),
                "responses": {"201": {"description": "the worker", "content": {"application/json": {}}}, "400": problem, "401": problem, "403": problem, "409": problem, "422": problem, "500": problem}
            }, "get": {
                "summary": "The workers layer (dispatcher role); see `/api/{layer}`",
                "security": [{"bearer": []}],
                "parameters": layer_query(),
                "responses": {"200": {"description": "GeoJSON FeatureCollection of workers (retired ones with `retired_at`)", "content": {"application/geo+json": {}}}, "400": problem, "401": problem, "403": problem}
            }},
            "/api/workers/{id}": {"patch": {
                "summary": "Edit a worker (planner role): only the fields given change; `phone` and `community` may be null to clear; recorded with the caller and time",
                "security": [{"bearer": []}],
                "parameters": [path("id", worker_id.clone())],
                "requestBody": body(json!({"type": "object", "additionalProperties": false, "properties": worker_fields(false)})),
                "responses": {"200": {"description": "the worker as it is now", "content": {"application/json": {}}}, "400": problem, "401": problem, "403": problem, "404": problem, "409": problem, "422": problem, "500": problem}
            }},
            "/api/workers/{id}/retire": {"post": {
                "summary": "Retire a worker (planner role): kept for the record, off duty, serving no grid; 409 if already retired",
                "security": [{"bearer": []}],
                "parameters": [path("id", worker_id.clone())],
                "responses": {"200": {"description": "the retired worker", "content": {"application/json": {}}}, "401": problem, "403": problem, "404": problem, "409": problem, "500": problem}
            }},
            "/api/workers/{id}/history": {"get": {
                "summary": "A worker's recorded changes, newest first (planner role): who, when, what (imported, added, edited, retired), before and after",
                "security": [{"bearer": []}],
                "parameters": [path("id", worker_id.clone()), query("limit", json!({"type": "integer", "minimum": 1, "maximum": super::workers::MAX_HISTORY, "default": 100}), false)],
                "responses": {"200": {"description": "the changes", "content": {"application/json": {}}}, "400": problem, "401": problem, "403": problem, "404": problem, "500": problem}
            }},
            "/api/exports/grid-ledger.xlsx": {"get": {
                "summary": "The grid ledger (网格台账) as an Excel workbook (dispatcher role and up; holds names and phones): a summary sheet per street and community, then per community its grids with households, residents, buildings and workers",
                "security": [{"bearer": []}],
                "responses": {"200": {"description": "the workbook", "content": {(super::exports::XLSX): {}}}, "400": problem, "401": problem, "403": problem, "500": problem}
            }},
            "/api/exports/incident-statistics.xlsx": {"get": {
                "summary": "Incident statistics (事件统计) as an Excel workbook (dispatcher role and up): reported, closed, closure rate, median hours to close and overdue by grid, community, street and worker, for incidents reported in the period",
                "security": [{"bearer": []}],
                "parameters": [query("from", time(), false), query("to", time(), false)],
                "responses": {"200": {"description": "the workbook", "content": {(super::exports::XLSX): {}}}, "400": problem, "401": problem, "403": problem, "500": problem}
            }},
            "/api/workers/{id}/position": {"post": {
                "summary": "Report a worker's position (a worker token for its own worker; dispatchers and up for anyone); nearest answers use it at once, the store has it within 250 ms",
                "security": [{"bearer": []}],
                "parameters": [path("id", json!({"type": "string"}))],
                "requestBody": body(json!({"type": "object", "additionalProperties": false, "required": ["lon", "lat"], "properties": {
                    "lon": lon(), "lat": lat(), "crs": nullable(crs()), "at": nullable(time()), "duty": nullable(json!({"type": "string", "enum": ["on_duty", "off_duty"]}))}})),
                "responses": {"204": {"description": "taken"}, "400": problem, "401": problem, "403": problem, "404": problem}
            }},
            "/api/incidents": {"post": {
                "summary": "Report an incident (worker role and up): located in its grid, given its category's deadline, assigned to the nearest on-duty worker of the grid",
                "description": "Send an `Idempotency-Key` header to make resubmission safe: the same key from the same caller with the same report returns 200 with the first incident and writes nothing; with another report it is 422.",
                "security": [{"bearer": []}],
                "parameters": [{"name": "Idempotency-Key", "in": "header", "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[\\x21-\\x7e]+$"}}],
                "requestBody": body(json!({"type": "object", "additionalProperties": false, "required": ["lon", "lat", "category", "description", "source"], "properties": {
                    "lon": lon(), "lat": lat(), "crs": nullable(crs()),
                    "category": {"type": "string", "enum": categories, "description": "a name (Chinese or English) of /api/incident-categories"},
                    "description": text(MAX_TEXT_CHARS, Lines::Multi, true),
                    "source": {"type": "string", "enum": ["worker", "hotline", "resident"]},
                    "photos": photo_ids()}})),
                "responses": {"201": {"description": "the incident (GeoJSON Feature)", "content": {"application/json": {}}}, "200": {"description": "the first incident of a repeated Idempotency-Key", "content": {"application/json": {}}}, "400": problem, "401": problem, "422": problem, "500": problem}
            }, "get": {
                "summary": "The incidents layer (dispatcher role); see `/api/{layer}`",
                "security": [{"bearer": []}],
                "parameters": layer_query(),
                "responses": {"200": {"description": "a page of incidents", "content": {"application/geo+json": {"schema": {"$ref": "#/components/schemas/FeatureCollection"}}}}, "400": problem, "401": problem, "403": problem, "500": problem}
            }},
            "/api/incidents/{id}": {"get": {
                "summary": "An incident with its steps (who, when, worker, note) (dispatcher role)",
                "security": [{"bearer": []}],
                "parameters": [path("id", json!({"type": "string"}))],
                "responses": {"200": {"description": "GeoJSON Feature; `properties.steps`", "content": {"application/json": {}}}, "401": problem, "403": problem, "404": problem, "500": problem}
            }},
            "/api/public/categories": {"get": {
                "summary": "The incident categories residents may report on the public map (随手拍)",
                "responses": {"200": {"description": "`categories`: name (Chinese) and en", "content": {"application/json": {}}}}
            }},
            "/api/public/reports": {"post": {
                "summary": "A resident's report, without signing in: answered with a tracking code",
                "description": "A public category (see /api/public/categories), a point inside a grid (else 422 naming `lon`), a description and optionally one photo as base64 (a `data:` URL or bare; stripped of its metadata like any photo). Recorded as an incident of source `resident`, assigned like any report. The answer holds the code (12 characters of Crockford base 32 in groups of four, to read out over the phone), the status and times, nothing else. Five reports a client address at once, then one every two minutes (429 with Retry-After).",
                "requestBody": body(json!({"type": "object", "additionalProperties": false, "required": ["lon", "lat", "category", "description"], "properties": {
                    "lon": lon(), "lat": lat(), "crs": nullable(crs()),
                    "category": {"type": "string", "enum": public_categories},
                    "description": text(MAX_TEXT_CHARS, Lines::Multi, true),
                    "photo": nullable(json!({"type": "string", "maxLength": 14_000_000}))}})),
                "responses": {"201": {"description": "`code`, `status`, `reported_at`, `deadline_at`, `status_url`", "content": {"application/json": {}}}, "400": problem, "413": problem, "422": problem, "429": problem, "500": problem}
            }},
            "/api/public/reports/{code}": {"get": {
                "summary": "Where a resident's report stands: status, times of each step, deadline, rating (nothing personal)",
                "description": "The code in any case, with or without dashes or spaces. Twenty lookups a client address at once, then one every three seconds; codes that name no report ten, then one every two minutes (429 with Retry-After).",
                "parameters": [path("code", tracking_code())],
                "responses": {"200": {"description": "`code`, `report`", "content": {"application/json": {}}}, "404": problem, "429": problem, "500": problem}
            }},
            "/api/public/reports/{code}/rating": {"post": {
                "summary": "A resident's satisfaction with a closed report (满意 / 基本满意 / 不满意), once",
                "parameters": [path("code", tracking_code())],
                "requestBody": body(json!({"type": "object", "additionalProperties": false, "required": ["rating"], "properties": {
                    "rating": {"type": "string", "enum": ["satisfied", "basically_satisfied", "dissatisfied", "满意", "基本满意", "不满意"]},
                    "comment": nullable(text(crate::service::public_reports::MAX_COMMENT_CHARS, Lines::Multi, false))}})),
                "responses": {"204": {"description": "rated"}, "400": problem, "404": problem, "409": problem, "429": problem, "500": problem}
            }},
            "/api/patrols": {"post": {
                "summary": "Start a patrol (巡查) (a worker token); 409 while one is under way",
                "security": [{"bearer": []}],
                "responses": {"201": {"description": "the patrol", "content": {"application/json": {}}}, "401": problem, "403": problem, "409": problem, "500": problem}
            }, "get": {
                "summary": "Patrols, newest first, without tracks (dispatcher and up; a worker token its own)",
                "security": [{"bearer": []}],
                "parameters": [
                    query("worker", json!({"type": "string"}), false),
                    query("from", time(), false),
                    query("to", time(), false),
                    query("limit", json!({"type": "integer", "minimum": 1, "maximum": super::patrols::MAX_PATROLS_LISTED}), false)
                ],
                "responses": {"200": {"description": "`patrols`", "content": {"application/json": {}}}, "400": problem, "401": problem, "403": problem, "500": problem}
            }},
            "/api/patrols/{id}": {"get": {
                "summary": "A patrol with its track (a GeoJSON LineString with each fix's time)",
                "security": [{"bearer": []}],
                "parameters": [path("id", json!({"type": "string"}))],
                "responses": {"200": {"description": "the patrol", "content": {"application/json": {}}}, "401": problem, "403": problem, "404": problem, "500": problem}
            }},
            "/api/patrols/{id}/points": {"post": {
                "summary": "Fixes of an open patrol (its worker's token), each with the time the phone took it (late batches from offline phones are fine)",
                "description": "Each `at` must lie between the patrol's start and a minute from now (400 naming `points[i].at`); a stopped patrol is 409; another worker's is 404.",
                "security": [{"bearer": []}],
                "parameters": [path("id", json!({"type": "string"}))],
                "requestBody": body(json!({"type": "object", "additionalProperties": false, "required": ["points"], "properties": {
                    "points": {"type": "array", "maxItems": crate::service::patrols::MAX_FIXES_PER_REQUEST, "items": {"type": "object", "additionalProperties": false, "required": ["lon", "lat"], "properties": {"lon": lon(), "lat": lat(), "at": nullable(time())}}},
                    "crs": nullable(crs())}})),
                "responses": {"204": {"description": "added"}, "400": problem, "401": problem, "403": problem, "404": problem, "409": problem, "500": problem}
            }},
            "/api/patrols/{id}/stop": {"post": {
                "summary": "Stop a patrol: its length (GPS jumps left out), the grids entered and the buildings passed within 20 m",
                "security": [{"bearer": []}],
                "parameters": [path("id", json!({"type": "string"}))],
                "responses": {"200": {"description": "the patrol with what it passed", "content": {"application/json": {}}}, "401": problem, "403": problem, "404": problem, "409": problem, "500": problem}
            }},
            "/api/visits": {"post": {
                "summary": "Record a visit (走访) to a building of the worker's grids, or a household in it (a worker token)",
                "security": [{"bearer": []}],
                "requestBody": body(json!({"type": "object", "additionalProperties": false, "required": ["building", "note"], "properties": {
                    "building": {"type": "string", "minLength": 1, "maxLength": 200},
                    "household": nullable(text(crate::domain::MAX_HOUSEHOLD_CHARS, Lines::Single, false)),
                    "note": text(MAX_TEXT_CHARS, Lines::Multi, true),
                    "photos": photo_ids()}})),
                "responses": {"201": {"description": "the visit", "content": {"application/json": {}}}, "400": problem, "401": problem, "403": problem, "422": problem, "500": problem}
            }, "get": {
                "summary": "Visits, newest first (dispatcher and up; a worker token its own)",
                "security": [{"bearer": []}],
                "parameters": [
                    query("worker", json!({"type": "string"}), false),
                    query("building", json!({"type": "string"}), false),
                    query("from", time(), false),
                    query("to", time(), false),
                    query("limit", json!({"type": "integer", "minimum": 1, "maximum": super::visits::MAX_VISITS_LISTED}), false)
                ],
                "responses": {"200": {"description": "`visits`", "content": {"application/json": {}}}, "400": problem, "401": problem, "403": problem, "500": problem}
            }},
            "/api/photos": {"post": {
                "summary": "Upload a photo for a report or step (worker role and up); never public",
                "description": "The body is the picture: JPEG, PNG or WebP (told by its bytes), at most 10 MB and 12,000 pixels a side, decoded whole. EXIF (with any GPS position), XMP, IPTC, comments and text chunks are stripped; only an orientation tag is kept. The id is the SHA-256 of the stored bytes: 201 when new, 200 when the same picture was stored before. Name the id in `photos` of a report or step.",
                "security": [{"bearer": []}],
                "requestBody": {"required": true, "content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}, "image/png": {"schema": {"type": "string", "format": "binary"}}, "image/webp": {"schema": {"type": "string", "format": "binary"}}}},
                "responses": {"201": {"description": "the photo: id, format, size, url, thumbnail_url", "content": {"application/json": {}}}, "200": {"description": "the same picture, stored before", "content": {"application/json": {}}}, "400": problem, "401": problem, "403": problem, "413": problem, "422": problem, "500": problem}
            }},
            "/api/photos/{id}": {"get": {
                "summary": "A photo without its metadata (dispatcher role and up; a worker for photos it uploaded or of incidents it works on, otherwise 404)",
                "security": [{"bearer": []}],
                "parameters": [path("id", photo_id())],
                "responses": {"200": {"description": "the picture", "content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}}, "401": problem, "403": problem, "404": problem, "500": problem}
            }},
            "/api/photos/{id}/thumbnail": {"get": {
                "summary": "An upright JPEG thumbnail, at most 320 pixels a side (as the photo)",
                "security": [{"bearer": []}],
                "parameters": [path("id", photo_id())],
                "responses": {"200": {"description": "JPEG", "content": {"image/jpeg": {}}}, "401": problem, "403": problem, "404": problem, "500": problem}
            }},
            "/api/incidents/{id}/steps": {"post": {
                "summary": "Move an incident on the closed loop: assign (dispatcher), start, resolve, close (dispatcher), return; a worker token only for incidents assigned to it or open in its grids",
                "description": "reported/returned → assigned → in_progress → resolved → closed; assigned, in_progress and resolved can be returned. Anything else, or a step on a stale state, is 409 and writes nothing. `assign` without `worker` takes the nearest on-duty worker (own grid first); a worker that does not exist is 422.",
                "security": [{"bearer": []}],
                "parameters": [path("id", json!({"type": "string"}))],
                "requestBody": body(json!({"type": "object", "additionalProperties": false, "required": ["action"], "properties": {
                    "action": {"type": "string", "enum": ["assign", "start", "resolve", "close", "return"]}, "worker": nullable(json!({"type": "string"})), "note": nullable(text(MAX_TEXT_CHARS, Lines::Multi, false)),
                    "photos": photo_ids()}})),
                "responses": {"200": {"description": "the incident after the step", "content": {"application/json": {}}}, "400": problem, "401": problem, "403": problem, "404": problem, "409": problem, "422": problem, "500": problem}
            }},
            "/api/me/tasks": {"get": {
                "summary": "A worker's task list (a worker token): open incidents assigned to it, and the other open incidents of its grids, soonest deadline first",
                "security": [{"bearer": []}],
                "responses": {"200": {"description": "`worker`, `grids`, `assigned`, `in_my_grids` (GeoJSON Features with `assignee_name`)", "content": {"application/json": {}}}, "401": problem, "403": problem}
            }},
            "/api/me/buildings": {"get": {
                "summary": "Buildings of the worker's grids near a point (a worker token), nearest first, at most 30: what the phone app offers for a visit",
                "security": [{"bearer": []}],
                "parameters": [query("lon", lon(), true), query("lat", lat(), true), query("crs", crs(), false),
                    query("radius_m", json!({"type": "number", "minimum": 1, "maximum": 1000, "default": 150}), false)],
                "responses": {"200": {"description": "`worker`, `radius_m`, `buildings` (id, name, kind, households, grid, distance_m)", "content": {"application/json": {}}}, "400": problem, "401": problem, "403": problem}
            }},
            "/api/workers/{id}/sign-in-code": {"post": {
                "summary": "A new token for a worker's phone app (planner role), with the link that signs the app in and that link as a QR code (SVG) to print; the token is answered once",
                "security": [{"bearer": []}],
                "parameters": [path("id", json!({"type": "string"}))],
                "responses": {"200": {"description": "`worker`, `name`, `token`, `url`, `svg`", "content": {"application/json": {}}}, "401": problem, "403": problem, "404": problem, "409": problem, "500": problem}
            }},
            "/api/incidents/stream": {"get": {
                "summary": "Server-sent events of incidents as they change (worker role and up)",
                "description": "`event: ready` first, then `event: incident` with the incident (GeoJSON Feature, as /api/incidents/{id} without steps) each time one changes — by any step, here or in another gridmap process on the same database — within a quarter second. A worker token hears of the incidents assigned to its worker or open in its grids; dispatchers and up hear of all. `event: reload` when the follower fell too far behind (reload the list). A comment every 15 s keeps the connection open; on a new connection, reload first.",
                "security": [{"bearer": []}],
                "responses": {"200": {"description": "text/event-stream", "content": {"text/event-stream": {}}}, "401": problem, "403": problem}
            }},
            "/api/incidents/queue": {"get": {
                "summary": "The dispatcher's incident list (dispatcher role): filtered, soonest deadline first, with names and counts per status",
                "description": "Every filter is optional. `total` counts the incidents passing every filter; `per_status` counts, per status, those passing every filter but the status (for tabs); `overdue` counts the overdue among the total. Incidents are GeoJSON Features with `assignee_name` and `community_name`.",
                "security": [{"bearer": []}],
                "parameters": [
                    query("status", json!({"type": "string", "pattern": "^(open|((reported|assigned|in_progress|resolved|closed|returned)(,(reported|assigned|in_progress|resolved|closed|returned))*))?$"}), false),
                    query("overdue", json!({"type": "boolean", "default": false}), false),
                    query("category", json!({"type": "string", "enum": categories}), false),
                    query("area", json!({"type": "string", "pattern": "^[0-9]{0,15}$"}), false),
                    query("source", json!({"type": "string", "enum": ["worker", "hotline", "resident"]}), false),
                    query("q", json!({"type": "string", "maxLength": 64}), false),
                    query("limit", json!({"type": "integer", "minimum": 1, "maximum": 500, "default": 100}), false),
                    query("offset", json!({"type": "integer", "minimum": 0, "maximum": u64::MAX, "default": 0}), false)
                ],
                "responses": {"200": {"description": "`at`, `total`, `offset`, `per_status`, `overdue`, `incidents`", "content": {"application/json": {}}}, "400": problem, "401": problem, "403": problem}
            }},
            "/api/incidents/overdue": {"get": {"summary": "Open incidents past their deadline, most overdue first (dispatcher role)", "security": [{"bearer": []}], "responses": {"200": {"description": "FeatureCollection", "content": {"application/json": {}}}, "401": problem, "403": problem}}},
            "/api/incidents/stats": {"get": {
                "summary": "Reported, closed, closure rate, median hours to close and overdue per grid, community or street (dispatcher role)",
                "security": [{"bearer": []}],
                "parameters": [
                    query("by", json!({"type": "string", "enum": ["grid", "community", "street"], "default": "community"}), false),
                    query("from", time(), false),
                    query("to", time(), false)
                ],
                "responses": {"200": {"description": "`areas`", "content": {"application/json": {}}}, "400": problem, "401": problem, "403": problem}
            }},
            "/api/dashboard": {"get": {
                "summary": "The leaders' evaluation (考核, dispatcher role and up): each district, street, community, grid or worker with its figures for incidents reported in the period",
                "description": "Per unit: reported, closed, closure rate, on-time rate (closed by the deadline, of those closed or open past their deadline now; deadlines in 工作时/工作日 follow the work calendar), median hours to close, overdue now, returned share, residents' ratings and satisfaction rate, base grids, grids without a grid worker, patrol coverage (base grids entered by a patrol started in the period), workers, residents and workers per 10,000 residents (areas only; the norm is 18). `total` is the whole area's. A worker's figures are of the incidents assigned to it. `to` not after `from` is 400. The period defaults to the last 30 days.",
                "security": [{"bearer": []}],
                "parameters": [
                    query("from", time(), false),
                    query("to", time(), false),
                    query("level", json!({"type": "string", "enum": ["district", "street", "community", "grid", "worker"], "default": "community"}), false),
                    query("within", json!({"type": "string", "pattern": "^([0-9]{6}|[0-9]{9}|[0-9]{12}|[0-9]{15})$", "description": "only units inside this area code"}), false)
                ],
                "responses": {"200": {"description": "`rows` and `total`", "content": {"application/json": {}}}, "400": problem, "401": problem, "403": problem, "500": problem}
            }},
            "/api/dashboard/trend": {"get": {
                "summary": "The evaluation's incident figures per day, week (from Monday) or month in the work calendar's time zone, for an area code, a worker id or everything (dispatcher role and up)",
                "description": "At most 731 periods; more is 400 naming `step`.",
                "security": [{"bearer": []}],
                "parameters": [
                    query("from", time(), false),
                    query("to", time(), false),
                    query("step", json!({"type": "string", "enum": ["day", "week", "month"], "default": "day"}), false),
                    query("unit", json!({"type": "string", "minLength": 1, "maxLength": super::dashboard::MAX_UNIT_CHARS}), false)
                ],
                "responses": {"200": {"description": "`points`", "content": {"application/json": {}}}, "400": problem, "401": problem, "403": problem}
            }},
            "/api/dashboard/export.xlsx": {"get": {
                "summary": "The evaluation table and its trend as an Excel workbook (考核统计.xlsx, dispatcher role and up)",
                "security": [{"bearer": []}],
                "parameters": [
                    query("from", time(), false),
                    query("to", time(), false),
                    query("level", json!({"type": "string", "enum": ["district", "street", "community", "grid", "worker"], "default": "community"}), false),
                    query("within", json!({"type": "string", "pattern": "^([0-9]{6}|[0-9]{9}|[0-9]{12}|[0-9]{15})$"}), false),
                    query("step", json!({"type": "string", "enum": ["day", "week", "month"], "default": "day"}), false),
                    query("unit", json!({"type": "string", "minLength": 1, "maxLength": super::dashboard::MAX_UNIT_CHARS}), false)
                ],
                "responses": {"200": {"description": "the workbook", "content": {(super::exports::XLSX): {}}}, "400": problem, "401": problem, "403": problem, "500": problem}
            }},
            "/api/incidents/h3": {"get": {
                "summary": "Incidents per H3 cell",
                "description": "Staff (dispatcher and up): any resolution 5–12, every cell. The public: resolution 8 or coarser (default 8; finer is 400), whole UTC days (`from` rounded down, `to` up to midnight), and only cells of at least 5 reports, so that no count singles out a report.",
                "parameters": [
                    query("resolution", json!({"type": "integer", "minimum": 5, "maximum": 12, "default": 9}), false),
                    query("from", time(), false),
                    query("to", time(), false)
                ],
                "responses": {"200": {"description": "`cells`: H3 index → count", "content": {"application/json": {}}}, "400": problem}
            }},
            "/api/stations/nearest": {"get": {
                "summary": "The nearest service stations and red outposts (public), with distance and walking minutes",
                "parameters": [point_query()[0], point_query()[1], point_query()[2],
                    query("k", json!({"type": "integer", "minimum": 1, "maximum": 100, "default": 3}), false),
                    query("kind", json!({"type": "string", "enum": station_kinds}), false),
                    query("mode", json!({"type": "string", "enum": ["straight", "walk"], "default": "straight", "description": "walk: nearest along the walking network, each with walking_m, walking_min and route"}), false),
                    query("m_per_min", json!({"type": "number", "minimum": 20, "maximum": 600, "description": "walking speed in metres a minute for the minutes (default 72)"}), false)
                ],
                "responses": {"200": {"description": "FeatureCollection with distance_m and walk_min (and walking_m, walking_min, route with mode=walk)", "content": {"application/json": {}}}, "400": problem, "422": problem}
            }},
            "/api/walk/area": {"get": {
                "summary": "The area within a walk of a point or a station (public): along the walking network at 72 m a minute, as a GeoJSON Feature (MultiPolygon with holes where nothing is reached)",
                "description": "Give either `station` or `lon` and `lat` (400 otherwise; not expressible in the schema). A point more than 500 m from every walkable way (without passing a wall) is 422.",
                "parameters": [
                    query("lon", lon(), false),
                    query("lat", lat(), false),
                    query("crs", crs(), false),
                    query("station", json!({"type": "string", "minLength": 1}), false),
                    query("minutes", json!({"type": "integer", "minimum": 1, "maximum": 60, "default": 15}), false),
                    query("m_per_min", json!({"type": "number", "minimum": 20, "maximum": 600, "description": "speed in metres a minute (default 72 on foot, 250 by e-bike)"}), false)
                ],
                "responses": {"200": {"description": "Feature with minutes, metres and walk_m_per_min", "content": {"application/json": {}}}, "400": problem, "404": problem, "422": problem}
            }},
            "/api/coverage": {"get": {
                "summary": "Life-circle coverage (dispatcher role and up): for each area of a level, the households and residents within each tier's walk of a station of each kind, beside the straight-line figures (the official indicator)",
                "description": "Walks along the walking network from a point inside each building to the station (both snapped onto it); straight lines between the same points. `total` is every building in scope, assigned to an area or not. Stations off the network and buildings with no walkable way within 500 m are counted apart.",
                "security": [{"bearer": []}],
                "parameters": [
                    query("level", json!({"type": "string", "enum": ["district", "street", "community", "grid"], "default": "community"}), false),
                    query("tiers", json!({"type": "string", "pattern": "^[0-9]{1,4}(,[0-9]{1,4}){0,7}$", "default": "300,500,1000", "description": "walks in metres, 1..=5000 each"}), false),
                    query("kinds", json!({"type": "string", "pattern": "^(service_centre|service_station|red_outpost|rider_rest_station)(,(service_centre|service_station|red_outpost|rider_rest_station))*$", "description": "station kinds; every kind when absent"}), false),
                    query("within", json!({"type": "string", "pattern": "^([0-9]{6}|[0-9]{9}|[0-9]{12}|[0-9]{15})$", "description": "only areas inside this area code"}), false)
                ],
                "responses": {"200": {"description": "`areas` and `total`, each with `kinds[].tiers[]` (walk_households, walk_residents, straight_households, straight_residents, walk_share, straight_share), `stations_off_network`, `buildings_off_network`", "content": {"application/json": {}}}, "400": problem, "401": problem, "403": problem}
            }},
            "/api/coverage/buildings": {"get": {
                "summary": "Buildings with households and their catchment station of a kind (dispatcher role and up): GeoJSON points, uncovered ones by default",
                "description": "Each building's nearest station of the kind on foot within `within_m`, the walk, and the straight line to the nearest station. `truncated` when more matched than `limit`.",
                "security": [{"bearer": []}],
                "parameters": [
                    query("kind", json!({"type": "string", "enum": ["service_centre", "service_station", "red_outpost", "rider_rest_station"]}), true),
                    query("within_m", json!({"type": "integer", "minimum": 1, "maximum": 5000, "default": 1000}), false),
                    query("covered", json!({"type": "string", "enum": ["no", "yes", "all"], "default": "no"}), false),
                    {"name": "bbox", "in": "query", "schema": {"type": "string", "pattern": BBOX_PATTERN}, "example": "109.95,39.80,110.00,39.84"},
                    query("limit", json!({"type": "integer", "minimum": 1, "maximum": 20000, "default": 5000}), false)
                ],
                "responses": {"200": {"description": "FeatureCollection: building, households, residents, station, walking_m, straight_m, covered", "content": {"application/json": {}}}, "400": problem, "401": problem, "403": problem}
            }},
            "/api/coverage/suggestions": {"post": {
                "summary": "New-site suggestions (planner role): where k new stations of a kind would bring the most uncovered households within a walk (maximal covering location, existing stations kept)",
                "description": "Candidates: buildings of some kinds, land areas of some classes, network nodes at most one per square of `spacing_m`, or given GeoJSON points (label from `name`); only those within the walk of the uncovered households' box are weighed. Greedy choice improved by swaps; `gap_at_most` bounds the distance from the best choice (Lagrangian relaxation); `exact` is the proven optimum when the programme is small enough to solve within 10 s. More than 20,000 candidates, or k above the candidates on the network, is 400 naming the field.",
                "security": [{"bearer": []}],
                "parameters": [query("format", json!({"type": "string", "enum": ["json", "geojson", "xlsx"], "default": "json"}), false)],
                "requestBody": body(json!({
                    "type": "object",
                    "required": ["kind", "within_m", "k", "candidates"],
                    "additionalProperties": false,
                    "properties": {
                        "kind": {"type": "string", "enum": ["service_centre", "service_station", "red_outpost", "rider_rest_station"]},
                        "within_m": {"type": "integer", "minimum": 1, "maximum": 5000},
                        "k": {"type": "integer", "minimum": 1, "maximum": 100},
                        "within": nullable(json!({"type": "string", "pattern": "^([0-9]{6}|[0-9]{9}|[0-9]{12}|[0-9]{15})$"})),
                        "candidates": site_candidates()
                    }
                })),
                "responses": {"200": {"description": "json: households, covered_before, covered_after, share_before, share_after, sites (GeoJSON: rank, label, adds_households, adds_residents, reaches_households), upper_bound_households, gap_at_most, exact, exact_skipped; geojson: the sites; xlsx: 选址建议.xlsx", "content": {"application/json": {}, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}}, "400": problem, "401": problem, "403": problem, "413": problem}
            }},
            "/api/walk/network": {"get": {
                "summary": "What the walking network is made of and what to fix (dispatcher role and up): nodes, edges, length, the largest piece's share, pieces apart (with some ways), sealed compounds (closed walls with paths inside and no gate), stations off the network or on a piece apart",
                "security": [{"bearer": []}],
                "responses": {"200": {"description": "the report", "content": {"application/json": {}}}, "400": problem, "401": problem, "403": problem}
            }},
            "/api/bbox": {"get": {
                "summary": "Keys of the features of each layer in a box, from the in-memory engine (buildings and open incidents for dispatchers and up)",
                "description": "A box whose minimum exceeds its maximum is 400 (not expressible in the schema).",
                "parameters": [{"name": "bbox", "in": "query", "required": true, "schema": {"type": "string", "pattern": BBOX_PATTERN}, "example": "109.95,39.80,110.00,39.84"}],
                "responses": {"200": {"description": "communities, grids, stations (, buildings, open_incidents)", "content": {"application/json": {}}}, "400": problem}
            }},
            "/api/incident-categories": {"get": {"summary": "The incident taxonomy with deadlines (public)", "responses": {"200": {"description": "`categories`", "content": {"application/json": {}}}}}},
            "/api/staffing": {"get": {
                "summary": "Grids without a grid worker, communities below the worker ratio, grids far above the household target (dispatcher role)",
                "security": [{"bearer": []}],
                "parameters": [
                    query("ratio", json!({"type": "number", "exclusiveMinimum": 0, "default": 18, "description": "community workers per 10,000 residents"}), false),
                    query("target", json!({"type": "integer", "minimum": 1, "maximum": u32::MAX, "default": 300}), false)
                ],
                "responses": {"200": {"description": "the findings", "content": {"application/json": {}}}, "400": problem, "401": problem, "403": problem}
            }},
            "/tiles/{layer}/{z}/{x}/{y}.mvt": {"get": {
                "summary": "A Mapbox Vector Tile 2.1 (extent 4096) of a layer: basemap, communities and stations are public; grids, buildings, incidents and workers need a dispatcher's token. Cached until the data under it changes; ETag/If-None-Match → 304; gzip when accepted",
                "description": "x and y must be below 2^z (400 otherwise; not expressible in the schema).",
                "parameters": [
                    path("layer", json!({"type": "string", "enum": tile_layers})),
                    path("z", json!({"type": "integer", "minimum": 0, "maximum": MAX_ZOOM})),
                    path("x", json!({"type": "integer", "minimum": 0, "maximum": u32::MAX})),
                    {"name": "y", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 0, "maximum": u32::MAX}, "description": "the file name is `{y}.mvt`"}
                ],
                "responses": {"200": {"description": "the tile (empty when nothing is in it)", "content": {"application/vnd.mapbox-vector-tile": {}}}, "304": {"description": "unchanged"}, "400": problem, "401": problem, "403": problem, "404": problem}
            }},
            "/tiles/{layer}.json": {"get": {
                "summary": "TileJSON 3.0 of a layer (its fields, zooms and bounds)",
                "parameters": [path("layer", json!({"type": "string", "enum": tile_layers}))],
                "responses": {"200": {"description": "TileJSON", "content": {"application/json": {}}}, "401": problem, "403": problem, "404": problem}
            }},
            "/api/me": {"get": {"summary": "Who the caller is: `signed_in`, `role`, `label`, `worker`, and `token` (none, valid, or refused: unknown or revoked, answered as to the public)", "responses": {"200": {"description": "the caller", "content": {"application/json": {"schema": {"type": "object", "required": ["signed_in", "role", "token"]}}}}}}},
            "/api/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {}}}}}},
            "/metrics": {"get": {"summary": "Prometheus metrics (request counts and latencies per route)", "responses": {"200": {"description": "text exposition format", "content": {"text/plain": {}}}}}}
        }
    })
}
