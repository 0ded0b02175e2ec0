//! What a planner asks to change — household adjustments, a split or a merge — and why a
//! change is refused.

use crate::domain::{CommunityCode, Lines, StreetCode, TextError, check_text};
use crate::partition::PartitionError;
use crate::store::StoreError;
use geo_types::Geometry;

/// What to change.
#[derive(Debug, Clone, PartialEq)]
pub enum Operation {
    /// Rebalance the grids of communities whose households or buildings changed.
    Adjust { communities: Vec<CommunityCode> },
    /// Cut a community along a line (or around a polygon) into new communities.
    Split {
        community: CommunityCode,
        blade: Geometry<f64>,
        codes: Vec<CommunityCode>,
        names: Vec<String>,
    },
    /// Join adjacent communities into one.
    Merge {
        communities: Vec<CommunityCode>,
        code: CommunityCode,
        name: String,
    },
}

/// Why a rebalancing was refused; nothing is written.
#[derive(Debug, thiserror::Error)]
pub enum RebalanceError {
    #[error("community {0} not found")]
    UnknownCommunity(CommunityCode),
    #[error("the preview stopped before its end ({0}): nothing was written")]
    Stopped(#[from] crate::service::job_stop::JobStopped),
    #[error("the split line does not cross community {0}")]
    BladeMisses(CommunityCode),
    #[error(
        "the split cuts community {community} into {parts} parts; give {parts} codes (got {codes})"
    )]
    PartsMismatch {
        community: CommunityCode,
        parts: usize,
        codes: usize,
    },
    #[error("community code {code} is taken")]
    CodeTaken { code: CommunityCode },
    #[error("community code {code} is not under street {street}")]
    WrongStreet {
        code: CommunityCode,
        street: StreetCode,
    },
    #[error("communities {0} are not adjacent")]
    NotAdjacent(String),
    #[error("communities {0} overlap")]
    Overlap(String),
    #[error("merge needs at least two communities")]
    TooFew,
    #[error("{field} is empty")]
    EmptyList { field: &'static str },
    #[error("{field} lists {code} twice")]
    Duplicate {
        field: &'static str,
        code: CommunityCode,
    },
    #[error("{field} lists {count} communities; at most {max}")]
    TooMany {
        field: &'static str,
        count: usize,
        max: usize,
    },
    #[error("{field}: {reason}")]
    BadName {
        field: &'static str,
        reason: TextError,
    },
    #[error(transparent)]
    Partition(#[from] PartitionError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Longest community name, in characters.
pub const MAX_NAME_CHARS: usize = 100;
/// Most communities one operation names (a district has about a hundred).
pub const MAX_COMMUNITIES: usize = 1_000;

/// Refuses an empty list, a community listed twice and more than [`MAX_COMMUNITIES`].
fn check_list(field: &'static str, codes: &[CommunityCode]) -> Result<(), RebalanceError> {
    if codes.is_empty() {
        return Err(RebalanceError::EmptyList { field });
    }
    if codes.len() > MAX_COMMUNITIES {
        return Err(RebalanceError::TooMany {
            field,
            count: codes.len(),
            max: MAX_COMMUNITIES,
        });
    }
    let mut seen = std::collections::BTreeSet::new();
    for c in codes {
        if !seen.insert(c) {
            return Err(RebalanceError::Duplicate {
                field,
                code: c.clone(),
            });
        }
    }
    Ok(())
}

impl Operation {
    /// Refuses, before any work (nothing is written): empty or repeated community lists,
    /// more than [`MAX_COMMUNITIES`], and names with control characters or longer than
    /// [`MAX_NAME_CHARS`].
    pub fn check(&self) -> Result<(), RebalanceError> {
        let (field, names): (&'static str, Vec<&String>) = match self {
            Operation::Adjust { communities } => {
                return check_list("communities", communities);
            }
            Operation::Split { codes, names, .. } => {
                check_list("codes", codes)?;
                ("names", names.iter().collect())
            }
            Operation::Merge {
                communities, name, ..
            } => {
                check_list("communities", communities)?;
                ("name", vec![name])
            }
        };
        for name in names {
            check_text(name, MAX_NAME_CHARS, Lines::Single)
                .map_err(|reason| RebalanceError::BadName { field, reason })?;
        }
        Ok(())
    }

    /// The communities the operation starts from.
    pub fn communities(&self) -> Vec<CommunityCode> {
        match self {
            Operation::Adjust { communities } => communities.clone(),
            Operation::Split { community, .. } => vec![community.clone()],
            Operation::Merge { communities, .. } => communities.clone(),
        }
    }

    /// The communities a commit touches: those it starts from and, for a split, the new codes.
    pub fn touched(&self) -> Vec<&CommunityCode> {
        match self {
            Operation::Adjust { communities } | Operation::Merge { communities, .. } => {
                communities.iter().collect()
            }
            Operation::Split {
                community, codes, ..
            } => std::iter::once(community).chain(codes).collect(),
        }
    }

    /// The operation as recorded with its plan version.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Operation::Adjust { communities } => serde_json::json!({"adjust": communities}),
            Operation::Split {
                community,
                blade,
                codes,
                names,
            } => serde_json::json!({
                "split": community, "codes": codes, "names": names,
                "blade": geojson::Geometry::new(geojson::Value::from(blade)),
            }),
            Operation::Merge {
                communities,
                code,
                name,
            } => serde_json::json!({"merge": communities, "code": code, "name": name}),
        }
    }
}
