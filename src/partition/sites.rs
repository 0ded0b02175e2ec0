//! Step 1: a community's buildings as sites — each building's interior point in the
//! community's local metric frame, co-located buildings merged into one site.

use super::error::PartitionError;
use crate::domain::{Building, Community};
use crate::spatial::LocalFrame;
use geo::{Area, BoundingRect, Centroid, InteriorPoint, Intersects, MapCoords};
use geo_types::{Coord, Line, LineString, MultiPolygon};
use std::collections::HashMap;

/// The sites of one community, in metres about its centroid.
pub(crate) struct Sites {
    pub frame: LocalFrame,
    /// The community boundary in metres.
    pub boundary_m: MultiPolygon<f64>,
    pub area_m2: f64,
    /// One point per site (metres).
    pub points: Vec<Coord<f64>>,
    /// The buildings (indices into the input) of each site.
    pub buildings: Vec<Vec<usize>>,
}

impl Sites {
    /// Places every building at an interior point of its footprint; buildings at the same
    /// point share a site.
    pub fn place(community: &Community, buildings: &[&Building]) -> Result<Self, PartitionError> {
        let centre = community.boundary.centroid().ok_or_else(|| {
            PartitionError::Geometry(format!(
                "community {} has an empty boundary",
                community.code
            ))
        })?;
        let frame = LocalFrame::new(centre.x(), centre.y());
        let boundary_m: MultiPolygon<f64> = community.boundary.map_coords(|c| frame.to_metres(c));
        let area_m2 = boundary_m.unsigned_area();
        let mut site_of: HashMap<(u64, u64), usize> = HashMap::new();
        let mut points: Vec<Coord<f64>> = Vec::new();
        let mut members: Vec<Vec<usize>> = Vec::new();
        for (i, b) in buildings.iter().enumerate() {
            let p = b.footprint.interior_point().ok_or_else(|| {
                PartitionError::Geometry(format!("building {} has an empty footprint", b.id))
            })?;
            let m = frame.to_metres(p.0);
            let key = (m.x.to_bits(), m.y.to_bits());
            let site = *site_of.entry(key).or_insert_with(|| {
                points.push(m);
                members.push(Vec::new());
                points.len() - 1
            });
            members[site].push(i);
        }
        Ok(Self {
            frame,
            boundary_m,
            area_m2,
            points,
            buildings: members,
        })
    }

    /// The segments (metres) of the barrier lines (lon/lat) whose extent meets the
    /// community's.
    pub fn barrier_segments(
        &self,
        community: &Community,
        barriers: &[LineString<f64>],
    ) -> Vec<Line<f64>> {
        let bbox = community.boundary.bounding_rect();
        barriers
            .iter()
            .filter(|l| bbox.is_some_and(|r| l.bounding_rect().is_some_and(|lr| lr.intersects(&r))))
            .flat_map(|l| {
                l.lines()
                    .map(|s| Line::new(self.frame.to_metres(s.start), self.frame.to_metres(s.end)))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// Households of each site.
    pub fn households(&self, buildings: &[&Building]) -> Vec<u32> {
        self.buildings
            .iter()
            .map(|members| members.iter().map(|&i| buildings[i].households).sum())
            .collect()
    }

    /// Buildings of each site: what a keep-existing rebalance counts as moves.
    pub fn sizes(&self) -> Vec<u32> {
        self.buildings
            .iter()
            .map(|b| u32::try_from(b.len()).unwrap_or(u32::MAX))
            .collect()
    }
}
