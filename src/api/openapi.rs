//! The OpenAPI 3.1 description of the API, served at `/api/openapi.json`.

use crate::features::Layer;
use axum::Json;
use serde_json::{Value, json};

/// `GET /api/openapi.json`.
pub async fn openapi() -> Json<Value> {
    Json(document())
}

/// The OpenAPI document.
pub fn document() -> Value {
    let layers: Vec<&str> = Layer::ALL.iter().map(|l| l.as_str()).collect();
    let problem = json!({"$ref": "#/components/responses/Problem"});
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "gridmap API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "City grid governance (网格化服务管理): districts, streets, communities, grids, buildings, stations, workers and incidents as GeoJSON (RFC 7946, WGS84 lon/lat). Errors are RFC 7807 problem+json naming the field at fault. Without a token only public layers and attributes are served; internal layers (buildings, workers, incidents) need a dispatcher, planner or admin bearer token (`gridmap token create`)."
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
                "responses": {"200": {"description": "healthy", "content": {"application/json": {}}}, "500": problem}
            }},
            "/api/ready": {"get": {
                "summary": "Readiness: 200 once the store answers",
                "responses": {"200": {"description": "ready"}, "500": problem}
            }},
            "/api/config": {"get": {
                "summary": "What the web app needs first: households per base grid (`target_households`), `tolerance`, the band of households `within_band` (low, high) and the `extent` of the store's data ([minLon, minLat, maxLon, maxLat], null when empty)",
                "responses": {"200": {"description": "the configuration", "content": {"application/json": {}}}}
            }},
            "/api/{layer}": {"get": {
                "summary": "Features of a layer as GeoJSON, filtered and paginated",
                "description": "Public layers: districts, streets, communities, grids (without household figures), roads, stations. Internal layers (token of role dispatcher or above): buildings, workers, incidents.",
                "parameters": [
                    {"name": "layer", "in": "path", "required": true, "schema": {"type": "string", "enum": layers}},
                    {"name": "bbox", "in": "query", "schema": {"type": "string"}, "example": "109.95,39.80,110.00,39.84", "description": "minLon,minLat,maxLon,maxLat (WGS84): features whose bounding box intersects it"},
                    {"name": "code", "in": "query", "schema": {"type": "string", "pattern": "^[0-9]{1,15}$"}, "description": "code prefix: a district (6), street (9), community (12) or grid (15) code; buildings and stations filter by their community"},
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": super::layers::MAX_LIMIT, "default": super::layers::DEFAULT_LIMIT}},
                    {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}}
                ],
                "responses": {
                    "200": {"description": "a page of features; `links` has the next page when full", "content": {"application/geo+json": {"schema": {"$ref": "#/components/schemas/FeatureCollection"}}}},
                    "400": problem, "401": problem, "403": problem, "404": problem
                }
            }},
            "/api/partition": {"post": {
                "summary": "Partition a community, a street or all communities into base grids (planner role)",
                "description": "Body: exactly one of `community` (12 digits), `street` (9 digits) or `all: true`; optional `target` (households per grid, default 300), `tolerance` (default 0.1), `seed`, `dry_run`. A dry run writes nothing and returns the grids as GeoJSON under `grids`; a commit replaces the grids of the scope in one transaction and records the run.",
                "security": [{"bearer": []}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "properties": {
                    "community": {"type": "string", "pattern": "^[0-9]{12}$"}, "street": {"type": "string", "pattern": "^[0-9]{9}$"}, "all": {"type": "boolean"},
                    "target": {"type": "integer", "minimum": 1}, "tolerance": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1}, "seed": {"type": "integer"}, "dry_run": {"type": "boolean"}, "keep_existing": {"type": "boolean", "description": "start from the current grids: those within tolerance keep their buildings and codes"}}}}}},
                "responses": {"200": {"description": "metrics (and grids for a dry run)", "content": {"application/json": {}}}, "400": problem, "401": problem, "403": problem, "404": problem, "422": problem}
            }},
            "/api/rebalance": {"post": {
                "summary": "Preview or commit a split, merge or adjustment of communities and grids (planner role)",
                "description": "operation adjust {communities}, split {community, line (GeoJSON LineString or Polygon), codes, names}, merge {communities, code, name}. Without `commit` nothing is written and the preview (moved, code_map, retired, grids, communities, totals, affected_workers, metrics) comes with ETag \"v{base}\". With `commit: true` give `base_version` (or If-Match): a community changed since is 409.",
                "security": [{"bearer": []}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["operation"], "properties": {
                    "operation": {"type": "string", "enum": ["adjust", "split", "merge"]}, "communities": {"type": "array", "items": {"type": "string"}}, "community": {"type": "string"},
                    "line": {"type": "object", "description": "GeoJSON geometry or Feature"}, "codes": {"type": "array", "items": {"type": "string"}}, "names": {"type": "array", "items": {"type": "string"}},
                    "code": {"type": "string"}, "name": {"type": "string"}, "target": {"type": "integer"}, "tolerance": {"type": "number"}, "commit": {"type": "boolean"}, "base_version": {"type": "integer"}}}}}},
                "responses": {"200": {"description": "the preview (and `version` when committed)"}, "400": problem, "401": problem, "403": problem, "404": problem, "409": problem, "422": problem}
            }},
            "/api/plan/versions": {"get": {"summary": "Plan versions, newest first (planner role)", "security": [{"bearer": []}], "responses": {"200": {"description": "`head` and `versions`"}, "401": problem, "403": problem}}},
            "/api/plan/versions/{version}": {"get": {"summary": "The communities and grids as a version left them", "security": [{"bearer": []}], "parameters": [{"name": "version", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 1}}], "responses": {"200": {"description": "GeoJSON"}, "400": problem, "401": problem, "403": problem, "404": problem}}},
            "/api/plan/versions/{version}/restore": {"post": {"summary": "Restore a version's plan as a new version (base_version or If-Match required)", "security": [{"bearer": []}], "parameters": [{"name": "version", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 1}}], "responses": {"200": {"description": "the new version"}, "400": problem, "401": problem, "403": problem, "404": problem, "409": problem}}},
            "/api/plan/diff": {"get": {"summary": "Grids added, removed or changed between two versions", "security": [{"bearer": []}], "parameters": [{"name": "from", "in": "query", "required": true, "schema": {"type": "integer"}}, {"name": "to", "in": "query", "schema": {"type": "integer"}}], "responses": {"200": {"description": "GeoJSON with `change`"}, "400": problem, "401": problem, "403": problem}}},
            "/api/locate": {"get": {
                "summary": "The grid, community and street holding a point (public)",
                "parameters": [
                    {"name": "lon", "in": "query", "required": true, "schema": {"type": "number", "minimum": -180, "maximum": 180}},
                    {"name": "lat", "in": "query", "required": true, "schema": {"type": "number", "minimum": -90, "maximum": 90}},
                    {"name": "crs", "in": "query", "schema": {"type": "string", "enum": ["wgs84", "cgcs2000", "gcj02", "bd09"], "default": "wgs84"}}
                ],
                "responses": {"200": {"description": "`inside` false and `null` codes outside every grid and community", "content": {"application/json": {}}}, "400": problem}
            }},
            "/api/dispatch/nearest": {"get": {
                "summary": "The k nearest on-duty workers (dispatcher role): the point's grid workers first, nearest first, then the others by distance",
                "security": [{"bearer": []}],
                "parameters": [
                    {"name": "lon", "in": "query", "required": true, "schema": {"type": "number"}},
                    {"name": "lat", "in": "query", "required": true, "schema": {"type": "number"}},
                    {"name": "k", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 5}},
                    {"name": "crs", "in": "query", "schema": {"type": "string", "enum": ["wgs84", "cgcs2000", "gcj02", "bd09"]}}
                ],
                "responses": {"200": {"description": "`grid` and `workers` (id, name, role, distance_m, serves_grid, position, position_at)", "content": {"application/json": {}}}, "400": problem, "401": problem, "403": problem}
            }},
            "/api/workers/{id}/position": {"post": {
                "summary": "Report a worker's position (worker role and up); nearest answers use it at once, the store has it within 250 ms",
                "security": [{"bearer": []}],
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["lon", "lat"], "properties": {
                    "lon": {"type": "number"}, "lat": {"type": "number"}, "crs": {"type": "string"}, "at": {"type": "string", "format": "date-time"}, "duty": {"type": "string", "enum": ["on_duty", "off_duty"]}}}}}},
                "responses": {"204": {"description": "taken"}, "400": problem, "401": problem, "404": problem}
            }},
            "/api/incidents": {"post": {
                "summary": "Report an incident (worker role and up): located in its grid, given its category's deadline, assigned to the nearest on-duty worker of the grid",
                "description": "Send an `Idempotency-Key` header to make resubmission safe: a repeated key returns 200 with the first incident and writes nothing.",
                "security": [{"bearer": []}],
                "parameters": [{"name": "Idempotency-Key", "in": "header", "schema": {"type": "string", "maxLength": 200}}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["lon", "lat", "category", "description", "source"], "properties": {
                    "lon": {"type": "number"}, "lat": {"type": "number"}, "crs": {"type": "string"}, "category": {"type": "string", "description": "see /api/incident-categories"}, "description": {"type": "string", "minLength": 1, "maxLength": 2000}, "source": {"type": "string", "enum": ["worker", "hotline", "resident"]}}}}}},
                "responses": {"201": {"description": "the incident (GeoJSON Feature)"}, "200": {"description": "the first incident of a repeated Idempotency-Key"}, "400": problem, "401": problem}
            }},
            "/api/incidents/{id}": {"get": {
                "summary": "An incident with its steps (who, when, worker, note) (dispatcher role)",
                "security": [{"bearer": []}],
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "GeoJSON Feature; `properties.steps`"}, "401": problem, "403": problem, "404": problem}
            }},
            "/api/incidents/{id}/steps": {"post": {
                "summary": "Move an incident on the closed loop: assign (dispatcher), start, resolve, close (dispatcher), return",
                "description": "reported/returned → assigned → in_progress → resolved → closed; assigned, in_progress and resolved can be returned. Anything else, or a step on a stale state, is 409 and writes nothing. `assign` without `worker` takes the nearest on-duty worker (own grid first).",
                "security": [{"bearer": []}],
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["action"], "properties": {
                    "action": {"type": "string", "enum": ["assign", "start", "resolve", "close", "return"]}, "worker": {"type": "string"}, "note": {"type": "string", "maxLength": 2000}}}}}},
                "responses": {"200": {"description": "the incident after the step"}, "400": problem, "401": problem, "403": problem, "404": problem, "409": problem}
            }},
            "/api/incidents/overdue": {"get": {"summary": "Open incidents past their deadline, most overdue first (dispatcher role)", "security": [{"bearer": []}], "responses": {"200": {"description": "FeatureCollection"}, "401": problem, "403": problem}}},
            "/api/incidents/stats": {"get": {
                "summary": "Reported, closed, closure rate, median hours to close and overdue per grid, community or street (dispatcher role)",
                "security": [{"bearer": []}],
                "parameters": [
                    {"name": "by", "in": "query", "schema": {"type": "string", "enum": ["grid", "community", "street"], "default": "community"}},
                    {"name": "from", "in": "query", "schema": {"type": "string", "format": "date-time"}},
                    {"name": "to", "in": "query", "schema": {"type": "string", "format": "date-time"}}
                ],
                "responses": {"200": {"description": "`areas`"}, "400": problem, "401": problem, "403": problem}
            }},
            "/api/incidents/h3": {"get": {
                "summary": "Incidents per H3 cell",
                "description": "Staff (dispatcher and up): any resolution 5–12, every cell. The public: resolution 8 or coarser (default 8), whole UTC days (`from` rounded down, `to` up to midnight), and only cells of at least 5 reports, so that no count singles out a report.",
                "parameters": [
                    {"name": "resolution", "in": "query", "schema": {"type": "integer", "minimum": 5, "maximum": 12, "default": 9}, "description": "the public: at most 8 (default 8)"},
                    {"name": "from", "in": "query", "schema": {"type": "string", "format": "date-time"}},
                    {"name": "to", "in": "query", "schema": {"type": "string", "format": "date-time"}}
                ],
                "responses": {"200": {"description": "`cells`: H3 index → count"}, "400": problem}
            }},
            "/api/stations/nearest": {"get": {
                "summary": "The nearest service stations and red outposts (public), with distance and walking minutes",
                "parameters": [
                    {"name": "lon", "in": "query", "required": true, "schema": {"type": "number"}},
                    {"name": "lat", "in": "query", "required": true, "schema": {"type": "number"}},
                    {"name": "k", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 3}},
                    {"name": "kind", "in": "query", "schema": {"type": "string"}},
                    {"name": "crs", "in": "query", "schema": {"type": "string", "enum": ["wgs84", "cgcs2000", "gcj02", "bd09"]}}
                ],
                "responses": {"200": {"description": "FeatureCollection with distance_m and walk_min"}, "400": problem}
            }},
            "/api/bbox": {"get": {
                "summary": "Keys of the features of each layer in a box, from the in-memory engine (buildings and open incidents for dispatchers and up)",
                "parameters": [{"name": "bbox", "in": "query", "required": true, "schema": {"type": "string"}, "example": "109.95,39.80,110.00,39.84"}],
                "responses": {"200": {"description": "communities, grids, stations (, buildings, open_incidents)"}, "400": problem}
            }},
            "/api/incident-categories": {"get": {"summary": "The incident taxonomy with deadlines (public)", "responses": {"200": {"description": "`categories`"}}}},
            "/api/staffing": {"get": {
                "summary": "Grids without a grid worker, communities below the worker ratio, grids far above the household target (dispatcher role)",
                "security": [{"bearer": []}],
                "parameters": [
                    {"name": "ratio", "in": "query", "schema": {"type": "number", "default": 18}, "description": "community workers per 10,000 residents"},
                    {"name": "target", "in": "query", "schema": {"type": "integer", "default": 300}}
                ],
                "responses": {"200": {"description": "the findings"}, "400": problem, "401": problem, "403": problem}
            }},
            "/tiles/{layer}/{z}/{x}/{y}.mvt": {"get": {
                "summary": "A Mapbox Vector Tile 2.1 (extent 4096) of a layer: basemap, communities and stations are public; grids, buildings, incidents and workers need a dispatcher's token. Cached until the data under it changes; ETag/If-None-Match → 304; gzip when accepted",
                "parameters": [
                    {"name": "layer", "in": "path", "required": true, "schema": {"type": "string", "enum": ["basemap", "communities", "stations", "grids", "buildings", "incidents", "workers"]}},
                    {"name": "z", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 0, "maximum": 22}},
                    {"name": "x", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 0}},
                    {"name": "y", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 0}, "description": "the file name is `{y}.mvt`"}
                ],
                "responses": {"200": {"description": "the tile (empty when nothing is in it)", "content": {"application/vnd.mapbox-vector-tile": {}}}, "304": {"description": "unchanged"}, "400": problem, "401": problem, "403": problem, "404": problem}
            }},
            "/tiles/{layer}.json": {"get": {
                "summary": "TileJSON 3.0 of a layer (its fields, zooms and bounds)",
                "parameters": [{"name": "layer", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "TileJSON"}, "401": problem, "404": problem}
            }},
            "/api/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3.1"}}}},
            "/metrics": {"get": {"summary": "Prometheus metrics", "responses": {"200": {"description": "text exposition format", "content": {"text/plain": {}}}}}}
        }
    })
}
