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
            "/api/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3.1"}}}},
            "/metrics": {"get": {"summary": "Prometheus metrics", "responses": {"200": {"description": "text exposition format", "content": {"text/plain": {}}}}}}
        }
    })
}
