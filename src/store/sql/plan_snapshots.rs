//! What a plan version records: the version row and each community's and grid's snapshot
//! as JSON, written and read back.

use crate::domain::*;
use crate::store::schema::{Dialect, SqlValue, Statement};
use std::sync::Arc;

/// What a plan version records.
pub(super) struct PlanRecord<'a> {
    pub version: u64,
    pub author: &'a str,
    pub summary: &'a str,
    pub operation: &'a serde_json::Value,
    pub retired: &'a [CommunityCode],
    pub communities: &'a [Community],
    pub grids: &'a [GridSnapshot],
}

/// The statements recording a plan version and its snapshot.
pub(super) fn plan_statements(dialect: Dialect, r: &PlanRecord<'_>) -> Vec<Statement> {
    let text = |v: String| SqlValue::Text(Some(v));
    let int = |v: u64| SqlValue::Int(Some(i64::try_from(v).unwrap_or(i64::MAX)));
    let mut codes: Vec<String> = r
        .retired
        .iter()
        .chain(r.communities.iter().map(|c| &c.code))
        .map(|c| c.to_string())
        .collect();
    codes.sort();
    codes.dedup();
    let created = match dialect {
        Dialect::GeoPackage => "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
        Dialect::Postgis => "now()",
    };
    let mut out = vec![Statement::new(
        Arc::from(format!(
            "INSERT INTO plan_versions (version, author, created_at, summary, operation, communities) VALUES ($1, $2, {created}, $3, $4, $5)"
        )),
        vec![
            int(r.version),
            text(r.author.to_string()),
            text(r.summary.to_string()),
            text(r.operation.to_string()),
            text(serde_json::to_string(&codes).unwrap_or_default()),
        ],
    )];
    let community_sql: Arc<str> = Arc::from(
        "INSERT INTO plan_communities (version, code, retired, data) VALUES ($1, $2, $3, $4)",
    );
    for c in r.retired {
        out.push(Statement::new(
            community_sql.clone(),
            vec![
                int(r.version),
                text(c.to_string()),
                int(1),
                text("{}".into()),
            ],
        ));
    }
    for c in r.communities {
        let data = serde_json::json!({
            "name": c.name,
            "geometry": geojson::Geometry::new(geojson::Value::from(&c.boundary)),
        });
        out.push(Statement::new(
            community_sql.clone(),
            vec![
                int(r.version),
                text(c.code.to_string()),
                int(0),
                text(data.to_string()),
            ],
        ));
    }
    let grid_sql: Arc<str> = Arc::from(
        "INSERT INTO plan_grids (version, community_code, code, data) VALUES ($1, $2, $3, $4)",
    );
    for g in r.grids {
        let data = serde_json::json!({
            "kind": g.grid.kind,
            "flag": g.grid.flag,
            "households": g.grid.households,
            "residents": g.grid.residents,
            "buildings": g.buildings,
            "geometry": geojson::Geometry::new(geojson::Value::from(&g.grid.boundary)),
        });
        out.push(Statement::new(
            grid_sql.clone(),
            vec![
                int(r.version),
                text(g.grid.community.to_string()),
                text(g.grid.code.to_string()),
                text(data.to_string()),
            ],
        ));
    }
    out
}

fn multipolygon_from_json(value: &serde_json::Value) -> Option<geo_types::MultiPolygon<f64>> {
    let geometry = geojson::Geometry::from_json_value(value.clone()).ok()?;
    match geo_types::Geometry::<f64>::try_from(geometry).ok()? {
        geo_types::Geometry::MultiPolygon(m) => Some(m),
        geo_types::Geometry::Polygon(p) => Some(geo_types::MultiPolygon::new(vec![p])),
        _ => None,
    }
}

pub(super) fn community_from_json(code: &str, data: &str) -> Option<Community> {
    let v: serde_json::Value = serde_json::from_str(data).ok()?;
    Some(Community {
        code: code.parse().ok()?,
        name: v["name"].as_str()?.to_string(),
        boundary: multipolygon_from_json(&v["geometry"])?,
    })
}

pub(super) fn grid_from_json(code: &str, data: &str) -> Option<GridSnapshot> {
    let v: serde_json::Value = serde_json::from_str(data).ok()?;
    let code: GridCode = code.parse().ok()?;
    Some(GridSnapshot {
        grid: Grid {
            community: code.community(),
            kind: GridKind::parse(v["kind"].as_str()?)?,
            households: u32::try_from(v["households"].as_u64()?).ok()?,
            residents: u32::try_from(v["residents"].as_u64()?).ok()?,
            boundary: multipolygon_from_json(&v["geometry"])?,
            // Snapshots written before grids kept their flag read as normal.
            flag: v["flag"]
                .as_str()
                .and_then(GridFlag::parse)
                .unwrap_or_default(),
            code,
        },
        buildings: serde_json::from_value(v["buildings"].clone()).ok()?,
    })
}

pub(super) fn parse_time(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.with_timezone(&chrono::Utc))
}
