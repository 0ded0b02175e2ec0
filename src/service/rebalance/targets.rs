//! What each operation partitions: the communities after the change, their buildings
//! (grid codes carried over into each new community's numbering) and the communities that
//! cease to exist.

use super::RebalanceError;
use crate::domain::*;
use crate::partition::DEDICATED_SEQUENCE_START;
use crate::spatial::{MergeRefusal, community_index, merge_boundaries, split_boundary};
use geo::{Centroid, Distance, Euclidean, InteriorPoint};
use geo_types::{Geometry, MultiPolygon};
use std::collections::{BTreeMap, HashMap};

/// The communities to partition after the change, their buildings (grid codes carried
/// over into each new community's numbering) and the communities that cease to exist.
pub(super) struct Targets {
    pub communities: Vec<Community>,
    pub buildings: Vec<Vec<Building>>,
    pub retired: Vec<CommunityCode>,
    /// Old grid code → the code it carries in the new numbering.
    pub renumbered: HashMap<GridCode, GridCode>,
    pub summary: String,
}

pub(super) fn adjust_targets(communities: &[Community], buildings: Vec<Building>) -> Targets {
    let mut by: Vec<Vec<Building>> = vec![Vec::new(); communities.len()];
    for b in buildings {
        if let Some(i) = communities
            .iter()
            .position(|c| Some(&c.code) == b.community.as_ref())
        {
            by[i].push(b);
        }
    }
    Targets {
        summary: format!(
            "adjust {}",
            communities
                .iter()
                .map(|c| c.code.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        communities: communities.to_vec(),
        buildings: by,
        retired: Vec::new(),
        renumbered: HashMap::new(),
    }
}

/// Checks that a new community code is free and under the right street.
fn check_new_code(
    code: &CommunityCode,
    street: &StreetCode,
    existing: &[Community],
    freed: &[CommunityCode],
) -> Result<(), RebalanceError> {
    if &code.street() != street {
        return Err(RebalanceError::WrongStreet {
            code: code.clone(),
            street: street.clone(),
        });
    }
    if existing.iter().any(|c| &c.code == code) && !freed.contains(code) {
        return Err(RebalanceError::CodeTaken { code: code.clone() });
    }
    Ok(())
}

pub(super) fn split_targets(
    old: &Community,
    blade: &Geometry<f64>,
    codes: &[CommunityCode],
    names: &[String],
    existing: &[Community],
    buildings: Vec<Building>,
    code: &CommunityCode,
) -> Result<Targets, RebalanceError> {
    let pieces = split_boundary(&old.boundary, blade)
        .ok_or_else(|| RebalanceError::BladeMisses(code.clone()))?;
    if pieces.len() < 2 {
        return Err(RebalanceError::BladeMisses(code.clone()));
    }
    if pieces.len() != codes.len() {
        return Err(RebalanceError::PartsMismatch {
            community: code.clone(),
            parts: pieces.len(),
            codes: codes.len(),
        });
    }
    let street = old.code.street();
    for c in codes {
        check_new_code(c, &street, existing, std::slice::from_ref(&old.code))?;
    }
    // Pieces in reading order get the codes in the order given.
    let centres: Vec<geo_types::Point<f64>> = pieces
        .iter()
        .map(|p| p.centroid().unwrap_or_default())
        .collect();
    let order = crate::spatial::reading_order(&centres);
    let communities: Vec<Community> = order
        .iter()
        .enumerate()
        .map(|(i, &o)| Community {
            code: codes[i].clone(),
            name: names
                .get(i)
                .cloned()
                .unwrap_or_else(|| format!("{}（{}）", old.name, i + 1)),
            boundary: pieces[o].clone(),
        })
        .collect();
    let lookup = community_index(&communities);
    let mut by: Vec<Vec<Building>> = vec![Vec::new(); communities.len()];
    let mut renumbered = HashMap::new();
    for mut b in buildings {
        let point = b.footprint.interior_point();
        let target = point
            .and_then(|p| lookup.locate_inside(p))
            .and_then(|code| communities.iter().position(|c| &c.code == code))
            .or_else(|| {
                // On the cut itself: the nearest piece.
                point.and_then(|p| {
                    (0..communities.len()).min_by(|&x, &y| {
                        Euclidean
                            .distance(&p, &communities[x].boundary)
                            .total_cmp(&Euclidean.distance(&p, &communities[y].boundary))
                    })
                })
            })
            .unwrap_or(0);
        let new_code = communities[target].code.clone();
        if let Some(g) = &b.grid
            && let Some(n) = new_code.grid(g.sequence())
        {
            renumbered.insert(g.clone(), n.clone());
            b.grid = Some(n);
        }
        b.community = Some(new_code);
        by[target].push(b);
    }
    Ok(Targets {
        summary: format!(
            "split {} into {}",
            old.code,
            codes
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        retired: if codes.contains(&old.code) {
            Vec::new()
        } else {
            vec![old.code.clone()]
        },
        communities,
        buildings: by,
        renumbered,
    })
}

pub(super) fn merge_targets(
    old: &[Community],
    code: &CommunityCode,
    name: &str,
    existing: &[Community],
    buildings: Vec<Building>,
) -> Result<Targets, RebalanceError> {
    if old.len() < 2 {
        return Err(RebalanceError::TooFew);
    }
    let codes: Vec<CommunityCode> = old.iter().map(|c| c.code.clone()).collect();
    let listed = codes
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    check_new_code(code, &old[0].code.street(), existing, &codes)?;
    let boundaries: Vec<MultiPolygon<f64>> = old.iter().map(|c| c.boundary.clone()).collect();
    let union = merge_boundaries(&boundaries).map_err(|refusal| match refusal {
        MergeRefusal::Overlap => RebalanceError::Overlap(listed.clone()),
        MergeRefusal::NotAdjacent => RebalanceError::NotAdjacent(listed.clone()),
    })?;
    // Sequences: the first community keeps its numbers, the others follow after them.
    let mut renumbered = HashMap::new();
    let (mut base_offset, mut dedicated_offset) = (0u16, 0u16);
    let mut merged: Vec<Building> = Vec::with_capacity(buildings.len());
    let mut by_community: BTreeMap<usize, Vec<Building>> = BTreeMap::new();
    for b in buildings {
        let i = old
            .iter()
            .position(|c| Some(&c.code) == b.community.as_ref())
            .unwrap_or(0);
        by_community.entry(i).or_default().push(b);
    }
    for (_, list) in by_community {
        let (mut top_base, mut top_dedicated) = (0u16, 0u16);
        for mut b in list {
            if let Some(g) = &b.grid {
                let s = g.sequence();
                let shifted = if s >= DEDICATED_SEQUENCE_START {
                    top_dedicated = top_dedicated.max(s - DEDICATED_SEQUENCE_START + 1);
                    s + dedicated_offset
                } else {
                    top_base = top_base.max(s);
                    s + base_offset
                };
                if let Some(n) = code.grid(shifted) {
                    renumbered.insert(g.clone(), n.clone());
                    b.grid = Some(n);
                }
            }
            b.community = Some(code.clone());
            merged.push(b);
        }
        base_offset += top_base;
        dedicated_offset += top_dedicated;
    }
    Ok(Targets {
        summary: format!("merge {listed} into {code}"),
        communities: vec![Community {
            code: code.clone(),
            name: name.to_string(),
            boundary: union,
        }],
        buildings: vec![merged],
        retired: codes.into_iter().filter(|c| c != code).collect(),
        renumbered,
    })
}
