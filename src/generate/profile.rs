//! District profiles: the real boundary, codes and names a generated district is built on.

use crate::crs::Crs;
use crate::domain::{CommunityCode, DistrictCode, StreetCode};
use geo::Contains;
use geo_types::{Geometry, MultiPolygon, Point};

/// Default households of the Dongsheng profile: 56.16万 urban residents at 2.62 per household
/// is ~214,000; the field reports round this to ~200,000.
pub const DONGSHENG_HOUSEHOLDS: u32 = 200_000;

const DONGSHENG_BOUNDARY_GCJ02: &str = include_str!("../../data/dongsheng/boundary_gcj02.geojson");
const DONGSHENG_STREETS: &str = include_str!("../../data/dongsheng/streets.csv");
const DONGSHENG_COMMUNITIES: &str = include_str!("../../data/dongsheng/communities.csv");

/// A real urban street (街道) and its real communities, in code order.
#[derive(Debug, Clone)]
pub struct StreetProfile {
    pub code: StreetCode,
    pub name: String,
    pub communities: Vec<(CommunityCode, String)>,
}

/// A real district to generate inside.
#[derive(Debug, Clone)]
pub struct DistrictProfile {
    pub district_code: DistrictCode,
    pub district_name: String,
    /// WGS84.
    pub boundary: MultiPolygon<f64>,
    /// The urban centre the generated city grows from (WGS84).
    pub centre: Point<f64>,
    /// Urban streets (街道) with their real communities, in code order.
    pub streets: Vec<StreetProfile>,
}

impl DistrictProfile {
    /// 东胜区, Ordos: boundary from cnmaps (GCJ-02, converted here), the 12 urban streets
    /// and their 79 communities from the statistics codes.
    pub fn dongsheng() -> Result<Self, String> {
        let fc: geojson::FeatureCollection = DONGSHENG_BOUNDARY_GCJ02
            .parse::<geojson::GeoJson>()
            .map_err(|e| e.to_string())
            .and_then(|g| geojson::FeatureCollection::try_from(g).map_err(|e| e.to_string()))?;
        let geometry = fc
            .features
            .first()
            .and_then(|f| f.geometry.clone())
            .ok_or("boundary file has no geometry")?;
        let boundary = match Geometry::<f64>::try_from(geometry.value).map_err(|e| e.to_string())? {
            Geometry::MultiPolygon(mp) => mp,
            Geometry::Polygon(p) => MultiPolygon::new(vec![p]),
            _ => return Err("boundary is not polygonal".into()),
        };
        let boundary = Crs::Gcj02.geometry_to_wgs84(&boundary);
        let (lon, lat) = Crs::Gcj02.to_wgs84(109.985, 39.815);
        let centre = Point::new(lon, lat);
        if !boundary.contains(&centre) {
            return Err("the Dongsheng centre lies outside its boundary".into());
        }
        let mut streets: Vec<StreetProfile> = Vec::new();
        for line in DONGSHENG_STREETS.lines().skip(1) {
            let mut parts = line.split(',');
            let (Some(code), Some(name)) = (parts.next(), parts.next()) else {
                continue;
            };
            if !name.ends_with("街道") {
                continue; // towns and the development zone are not urban streets
            }
            streets.push(StreetProfile {
                code: code
                    .parse()
                    .map_err(|e: crate::domain::CodeError| e.to_string())?,
                name: name.to_string(),
                communities: Vec::new(),
            });
        }
        for line in DONGSHENG_COMMUNITIES.lines().skip(1) {
            let mut parts = line.split(',');
            let (Some(code), Some(name), Some(street)) = (parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            if let Some(entry) = streets.iter_mut().find(|s| s.code.as_str() == street) {
                entry.communities.push((
                    code.parse()
                        .map_err(|e: crate::domain::CodeError| e.to_string())?,
                    name.to_string(),
                ));
            }
        }
        Ok(Self {
            district_code: DistrictCode::new("150602").map_err(|e| e.to_string())?,
            district_name: "东胜区".into(),
            boundary,
            centre,
            streets,
        })
    }

    /// Communities generated for `households`: the real count at the real number of
    /// households (Dongsheng's 79 at 200,000), in proportion otherwise, at least one.
    ///
    /// ```
    /// use gridmap::generate::{DistrictProfile, DONGSHENG_HOUSEHOLDS};
    /// let p = DistrictProfile::dongsheng().unwrap();
    /// assert_eq!(p.communities_for(DONGSHENG_HOUSEHOLDS), 79);
    /// assert_eq!(p.communities_for(20_000), 8);
    /// assert_eq!(p.communities_for(1), 1);
    /// ```
    pub fn communities_for(&self, households: u32) -> usize {
        let real: usize = self.streets.iter().map(|s| s.communities.len()).sum();
        let per_community = f64::from(DONGSHENG_HOUSEHOLDS) / real.max(1) as f64;
        ((f64::from(households) / per_community).round() as usize).max(1)
    }

    /// Real communities per real street (how big generated streets are).
    pub fn communities_per_street(&self) -> f64 {
        let communities: usize = self.streets.iter().map(|s| s.communities.len()).sum();
        (communities as f64 / self.streets.len().max(1) as f64).max(1.0)
    }

    /// The `rank`-th street: a real one, then synthetic codes after the last real one.
    pub fn street(&self, rank: usize) -> Result<StreetProfile, String> {
        if let Some(s) = self.streets.get(rank) {
            return Ok(s.clone());
        }
        let extra = rank - self.streets.len() + 1;
        let last = self
            .streets
            .iter()
            .map(|s| s.code.as_str()[6..].parse::<usize>().unwrap_or(0))
            .max()
            .unwrap_or(0);
        // Synthetic streets take 3-digit sequences above the real urban ones, passing over the
        // town range (100–199) and development zones (4xx) used by real codes.
        let mut seq = last + extra;
        if seq >= 100 {
            seq += 100;
        }
        if seq > 399 {
            return Err(format!(
                "too many streets ({rank}) for 3-digit street codes"
            ));
        }
        let code = StreetCode::new(format!("{}{:03}", self.district_code.as_str(), seq))
            .map_err(|e| e.to_string())?;
        Ok(StreetProfile {
            code,
            name: format!("新区第{}街道", super::names::chinese_number(extra as u32)),
            communities: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dongsheng_has_its_urban_streets_and_communities() {
        let p = DistrictProfile::dongsheng().unwrap();
        assert_eq!(p.streets.len(), 12);
        assert_eq!(
            p.streets.iter().map(|s| s.communities.len()).sum::<usize>(),
            79
        );
        assert_eq!(p.streets[0].name, "交通街道");
        let extra = p.street(12).unwrap();
        assert_eq!(extra.code.as_str(), "150602014");
        assert!(extra.communities.is_empty());
    }
}
