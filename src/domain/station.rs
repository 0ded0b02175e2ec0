//! Service stations: party-mass service centres/stations (党群服务中心/站), red outposts
//! (红色驿站) and rest stations for delivery riders.

use super::codes::CommunityCode;
use super::ids::StationId;
use geo_types::Point;
use serde::{Deserialize, Serialize};

/// The kind of a public service station.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StationKind {
    /// 党群服务中心 (street or district level)
    ServiceCentre,
    /// 党群服务站 (community level)
    ServiceStation,
    /// 红色驿站
    RedOutpost,
    /// 骑手驿站: water, charging, rest for delivery riders
    RiderRestStation,
}

impl StationKind {
    pub const ALL: [StationKind; 4] = [
        Self::ServiceCentre,
        Self::ServiceStation,
        Self::RedOutpost,
        Self::RiderRestStation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ServiceCentre => "service_centre",
            Self::ServiceStation => "service_station",
            Self::RedOutpost => "red_outpost",
            Self::RiderRestStation => "rider_rest_station",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The kind as offices write it.
    pub fn chinese(self) -> &'static str {
        match self {
            Self::ServiceCentre => "党群服务中心",
            Self::ServiceStation => "党群服务站",
            Self::RedOutpost => "红色驿站",
            Self::RiderRestStation => "骑手驿站",
        }
    }

    /// A kind in Chinese (党群服务中心, 红色驿站, …) or English (`service_centre`).
    pub fn from_office_text(text: &str) -> Option<Self> {
        let text = text.trim();
        Self::ALL
            .into_iter()
            .find(|k| k.chinese() == text || k.as_str() == text)
            .or(match text {
                "党群服务中心（街道）" | "街道党群服务中心" | "区党群服务中心" => {
                    Some(Self::ServiceCentre)
                }
                "社区党群服务站" | "社区党群服务中心" => Some(Self::ServiceStation),
                "户外劳动者驿站" | "骑手之家" => Some(Self::RiderRestStation),
                _ => None,
            })
    }
}

/// One station, public data.
#[derive(Debug, Clone, PartialEq)]
pub struct Station {
    pub id: StationId,
    pub name: String,
    pub kind: StationKind,
    pub location: Point<f64>,
    pub services: Vec<String>,
    /// Opening hours in OSM `opening_hours` syntax, e.g. `Mo-Fr 08:30-17:30`.
    pub opening_hours: Option<String>,
    pub address: Option<String>,
    pub community: Option<CommunityCode>,
}
