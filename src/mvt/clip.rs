//! Clipping to a tile's buffered square: rings by Sutherland–Hodgman (the result may run
//! along the square's edge, which the buffer keeps out of sight), lines by
//! Liang–Barsky per segment, joined where consecutive pieces meet.

/// An axis-aligned square `min..=max` on both axes (tile units).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClipBox {
    pub min: f64,
    pub max: f64,
}

impl ClipBox {
    fn contains(self, p: [f64; 2]) -> bool {
        p[0] >= self.min && p[0] <= self.max && p[1] >= self.min && p[1] <= self.max
    }
}

#[derive(Clone, Copy)]
enum Edge {
    Left,
    Right,
    Top,
    Bottom,
}

impl Edge {
    fn inside(self, p: [f64; 2], b: ClipBox) -> bool {
        match self {
            Edge::Left => p[0] >= b.min,
            Edge::Right => p[0] <= b.max,
            Edge::Top => p[1] >= b.min,
            Edge::Bottom => p[1] <= b.max,
        }
    }

    fn cross(self, a: [f64; 2], c: [f64; 2], b: ClipBox) -> [f64; 2] {
        let (axis, value) = match self {
            Edge::Left => (0, b.min),
            Edge::Right => (0, b.max),
            Edge::Top => (1, b.min),
            Edge::Bottom => (1, b.max),
        };
        let t = (value - a[axis]) / (c[axis] - a[axis]);
        let mut p = [a[0] + t * (c[0] - a[0]), a[1] + t * (c[1] - a[1])];
        p[axis] = value;
        p
    }
}

/// Clips a closed ring (first point repeated last, or not) to the box; the result is open
/// (no repeated last point) and empty when nothing is inside.
///
/// ```
/// use gridmap::mvt::clip::{clip_ring, ClipBox};
/// let square = [[-10.0, -10.0], [10.0, -10.0], [10.0, 10.0], [-10.0, 10.0]];
/// let clipped = clip_ring(&square, ClipBox { min: 0.0, max: 100.0 });
/// assert_eq!(clipped.len(), 4);
/// assert!(clipped.iter().all(|p| p[0] >= 0.0 && p[1] >= 0.0));
/// ```
pub fn clip_ring(ring: &[[f64; 2]], b: ClipBox) -> Vec<[f64; 2]> {
    let mut points: Vec<[f64; 2]> = ring.to_vec();
    if points.len() > 1 && points.first() == points.last() {
        points.pop();
    }
    if points.iter().all(|&p| b.contains(p)) {
        return points;
    }
    let mut next = Vec::with_capacity(points.len() + 4);
    for edge in [Edge::Left, Edge::Right, Edge::Top, Edge::Bottom] {
        next.clear();
        let Some(&last) = points.last() else {
            return points;
        };
        let mut prev = last;
        for &p in &points {
            match (edge.inside(prev, b), edge.inside(p, b)) {
                (true, true) => next.push(p),
                (true, false) => next.push(edge.cross(prev, p, b)),
                (false, true) => {
                    next.push(edge.cross(prev, p, b));
                    next.push(p);
                }
                (false, false) => {}
            }
            prev = p;
        }
        std::mem::swap(&mut points, &mut next);
    }
    points
}

/// Clips a line to the box: the pieces inside, each with at least two points.
///
/// ```
/// use gridmap::mvt::clip::{clip_line, ClipBox};
/// let line = [[-5.0, 5.0], [5.0, 5.0], [5.0, 200.0], [6.0, 5.0]];
/// let pieces = clip_line(&line, ClipBox { min: 0.0, max: 100.0 });
/// assert_eq!(pieces.len(), 2);
/// assert_eq!(pieces[0], vec![[0.0, 5.0], [5.0, 5.0], [5.0, 100.0]]);
/// ```
pub fn clip_line(line: &[[f64; 2]], b: ClipBox) -> Vec<Vec<[f64; 2]>> {
    let mut pieces: Vec<Vec<[f64; 2]>> = Vec::new();
    let mut current: Vec<[f64; 2]> = Vec::new();
    for w in line.windows(2) {
        match clip_segment(w[0], w[1], b) {
            Some((p, q)) => {
                if current.last() != Some(&p) {
                    if current.len() >= 2 {
                        pieces.push(std::mem::take(&mut current));
                    }
                    current.clear();
                    current.push(p);
                }
                current.push(q);
            }
            None => {
                if current.len() >= 2 {
                    pieces.push(std::mem::take(&mut current));
                }
                current.clear();
            }
        }
    }
    if current.len() >= 2 {
        pieces.push(current);
    }
    pieces
}

/// Liang–Barsky: the part of segment `a`–`c` inside the box.
fn clip_segment(a: [f64; 2], c: [f64; 2], b: ClipBox) -> Option<([f64; 2], [f64; 2])> {
    let d = [c[0] - a[0], c[1] - a[1]];
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [
        (-d[0], a[0] - b.min),
        (d[0], b.max - a[0]),
        (-d[1], a[1] - b.min),
        (d[1], b.max - a[1]),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let r = q / p;
            if p < 0.0 {
                t0 = t0.max(r);
            } else {
                t1 = t1.min(r);
            }
            if t0 > t1 {
                return None;
            }
        }
    }
    let at = |t: f64| {
        [
            (a[0] + t * d[0]).clamp(b.min, b.max),
            (a[1] + t * d[1]).clamp(b.min, b.max),
        ]
    };
    let (p, q) = (
        if t0 == 0.0 { a } else { at(t0) },
        if t1 == 1.0 { c } else { at(t1) },
    );
    Some((p, q))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const BOX: ClipBox = ClipBox {
        min: -64.0,
        max: 4160.0,
    };

    fn area(ring: &[[f64; 2]]) -> f64 {
        let n = ring.len();
        (0..n)
            .map(|i| {
                let (p, q) = (ring[i], ring[(i + 1) % n]);
                p[0] * q[1] - q[0] * p[1]
            })
            .sum::<f64>()
            / 2.0
    }

    #[test]
    fn a_ring_covering_the_box_becomes_the_box() {
        let big = [[-1e5, -1e5], [1e5, -1e5], [1e5, 1e5], [-1e5, 1e5]];
        let clipped = clip_ring(&big, BOX);
        let side = BOX.max - BOX.min;
        assert!((area(&clipped).abs() - side * side).abs() < 1e-6);
    }

    #[test]
    fn a_ring_outside_is_gone() {
        let far = [[5000.0, 5000.0], [6000.0, 5000.0], [6000.0, 6000.0]];
        assert!(clip_ring(&far, BOX).is_empty());
    }

    proptest! {
        #[test]
        fn clipped_ring_points_stay_in_the_box(
            pts in proptest::collection::vec((-3000.0f64..7000.0, -3000.0f64..7000.0), 3..12)
        ) {
            let ring: Vec<[f64; 2]> = pts.iter().map(|&(x, y)| [x, y]).collect();
            let clipped = clip_ring(&ring, BOX);
            for p in &clipped {
                prop_assert!(BOX.contains(*p), "{p:?}");
            }
        }

        #[test]
        fn clipped_lines_stay_in_the_box(
            pts in proptest::collection::vec((-3000.0f64..7000.0, -3000.0f64..7000.0), 2..12)
        ) {
            let line: Vec<[f64; 2]> = pts.iter().map(|&(x, y)| [x, y]).collect();
            for piece in clip_line(&line, BOX) {
                prop_assert!(piece.len() >= 2);
                for p in piece {
                    prop_assert!(BOX.contains(p), "{p:?}");
                }
            }
        }
    }
}
