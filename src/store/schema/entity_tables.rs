//! The feature tables of both backends, each declared once with [`entity_table!`]: column
//! names and types, how each is written and read, and the geometry.

use super::row_reader::RowReader;
use super::sql_value::{ColumnType, SqlValue, int, json_list, opt_text, text, timestamp};
use super::table::{FromRow, Table, ToRow, entity_table};
use crate::domain::*;
use crate::store::StoreError;
use geo_types::Geometry;

entity_table! {
    DISTRICTS: District = "districts", prefix Some("code");
    |d, r| {
        code: Text = text(d.code.as_str()) => r.code()?;
        name: Text = text(&d.name) => r.text()?;
    }
    geometry boundary = Some(d.boundary.clone().into()) => r.multipolygon()?;
    build District { code, name, boundary }
}

entity_table! {
    STREETS: Street = "streets", prefix Some("code");
    |s, r| {
        code: Text = text(s.code.as_str()) => r.code()?;
        name: Text = text(&s.name) => r.text()?;
        district_code: Text = text(s.code.district().as_str()) => r.text()?;
    }
    geometry boundary = s.boundary.clone().map(Into::into) => r.opt_multipolygon()?;
    build Street { code, name, boundary }
}

entity_table! {
    COMMUNITIES: Community = "communities", prefix Some("code"),
        search ["code", "name"];
    |c, r| {
        code: Text = text(c.code.as_str()) => r.code()?;
        name: Text = text(&c.name) => r.text()?;
        street_code: Text = text(c.code.street().as_str()) => r.text()?;
    }
    geometry boundary = Some(c.boundary.clone().into()) => r.multipolygon()?;
    build Community { code, name, boundary }
}

entity_table! {
    GRIDS: Grid = "grids", prefix Some("code");
    |g, r| {
        code: Text = text(g.code.as_str()) => r.code()?;
        kind: Text = text(g.kind.as_str()) => r.parsed(GridKind::parse, "grid kind")?;
        community_code: Text = text(g.community.as_str()) => r.code()?;
        households: Int = int(g.households) => r.count()?;
        residents: Int = int(g.residents) => r.count()?;
        flag: Text = text(g.flag.as_str()) => r.parsed(GridFlag::parse, "grid flag")?;
    }
    geometry boundary = Some(g.boundary.clone().into()) => r.multipolygon()?;
    build Grid { code, kind, community: community_code, households, residents, flag, boundary }
}

entity_table! {
    BUILDINGS: Building = "buildings", prefix Some("community_code"),
        search ["id", "name", "address"];
    |b, r| {
        id: Text = text(b.id.as_str()) => BuildingId(r.text()?);
        kind: Text = text(b.kind.as_str()) => r.parsed(|s| s.parse().ok(), "building kind")?;
        households: Int = int(b.households) => r.count()?;
        residents: Int = int(b.residents) => r.count()?;
        floors: Int = SqlValue::Int(b.floors.map(i64::from))
            => r.opt_int()?.and_then(|f| u16::try_from(f).ok());
        name: Text = opt_text(b.name.as_deref()) => r.opt_text()?;
        address: Text = opt_text(b.address.as_deref()) => r.opt_text()?;
        building_head: Text = opt_text(b.building_head.as_deref()) => r.opt_text()?;
        community_code: Text = opt_text(b.community.as_ref().map(CommunityCode::as_str))
            => r.opt_code()?;
        grid_code: Text = opt_text(b.grid.as_ref().map(GridCode::as_str)) => r.opt_code()?;
    }
    geometry footprint = Some(b.footprint.clone().into()) => r.multipolygon()?;
    build Building {
        id, kind, households, residents, floors, name, address, building_head,
        community: community_code, grid: grid_code, footprint,
    }
}

entity_table! {
    ROADS: Road = "roads", prefix None;
    |road, r| {
        id: Text = text(road.id.as_str()) => RoadId(r.text()?);
        class: Text = text(road.class.as_str()) => r.parsed(RoadClass::parse, "road class")?;
        name: Text = opt_text(road.name.as_deref()) => r.opt_text()?;
        foot: Text = text(road.foot.as_str()) => r.parsed(FootAccess::parse, "foot access")?;
        level: Text = text(road.level.as_str()) => r.parsed(WayLevel::parse, "way level")?;
    }
    geometry geometry = Some(road.geometry.clone().into()) => r.line()?;
    build Road { id, class, name, geometry, foot, level }
}

entity_table! {
    WALLS: Wall = "walls", prefix None;
    |w, r| {
        id: Text = text(w.id.as_str()) => WallId(r.text()?);
        kind: Text = text(w.kind.as_str()) => r.parsed(WallKind::parse, "wall kind")?;
    }
    geometry geometry = Some(w.geometry.clone().into()) => r.line()?;
    build Wall { id, kind, geometry }
}

entity_table! {
    GATES: Gate = "gates", prefix None;
    |g, r| {
        id: Text = text(g.id.as_str()) => GateId(r.text()?);
        kind: Text = text(g.kind.as_str()) => r.parsed(GateKind::parse, "gate kind")?;
    }
    geometry location = Some(g.location.into()) => r.point()?;
    build Gate { id, kind, location }
}

entity_table! {
    LAND_AREAS: LandArea = "land_areas", prefix None;
    |a, r| {
        id: Text = text(a.id.as_str()) => LandAreaId(r.text()?);
        class: Text = text(a.class.as_str()) => r.parsed(LandClass::parse, "land class")?;
        name: Text = opt_text(a.name.as_deref()) => r.opt_text()?;
    }
    geometry boundary = Some(a.boundary.clone().into()) => r.multipolygon()?;
    build LandArea { id, class, name, boundary }
}

entity_table! {
    STATIONS: Station = "stations", prefix Some("community_code"),
        search ["id", "name"];
    |s, r| {
        id: Text = text(s.id.as_str()) => StationId(r.text()?);
        name: Text = text(&s.name) => r.text()?;
        kind: Text = text(s.kind.as_str()) => r.parsed(StationKind::parse, "station kind")?;
        services: Text = json_list(&s.services) => r.json_list()?;
        opening_hours: Text = opt_text(s.opening_hours.as_deref()) => r.opt_text()?;
        address: Text = opt_text(s.address.as_deref()) => r.opt_text()?;
        community_code: Text = opt_text(s.community.as_ref().map(CommunityCode::as_str))
            => r.opt_code()?;
    }
    geometry location = Some(s.location.into()) => r.point()?;
    build Station {
        id, name, kind, services, opening_hours, address, community: community_code, location,
    }
}

entity_table! {
    WORKERS: Worker = "workers", prefix None;
    |w, r| {
        id: Text = text(w.id.as_str()) => WorkerId(r.text()?);
        name: Text = text(&w.name) => r.text()?;
        phone: Text = opt_text(w.phone.as_deref()) => r.opt_text()?;
        role: Text = text(w.role.as_str()) => r.parsed(WorkerRole::parse, "worker role")?;
        grids: Text = json_list(&w.grids) => r.json_list()?;
        duty: Text = text(w.duty.as_str()) => r.parsed(DutyStatus::parse, "duty status")?;
        position_at: Timestamp = timestamp(w.position_at.as_ref()) => r.opt_timestamp()?;
        community_code: Text = opt_text(w.community.as_ref().map(CommunityCode::as_str))
            => r.opt_code()?;
        retired_at: Timestamp = timestamp(w.retired_at.as_ref()) => r.opt_timestamp()?;
    }
    geometry position = w.position.map(Into::into) => r.opt_point()?;
    build Worker {
        id, name, phone, role, grids, community: community_code, duty, position_at, position,
        retired_at,
    }
}

entity_table! {
    INCIDENTS: Incident = "incidents", prefix Some("grid_code");
    |i, r| {
        id: Text = text(i.id.as_str()) => IncidentId(r.text()?);
        category: Text = text(&i.category) => r.text()?;
        description: Text = text(&i.description) => r.text()?;
        source: Text = text(i.source.as_str())
            => r.parsed(IncidentSource::parse, "incident source")?;
        status: Text = text(i.status.as_str())
            => r.parsed(IncidentStatus::parse, "incident status")?;
        reported_at: Timestamp = timestamp(Some(&i.reported_at)) => r.timestamp()?;
        grid_code: Text = opt_text(i.grid.as_ref().map(GridCode::as_str)) => r.opt_code()?;
        assignee: Text = opt_text(i.assignee.as_ref().map(WorkerId::as_str))
            => r.opt_text()?.map(WorkerId);
        deadline_at: Timestamp = timestamp(i.deadline_at.as_ref()) => r.opt_timestamp()?;
        closed_at: Timestamp = timestamp(i.closed_at.as_ref()) => r.opt_timestamp()?;
        returned_times: Int = int(i.returned_times) => r.count()?;
        satisfaction: Text = opt_text(i.satisfaction.map(Satisfaction::as_str))
            => r.opt_parsed(Satisfaction::parse, "satisfaction")?;
    }
    geometry location = Some(i.location.into()) => r.point()?;
    build Incident {
        id, category, description, source, status, reported_at, grid: grid_code, assignee,
        deadline_at, closed_at, returned_times, satisfaction, location,
    }
}

/// All feature tables, in write order (parents first).
pub const ALL_TABLES: [&Table; 12] = [
    &DISTRICTS,
    &STREETS,
    &COMMUNITIES,
    &GRIDS,
    &BUILDINGS,
    &ROADS,
    &WALLS,
    &GATES,
    &LAND_AREAS,
    &STATIONS,
    &WORKERS,
    &INCIDENTS,
];
