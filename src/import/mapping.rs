//! From a feature's properties (GeoJSON properties or OSM tags) and its WGS84 geometry to
//! domain entities: the property names understood, and their checks.

use super::households::HouseholdModel;
use super::properties::Properties;
use crate::domain::*;
use geo_types::{LineString, MultiPolygon, Point};

/// The most households one building may hold (the store enforces it too).
pub const MAX_HOUSEHOLDS_PER_BUILDING: u32 = 100_000;

/// Building kind from our `kind` property (strict) or OSM `building`/`amenity` tags.
fn building_kind(p: &Properties<'_>) -> Result<BuildingKind, String> {
    if let Some(kind) = p.text("kind")? {
        return kind.parse().map_err(|_| {
            let names: Vec<&str> = BuildingKind::ALL.iter().map(|k| k.as_str()).collect();
            format!(
                "property `kind` {kind:?} is not one of {}",
                names.join(", ")
            )
        });
    }
    let tag = p.text("building")?.unwrap_or_else(|| "yes".into());
    let kind = BuildingKind::from_osm(&tag);
    if kind == BuildingKind::Residential && tag == "yes" {
        // An untyped building with a telling amenity or shop takes that use.
        if let Some(amenity) = p.first_text(&["amenity", "shop"])? {
            let by_amenity = BuildingKind::from_osm(&amenity);
            if by_amenity != BuildingKind::Other {
                return Ok(by_amenity);
            }
        }
    }
    Ok(kind)
}

/// A lenient number from a free-form OSM tag (`"3"`, `"3.5"`, `"12 m"`); unparsable is unknown.
fn osm_number(p: &Properties<'_>, key: &str) -> Option<f64> {
    p.number(key).ok().flatten()
}

/// Builds a building; households are estimated when not given (see [`HouseholdModel`]).
pub fn building(
    p: &Properties<'_>,
    id: BuildingId,
    footprint: MultiPolygon<f64>,
    model: &HouseholdModel,
) -> Result<Building, String> {
    let kind = building_kind(p)?;
    let explicit_floors = match p.count("floors")? {
        Some(f) => Some(f),
        None => p.count("Floor")?,
    };
    if explicit_floors == Some(0) {
        return Err("property `floors` must be at least 1".into());
    }
    let floors = explicit_floors
        .map(|f| f.min(200) as u16)
        .or_else(|| osm_number(p, "building:levels").map(|l| l.round().clamp(1.0, 200.0) as u16))
        .or_else(|| osm_number(p, "height").and_then(|h| model.floors_from_height(h)));
    let households = match p.count("households")? {
        Some(h) => h,
        None => model.households(
            &footprint,
            kind,
            floors.unwrap_or_else(|| model.default_floors_for(kind)),
        ),
    };
    if households > MAX_HOUSEHOLDS_PER_BUILDING {
        return Err(format!(
            "property `households` {households} is implausible (at most {MAX_HOUSEHOLDS_PER_BUILDING} in one building)"
        ));
    }
    let residents = match p.count("residents")? {
        Some(r) => r,
        None => model.residents(households),
    };
    let address = match p.first_text(&["address", "addr:full"])? {
        Some(a) => Some(a),
        None => match (p.text("addr:street")?, p.text("addr:housenumber")?) {
            (Some(street), Some(number)) => Some(format!("{number} {street}")),
            (Some(street), None) => Some(street),
            _ => None,
        },
    };
    let community = p
        .text("community")?
        .map(|c| CommunityCode::new(c).map_err(|e| format!("property `community`: {e}")))
        .transpose()?;
    Ok(Building {
        id,
        footprint,
        households,
        residents,
        floors,
        kind,
        name: p.first_text(&["name", "name:zh"])?,
        address,
        building_head: p.text("building_head")?,
        community,
        grid: None,
    })
}

/// Builds a community; the code is required unless codes are assigned afterwards.
pub fn community(
    p: &Properties<'_>,
    boundary: MultiPolygon<f64>,
    code_required: bool,
) -> Result<Option<Community>, String> {
    let name = p.first_text(&["name:zh", "name"])?.unwrap_or_default();
    let code = match p.text("code")? {
        Some(code) => CommunityCode::new(code).map_err(|e| format!("property `code`: {e}"))?,
        None if code_required => {
            return Err(
                "property `code` (12-digit community code) is missing; pass --parent STREET to number communities"
                    .into(),
            );
        }
        // Placeholder, renumbered by the caller under --parent.
        None => CommunityCode::new("000000000000").map_err(|e| e.to_string())?,
    };
    Ok(Some(Community {
        code,
        name,
        boundary,
    }))
}

/// Builds a district from `code` or `adcode`.
pub fn district(p: &Properties<'_>, boundary: MultiPolygon<f64>) -> Result<District, String> {
    let code = p
        .first_text(&["code", "adcode"])?
        .ok_or("property `code` (6-digit district code) is missing")?;
    Ok(District {
        code: DistrictCode::new(code).map_err(|e| format!("property `code`: {e}"))?,
        name: p.first_text(&["name", "district"])?.unwrap_or_default(),
        boundary,
    })
}

/// Road class from our `class` property (strict) or OSM `highway`/`railway`/`waterway`.
/// `None` for lines that are none of these (e.g. `highway=bus_stop` ways).
pub fn road_class(p: &Properties<'_>) -> Result<Option<RoadClass>, String> {
    if let Some(class) = p.text("class")? {
        return RoadClass::parse(&class)
            .map(Some)
            .ok_or_else(|| format!("property `class` {class:?} is not a road class"));
    }
    if let Some(h) = p.text("highway")? {
        return Ok(RoadClass::from_osm_highway(&h));
    }
    if matches!(
        p.text("railway")?.as_deref(),
        Some("rail" | "light_rail" | "subway")
    ) {
        return Ok(Some(RoadClass::Rail));
    }
    if matches!(p.text("waterway")?.as_deref(), Some("river" | "canal")) {
        return Ok(Some(RoadClass::River));
    }
    Ok(None)
}

/// Land class from our `class` property (strict) or OSM tags; `None` for other areas.
pub fn land_class(p: &Properties<'_>) -> Result<Option<LandClass>, String> {
    if let Some(class) = p.text("class")? {
        return LandClass::parse(&class)
            .map(Some)
            .ok_or_else(|| format!("property `class` {class:?} is not a land class"));
    }
    let tags: Vec<(String, String)> = [
        "natural", "water", "waterway", "leisure", "landuse", "amenity",
    ]
    .iter()
    .filter_map(|k| Some((k.to_string(), p.text(k).ok()??)))
    .collect();
    Ok(LandClass::from_osm(|k| {
        tags.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    }))
}

/// Builds a land area.
pub fn land_area(
    p: &Properties<'_>,
    id: LandAreaId,
    class: LandClass,
    boundary: MultiPolygon<f64>,
) -> Result<LandArea, String> {
    Ok(LandArea {
        id,
        class,
        name: p.first_text(&["name", "name:zh"])?,
        boundary,
    })
}

/// Builds a road part; whether people walk it from `foot`, `access` and `sidewalk`, bridges
/// and tunnels from `bridge` and `tunnel` (OSM's tags, as exports write them too).
pub fn road(
    p: &Properties<'_>,
    id: RoadId,
    class: RoadClass,
    line: LineString<f64>,
) -> Result<Road, String> {
    let tag = |k: &str| p.0.get(k).and_then(serde_json::Value::as_str);
    Ok(Road {
        id,
        class,
        name: p.first_text(&["name", "name:zh"])?,
        geometry: line,
        foot: FootAccess::from_osm(class, tag),
        level: WayLevel::from_osm(tag),
    })
}

/// Wall kind from OSM `barrier` (`wall`, `fence` and their kin); `None` for other lines.
pub fn wall_kind(p: &Properties<'_>) -> Result<Option<WallKind>, String> {
    Ok(p.text("barrier")?
        .as_deref()
        .and_then(WallKind::from_osm_barrier))
}

/// Gate kind from OSM `barrier` and `entrance`; `None` for points that are not gates.
pub fn gate_kind(p: &Properties<'_>) -> Option<GateKind> {
    GateKind::from_osm(|k| p.0.get(k).and_then(serde_json::Value::as_str))
}

/// Station kind from our `kind` property (strict), or from OSM `amenity`/`social_facility`.
/// `None` for POIs that are not service stations.
pub fn station_kind(p: &Properties<'_>) -> Result<Option<StationKind>, String> {
    if let Some(kind) = p.text("kind")? {
        return StationKind::from_office_text(&kind)
            .map(Some)
            .ok_or_else(|| {
                let names: Vec<String> = StationKind::ALL
                    .iter()
                    .map(|k| format!("{} ({})", k.chinese(), k.as_str()))
                    .collect();
                format!(
                    "property `kind` {kind:?} is not one of {}",
                    names.join(", ")
                )
            });
    }
    Ok(match p.text("amenity")?.as_deref() {
        Some("townhall") => Some(StationKind::ServiceCentre),
        Some("community_centre" | "social_centre" | "social_facility") => {
            Some(StationKind::ServiceStation)
        }
        _ => None,
    })
}

/// Builds a station; a station needs a name.
pub fn station(
    p: &Properties<'_>,
    id: StationId,
    kind: StationKind,
    location: Point<f64>,
) -> Result<Station, String> {
    let name = p
        .first_text(&["name:zh", "name"])?
        .ok_or("property `name` is missing")?;
    let address = match p.first_text(&["address", "addr:full"])? {
        Some(a) => Some(a),
        None => p.text("addr:street")?,
    };
    Ok(Station {
        id,
        name,
        kind,
        location,
        services: p.list("services")?,
        opening_hours: p.text("opening_hours")?,
        address,
        community: p
            .text("community")?
            .map(|c| CommunityCode::new(c).map_err(|e| format!("property `community`: {e}")))
            .transpose()?,
    })
}
