//! Domain entities as GeoJSON (RFC 7946) features, for the API and exports. What a feature
//! carries depends on the [`Audience`]: the public never sees personal or household data.

use crate::domain::*;
use geojson::{Feature, FeatureCollection, JsonObject, JsonValue};
use serde_json::json;

/// A layer that can be listed and exported.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum, serde::Deserialize, serde::Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Layer {
    Districts,
    Streets,
    Communities,
    Grids,
    Buildings,
    Roads,
    Stations,
    Workers,
    Incidents,
    /// The walking network's edges as walked (derived from roads, walls and gates).
    Network,
}

impl Layer {
    pub const ALL: [Layer; 10] = [
        Self::Districts,
        Self::Streets,
        Self::Communities,
        Self::Grids,
        Self::Buildings,
        Self::Roads,
        Self::Stations,
        Self::Workers,
        Self::Incidents,
        Self::Network,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Districts => "districts",
            Self::Streets => "streets",
            Self::Communities => "communities",
            Self::Grids => "grids",
            Self::Buildings => "buildings",
            Self::Roads => "roads",
            Self::Stations => "stations",
            Self::Workers => "workers",
            Self::Incidents => "incidents",
            Self::Network => "network",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == s)
    }

    /// The least role that may list this layer at all.
    pub fn min_role(self) -> Role {
        match self {
            Self::Districts
            | Self::Streets
            | Self::Communities
            | Self::Grids
            | Self::Roads
            | Self::Network
            | Self::Stations => Role::Public,
            Self::Buildings | Self::Workers | Self::Incidents => Role::Dispatcher,
        }
    }
}

fn feature(geometry: Option<geojson::Geometry>, properties: JsonValue, id: &str) -> Feature {
    let properties: Option<JsonObject> = match properties {
        JsonValue::Object(map) => Some(map),
        _ => None,
    };
    Feature {
        bbox: None,
        geometry,
        id: Some(geojson::feature::Id::String(id.to_string())),
        properties,
        foreign_members: None,
    }
}

fn geometry<G>(g: &G) -> Option<geojson::Geometry>
where
    for<'a> geojson::Value: From<&'a G>,
{
    Some(geojson::Geometry::new(geojson::Value::from(g)))
}

/// Conversion of one entity into a GeoJSON feature for an audience.
pub trait ToFeature {
    fn to_feature(&self, audience: Audience) -> Feature;
}

impl ToFeature for District {
    fn to_feature(&self, _: Audience) -> Feature {
        feature(
            geometry(&self.boundary),
            json!({"code": self.code, "name": self.name}),
            self.code.as_str(),
        )
    }
}

impl ToFeature for Street {
    fn to_feature(&self, _: Audience) -> Feature {
        feature(
            self.boundary.as_ref().and_then(geometry),
            json!({"code": self.code, "name": self.name, "district": self.code.district()}),
            self.code.as_str(),
        )
    }
}

impl ToFeature for Community {
    fn to_feature(&self, _: Audience) -> Feature {
        feature(
            geometry(&self.boundary),
            json!({"code": self.code, "name": self.name, "street": self.code.street(), "district": self.code.district()}),
            self.code.as_str(),
        )
    }
}

impl ToFeature for Grid {
    fn to_feature(&self, audience: Audience) -> Feature {
        let mut props = json!({"code": self.code, "kind": self.kind, "community": self.community});
        if audience == Audience::Internal {
            props["households"] = json!(self.households);
            props["residents"] = json!(self.residents);
            props["flag"] = json!(self.flag);
        }
        feature(geometry(&self.boundary), props, self.code.as_str())
    }
}

impl ToFeature for Building {
    fn to_feature(&self, audience: Audience) -> Feature {
        let mut props = json!({
            "id": self.id, "kind": self.kind, "floors": self.floors, "name": self.name,
            "community": self.community, "grid": self.grid,
        });
        if audience == Audience::Internal {
            props["households"] = json!(self.households);
            props["residents"] = json!(self.residents);
            props["address"] = json!(self.address);
            props["building_head"] = json!(self.building_head);
        }
        feature(geometry(&self.footprint), props, self.id.as_str())
    }
}

impl ToFeature for Road {
    /// OSM's tags for walking (`foot`, `bridge`, `tunnel`), so that an export imports back.
    fn to_feature(&self, _: Audience) -> Feature {
        let mut properties = json!({
            "id": self.id, "class": self.class, "name": self.name, "foot": self.foot.as_str(),
        });
        if self.level != WayLevel::Ground {
            properties[self.level.as_str()] = json!("yes");
        }
        feature(geometry(&self.geometry), properties, self.id.as_str())
    }
}

impl ToFeature for Wall {
    fn to_feature(&self, _: Audience) -> Feature {
        feature(
            geometry(&self.geometry),
            json!({"id": self.id, "barrier": self.kind.as_str()}),
            self.id.as_str(),
        )
    }
}

impl ToFeature for Gate {
    fn to_feature(&self, _: Audience) -> Feature {
        feature(
            geometry(&self.location),
            json!({"id": self.id, "barrier": self.kind.as_str()}),
            self.id.as_str(),
        )
    }
}

impl ToFeature for Station {
    fn to_feature(&self, _: Audience) -> Feature {
        feature(
            geometry(&self.location),
            json!({
                "id": self.id, "name": self.name, "kind": self.kind, "services": self.services,
                "opening_hours": self.opening_hours, "address": self.address, "community": self.community,
            }),
            self.id.as_str(),
        )
    }
}

impl ToFeature for Worker {
    fn to_feature(&self, _: Audience) -> Feature {
        feature(
            self.position.as_ref().and_then(geometry),
            json!({
                "id": self.id, "name": self.name, "phone": self.phone, "role": self.role,
                "grids": self.grids, "community": self.community, "duty": self.duty,
                "position_at": self.position_at, "retired_at": self.retired_at,
            }),
            self.id.as_str(),
        )
    }
}

impl ToFeature for Incident {
    fn to_feature(&self, audience: Audience) -> Feature {
        let mut props = json!({
            "id": self.id, "category": self.category, "status": self.status,
            "reported_at": self.reported_at, "grid": self.grid,
        });
        if audience == Audience::Internal {
            props["description"] = json!(self.description);
            props["source"] = json!(self.source);
            props["assignee"] = json!(self.assignee);
        }
        feature(geometry(&self.location), props, self.id.as_str())
    }
}

/// A feature collection of entities for an audience.
/// Edges of the walking network as GeoJSON LineStrings as walked, each with its end node ids
/// (`from`, `to`), `length_m` and the `way` it is part of.
pub fn network_collection(
    network: &crate::routing::WalkNetwork,
    edges: impl IntoIterator<Item = crate::routing::EdgeId>,
) -> FeatureCollection {
    FeatureCollection {
        bbox: None,
        features: edges
            .into_iter()
            .map(|id| {
                let e = network.edge(id);
                feature(
                    Some(geojson::Geometry::new(geojson::Value::from(
                        &network.shape_lonlat(e),
                    ))),
                    serde_json::json!({
                        "from": e.tail.0,
                        "to": e.head.0,
                        "length_m": e.length_m,
                        "way": network.way(e).0,
                    }),
                    &format!("e{}", id.0),
                )
            })
            .collect(),
        foreign_members: None,
    }
}

pub fn collection<T: ToFeature>(items: &[T], audience: Audience) -> FeatureCollection {
    FeatureCollection {
        bbox: None,
        features: items.iter().map(|i| i.to_feature(audience)).collect(),
        foreign_members: None,
    }
}
