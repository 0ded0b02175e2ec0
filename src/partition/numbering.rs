//! Grid codes: the community code plus a 3-digit sequence numbered west→east,
//! north→south, base grids 001–899 and dedicated grids 901–999. A keep-existing partition
//! keeps each old code with the grid holding most of its sites.

use super::drawing::DrawnGrid;
use super::error::PartitionError;
use super::options::Start;
use super::roles::Role;
use crate::domain::{Community, GridCode};
use crate::spatial::reading_order;
use geo_types::Point;
use std::collections::{BTreeMap, HashMap, HashSet};

/// First sequence number of dedicated grids within a community.
pub const DEDICATED_SEQUENCE_START: u16 = 901;

/// The code of every drawn grid, as `(index into drawn, code)`: base grids first, each
/// kind in reading order. With [`Start::KeepExisting`] each old code stays with the grid
/// holding most of its sites (largest overlaps first); grids left without one take
/// sequences after the highest in use, so a retired code is never given to another grid.
pub(crate) fn number_grids(
    community: &Community,
    drawn: &[DrawnGrid],
    current_grids: &[Option<GridCode>],
    start: Start,
) -> Result<Vec<(usize, GridCode)>, PartitionError> {
    let too_many = || PartitionError::TooManyGrids {
        community: community.code.clone(),
        count: drawn.len(),
    };
    let base_count = drawn
        .iter()
        .filter(|d| matches!(d.role, Role::Base(_)))
        .count();
    let dedicated_count = drawn.len() - base_count;
    if base_count > usize::from(DEDICATED_SEQUENCE_START - 1)
        || dedicated_count > usize::from(999 - DEDICATED_SEQUENCE_START + 1)
    {
        return Err(too_many());
    }
    let mut numbered = Vec::with_capacity(drawn.len());
    for dedicated in [false, true] {
        let indices: Vec<usize> = (0..drawn.len())
            .filter(|&i| matches!(drawn[i].role, Role::Dedicated(_)) == dedicated)
            .collect();
        let centres: Vec<Point<f64>> = indices.iter().map(|&i| drawn[i].centre).collect();
        let range = if dedicated {
            DEDICATED_SEQUENCE_START..=999
        } else {
            1..=DEDICATED_SEQUENCE_START - 1
        };
        let mut taken: HashSet<u16> = HashSet::new();
        let order = reading_order(&centres);
        let mut codes: HashMap<usize, GridCode> = HashMap::new();
        let mut next = *range.start();
        if start == Start::KeepExisting {
            let mut overlaps: Vec<(usize, GridCode, usize)> = Vec::new();
            for (o, &i) in indices.iter().enumerate() {
                let mut counts: BTreeMap<&GridCode, usize> = BTreeMap::new();
                for &s in &drawn[i].sites {
                    if let Some(code) = &current_grids[s]
                        && range.contains(&code.sequence())
                    {
                        *counts.entry(code).or_default() += 1;
                    }
                }
                overlaps.extend(counts.into_iter().map(|(c, n)| (n, c.clone(), o)));
            }
            let highest = current_grids
                .iter()
                .flatten()
                .map(GridCode::sequence)
                .filter(|s| range.contains(s))
                .max();
            if let Some(h) = highest {
                next = h + 1;
            }
            overlaps.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
            for (_, code, o) in overlaps {
                if !codes.contains_key(&o) && taken.insert(code.sequence()) {
                    codes.insert(o, code);
                }
            }
        }
        for &o in &order {
            if codes.contains_key(&o) {
                continue;
            }
            while taken.contains(&next) {
                next += 1;
            }
            taken.insert(next);
            let code = community.code.grid(next).ok_or_else(too_many)?;
            codes.insert(o, code);
        }
        for o in order {
            let code = codes.remove(&o).ok_or_else(too_many)?;
            numbered.push((indices[o], code));
        }
    }
    Ok(numbered)
}
