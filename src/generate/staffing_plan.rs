//! Who serves which grid once a generated district is partitioned: one street staffed as
//! Suizhou does it (a grid leader, a grid worker and a patrol member in every grid), every
//! other base grid its grid worker (一格一员) and every community a leader, and workers
//! beyond that spread unevenly, so that some communities fall below the norm of workers per
//! 10,000 residents as they do in the field.

use crate::domain::*;
use chrono::{DateTime, Duration, Utc};
use geo_types::Point;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A base grid and places inside it where its workers stand.
#[derive(Debug, Clone)]
pub struct GridPost {
    pub grid: GridCode,
    /// Points inside the grid (at least one).
    pub places: Vec<Point<f64>>,
}

/// A community's base grids and residents.
#[derive(Debug, Clone)]
pub struct CommunityPosts {
    pub community: CommunityCode,
    pub residents: u64,
    pub grids: Vec<GridPost>,
}

/// The plan's settings.
#[derive(Debug, Clone)]
pub struct StaffingPlanOptions {
    /// The street staffed as Suizhou (three people per grid).
    pub model_street: StreetCode,
    /// Workers per 10,000 residents the field norm asks for.
    pub norm_per_10k: f64,
    /// Share of the other communities staffed below the norm.
    pub short_share: f64,
    /// Positions are reported before this moment.
    pub now: DateTime<Utc>,
    pub seed: u64,
}

/// A post to fill: role, the grids served, where the worker stands.
struct Post {
    role: WorkerRole,
    grids: Vec<GridCode>,
    position: Point<f64>,
}

fn place(post: &GridPost, k: usize) -> Point<f64> {
    post.places
        .get(k % post.places.len().max(1))
        .copied()
        .unwrap_or(Point::new(0.0, 0.0))
}

/// The posts of one community, the essential ones first, and whether it is staffed at or
/// above the norm (where workers left over go).
fn community_posts(
    c: &CommunityPosts,
    options: &StaffingPlanOptions,
    rng: &mut ChaCha8Rng,
) -> (Vec<Post>, Vec<Post>, bool) {
    let mut essential = Vec::new();
    let mut extra = Vec::new();
    let Some(first) = c.grids.first() else {
        return (essential, extra, false);
    };
    if c.community.street() == options.model_street {
        for g in &c.grids {
            for (k, role) in [
                WorkerRole::GridLeader,
                WorkerRole::GridWorker,
                WorkerRole::Patrol,
            ]
            .into_iter()
            .enumerate()
            {
                essential.push(Post {
                    role,
                    grids: vec![g.grid.clone()],
                    position: place(g, k),
                });
            }
        }
        return (essential, extra, false);
    }
    for g in &c.grids {
        essential.push(Post {
            role: WorkerRole::GridWorker,
            grids: vec![g.grid.clone()],
            position: place(g, 0),
        });
    }
    essential.push(Post {
        role: WorkerRole::GridLeader,
        grids: c.grids.iter().map(|g| g.grid.clone()).collect(),
        position: place(first, 1),
    });
    let short = rng.random_bool(options.short_share);
    let factor = if short {
        rng.random_range(0.6..0.9)
    } else {
        rng.random_range(1.05..1.4)
    };
    let quota = (options.norm_per_10k * factor * c.residents as f64 / 10_000.0).round() as usize;
    for k in 0..quota.saturating_sub(essential.len()) {
        extra.push(extra_post(c, k));
    }
    (essential, extra, !short)
}

/// The `k`-th post beyond the essential ones: patrols and second grid workers, grid by grid.
fn extra_post(c: &CommunityPosts, k: usize) -> Post {
    let g = &c.grids[k % c.grids.len().max(1)];
    Post {
        role: if k % 3 == 2 {
            WorkerRole::GridWorker
        } else {
            WorkerRole::Patrol
        },
        grids: vec![g.grid.clone()],
        position: place(g, k + 2),
    }
}

/// Gives the workers of `pool` (in order) the posts of every community: first every
/// essential post of every community, then the extras while workers last; workers left
/// over become extras of the communities at or above the norm, in turn. Deterministic for
/// the same input and seed.
pub fn staff(
    pool: &[Worker],
    communities: &[CommunityPosts],
    options: &StaffingPlanOptions,
) -> Vec<Worker> {
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let (mut essential, mut extra, mut full) = (Vec::new(), Vec::new(), Vec::new());
    for c in communities {
        let (e, x, at_norm) = community_posts(c, options, &mut rng);
        if at_norm {
            full.push((c, x.len()));
        }
        essential.extend(e);
        extra.extend(x);
    }
    let planned = essential.len() + extra.len();
    let overflow = (0..pool.len().saturating_sub(planned)).filter_map(|k| {
        let (c, taken) = full.get(k % full.len().max(1))?;
        Some(extra_post(c, taken + k / full.len().max(1)))
    });
    let posts = essential.into_iter().chain(extra).chain(overflow);
    let mut staffed: Vec<Worker> = pool
        .iter()
        .zip(posts)
        .map(|(w, post)| {
            let on_duty = rng.random_bool(0.7);
            let ago = if on_duty {
                rng.random_range(0..1_800)
            } else {
                rng.random_range(3_600..86_400)
            };
            Worker {
                role: post.role,
                grids: post.grids,
                duty: if on_duty {
                    DutyStatus::OnDuty
                } else {
                    DutyStatus::OffDuty
                },
                position: Some(post.position),
                position_at: Some(options.now - Duration::seconds(ago)),
                retired_at: None,
                ..w.clone()
            }
        })
        .collect();
    staffed.extend(pool.iter().skip(staffed.len()).cloned());
    staffed
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn community(code: &str, grids: usize) -> CommunityPosts {
        CommunityPosts {
            community: CommunityCode::new(code).unwrap(),
            residents: 6_500,
            grids: (0..grids)
                .map(|g| GridPost {
                    grid: GridCode::new(format!("{code}{g:03}")).unwrap(),
                    places: vec![Point::new(110.0, 39.8)],
                })
                .collect(),
        }
    }

    fn pool(n: usize) -> Vec<Worker> {
        (0..n)
            .map(|k| Worker {
                id: WorkerId(format!("W{k:05}")),
                name: format!("网格员{k}"),
                phone: None,
                role: WorkerRole::Patrol,
                grids: Vec::new(),
                community: None,
                duty: DutyStatus::OffDuty,
                position: None,
                position_at: None,
                retired_at: None,
            })
            .collect()
    }

    #[test]
    fn the_model_street_has_three_per_grid_and_every_grid_its_worker() {
        let communities = vec![
            community("150602001001", 8),
            community("150602002001", 9),
            community("150602002002", 10),
        ];
        let options = StaffingPlanOptions {
            model_street: StreetCode::new("150602001").unwrap(),
            norm_per_10k: 18.0,
            short_share: 0.5,
            now: Utc.with_ymd_and_hms(2026, 12, 1, 2, 0, 0).unwrap(),
            seed: 1,
        };
        let workers = staff(&pool(60), &communities, &options);
        assert_eq!(workers.len(), 60);
        for c in &communities {
            for g in &c.grids {
                let serving: Vec<_> = workers
                    .iter()
                    .filter(|w| w.grids.contains(&g.grid))
                    .collect();
                assert!(
                    serving.iter().any(|w| w.role == WorkerRole::GridWorker),
                    "{}",
                    g.grid
                );
                if c.community.street() == options.model_street {
                    let mut roles: Vec<_> = serving.iter().map(|w| w.role.as_str()).collect();
                    roles.sort();
                    assert_eq!(roles, ["grid_leader", "grid_worker", "patrol"]);
                }
            }
        }
        // Too few workers: every grid still has its grid worker before any extra is placed.
        let short = staff(&pool(8 * 3 + 9 + 10 + 2), &communities, &options);
        for c in &communities[1..] {
            for g in &c.grids {
                assert!(
                    short.iter().any(
                        |w| w.grids == vec![g.grid.clone()] && w.role == WorkerRole::GridWorker
                    )
                );
            }
        }
    }
}
