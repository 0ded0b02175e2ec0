//! Douglas–Peucker simplification on a slice of points (tile units), without building
//! geometry types: the ends stay, and every dropped point lies within the tolerance of the
//! kept line.

/// Keeps the points of `points` needed to stay within `tolerance` of the original.
///
/// ```
/// use gridmap::mvt::douglas_peucker::simplify;
/// let line = [[0.0, 0.0], [5.0, 0.4], [10.0, 0.0], [10.0, 10.0]];
/// assert_eq!(simplify(&line, 1.0), vec![[0.0, 0.0], [10.0, 0.0], [10.0, 10.0]]);
/// ```
pub fn simplify(points: &[[f64; 2]], tolerance: f64) -> Vec<[f64; 2]> {
    let n = points.len();
    if n <= 2 || tolerance <= 0.0 {
        return points.to_vec();
    }
    let mut keep = vec![false; n];
    keep[0] = true;
    keep[n - 1] = true;
    let limit = tolerance * tolerance;
    let mut stack = vec![(0usize, n - 1)];
    while let Some((first, last)) = stack.pop() {
        let (a, b) = (points[first], points[last]);
        let (mut worst, mut at) = (0.0f64, 0usize);
        for (i, p) in points.iter().enumerate().take(last).skip(first + 1) {
            let d = squared_distance_to_segment(*p, a, b);
            if d > worst {
                worst = d;
                at = i;
            }
        }
        if worst > limit {
            keep[at] = true;
            stack.push((first, at));
            stack.push((at, last));
        }
    }
    points
        .iter()
        .zip(keep)
        .filter_map(|(p, k)| k.then_some(*p))
        .collect()
}

fn squared_distance_to_segment(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let length2 = dx * dx + dy * dy;
    let t = if length2 == 0.0 {
        0.0
    } else {
        (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length2).clamp(0.0, 1.0)
    };
    let (x, y) = (a[0] + t * dx - p[0], a[1] + t * dy - p[1]);
    x * x + y * y
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn dropped_points_stay_within_the_tolerance_and_ends_stay(
            pts in proptest::collection::vec((-500.0f64..500.0, -500.0f64..500.0), 2..40),
            tolerance in 0.1f64..50.0,
        ) {
            let line: Vec<[f64; 2]> = pts.iter().map(|&(x, y)| [x, y]).collect();
            let kept = simplify(&line, tolerance);
            prop_assert_eq!(kept.first(), line.first());
            prop_assert_eq!(kept.last(), line.last());
            // Kept points are a subsequence; each dropped point is within the tolerance of
            // the kept segment spanning it.
            let mut kept_at = Vec::new();
            let mut from = 0;
            for k in &kept {
                let i = from + line[from..].iter().position(|p| p == k).unwrap();
                kept_at.push(i);
                from = i + 1;
            }
            for w in kept_at.windows(2) {
                for p in &line[w[0]..=w[1]] {
                    let d = squared_distance_to_segment(*p, line[w[0]], line[w[1]]);
                    prop_assert!(d <= tolerance * tolerance + 1e-9);
                }
            }
        }
    }
}
