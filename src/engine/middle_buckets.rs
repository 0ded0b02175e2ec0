//! The exact median of millions of durations without keeping them: a small log-linear
//! histogram (8 buckets per power of two) tells which buckets hold the middle ranks, and only
//! the samples of those buckets are gathered on a second look.

/// Buckets of a histogram over `u32` durations.
pub const BUCKETS: usize = 240;

/// The bucket of a duration: exact below 8, then 8 buckets per power of two (each at most an
/// eighth of its values wide). Larger durations never fall into smaller buckets.
///
/// ```
/// use gridmap::engine::middle_buckets::{BUCKETS, bucket_of};
/// assert_eq!(bucket_of(0), 0);
/// assert_eq!(bucket_of(7), 7);
/// assert_eq!(bucket_of(8), 8);
/// assert_eq!(bucket_of(15), 15);
/// assert_eq!(bucket_of(16), 16);
/// assert_eq!(bucket_of(17), 16); // 16 and 17 share a bucket two wide
/// assert_eq!(bucket_of(u32::MAX), BUCKETS - 1);
/// ```
pub fn bucket_of(value: u32) -> usize {
    if value < 8 {
        return value as usize;
    }
    let octave = 31 - value.leading_zeros();
    let eighth = (value >> (octave - 3)) - 8;
    8 + (octave as usize - 3) * 8 + eighth as usize
}

/// Where the middle ranks of a histogram's samples lie: the buckets from `first` to `last`
/// hold them, with `below` samples in the buckets before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MiddleBuckets {
    first: usize,
    last: usize,
    below: u64,
    /// The ranks (from 0) whose mean is the median: equal for an odd count.
    lower_rank: u64,
    upper_rank: u64,
}

impl MiddleBuckets {
    /// The middle buckets of a histogram; `None` without samples.
    pub fn of(histogram: &[u32]) -> Option<Self> {
        let count: u64 = histogram.iter().map(|&c| u64::from(c)).sum();
        if count == 0 {
            return None;
        }
        let (lower_rank, upper_rank) = ((count - 1) / 2, count / 2);
        let mut seen = 0u64;
        let mut first = None;
        for (bucket, &c) in histogram.iter().enumerate() {
            let before = seen;
            seen += u64::from(c);
            if first.is_none() && seen > lower_rank {
                first = Some((bucket, before));
            }
            if seen > upper_rank {
                let (first, below) = first.unwrap_or((bucket, before));
                return Some(Self {
                    first,
                    last: bucket,
                    below,
                    lower_rank,
                    upper_rank,
                });
            }
        }
        None
    }

    /// The first bucket holding a middle rank.
    pub fn first(&self) -> usize {
        self.first
    }

    /// The last bucket holding a middle rank.
    pub fn last(&self) -> usize {
        self.last
    }

    /// Whether a sample in `bucket` is one to gather.
    pub fn holds(&self, bucket: usize) -> bool {
        (self.first..=self.last).contains(&bucket)
    }

    /// The median of the histogram's samples, from every sample in the middle buckets (in
    /// any order; they are reordered).
    ///
    /// ```
    /// use gridmap::engine::middle_buckets::{BUCKETS, MiddleBuckets, bucket_of};
    /// let samples = [3_600, 7_200, 9_000, 86_400, 90_000, 400_000];
    /// let mut histogram = vec![0; BUCKETS];
    /// for s in samples {
    ///     histogram[bucket_of(s)] += 1;
    /// }
    /// let middle = MiddleBuckets::of(&histogram).unwrap();
    /// let mut gathered: Vec<u32> =
    ///     samples.into_iter().filter(|&s| middle.holds(bucket_of(s))).collect();
    /// assert_eq!(middle.median(&mut gathered), Some((9_000.0 + 86_400.0) / 2.0));
    /// ```
    pub fn median(&self, gathered: &mut [u32]) -> Option<f64> {
        let mut nth = |rank: u64| -> Option<u32> {
            let at = usize::try_from(rank.checked_sub(self.below)?).ok()?;
            (at < gathered.len()).then(|| *gathered.select_nth_unstable(at).1)
        };
        let lower = nth(self.lower_rank)?;
        let upper = nth(self.upper_rank)?;
        Some((f64::from(lower) + f64::from(upper)) / 2.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_grow_with_the_value_and_stay_narrow() {
        let mut previous = 0;
        for value in (0..2_000_000u32).chain([u32::MAX - 1, u32::MAX]) {
            let bucket = bucket_of(value);
            assert!(bucket >= previous && bucket < BUCKETS, "{value}");
            previous = bucket;
        }
        // A bucket spans at most an eighth of its lowest value.
        let widest = (8..1_000_000u32)
            .filter(|&v| bucket_of(v) != bucket_of(v - 1))
            .map(|start| {
                let end = (start..)
                    .find(|&v| bucket_of(v) != bucket_of(start))
                    .unwrap();
                f64::from(end - start) / f64::from(start)
            })
            .fold(0.0, f64::max);
        assert!(widest <= 0.125, "{widest}");
    }

    /// A deterministic spread of durations, some repeated.
    fn samples(n: u32, seed: u32) -> Vec<u32> {
        (0..n)
            .map(|i| (i.wrapping_mul(2_654_435_761) ^ seed) % 2_000_000 / (1 + i % 3))
            .collect()
    }

    #[test]
    fn the_median_equals_the_median_of_all_samples() {
        for n in [1, 2, 3, 10, 999, 1_000] {
            let all = samples(n, n * 31);
            let mut histogram = vec![0; BUCKETS];
            for &s in &all {
                histogram[bucket_of(s)] += 1;
            }
            let middle = MiddleBuckets::of(&histogram).unwrap();
            let mut gathered: Vec<u32> = all
                .iter()
                .copied()
                .filter(|&s| middle.holds(bucket_of(s)))
                .collect();
            let mut sorted = all.clone();
            sorted.sort_unstable();
            let expected =
                (f64::from(sorted[(all.len() - 1) / 2]) + f64::from(sorted[all.len() / 2])) / 2.0;
            assert_eq!(middle.median(&mut gathered), Some(expected), "{n} samples");
            assert!(
                gathered.len() <= all.len() / 4 + 2,
                "{n}: {}",
                gathered.len()
            );
        }
        assert_eq!(MiddleBuckets::of(&[0; BUCKETS]), None);
    }

    #[test]
    fn ranks_in_two_buckets_gather_both() {
        let mut histogram = vec![0; BUCKETS];
        histogram[bucket_of(100)] += 1;
        histogram[bucket_of(5_000)] += 1;
        let middle = MiddleBuckets::of(&histogram).unwrap();
        assert!(middle.holds(bucket_of(100)) && middle.holds(bucket_of(5_000)));
        assert_eq!(middle.median(&mut [5_000, 100]), Some(2_550.0));
        // Fewer samples than counted (none gathered): no median rather than a wrong one.
        assert_eq!(middle.median(&mut []), None);
    }
}
