//! A bounded log of which keys changed, in order: followers (a dispatcher's screen, a
//! worker's phone) keep a [`Cursor`] and ask what changed since; one that fell further
//! behind than the log holds, or whose log was rebuilt, is told to reload.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};

/// Changes a log remembers.
pub const CHANGE_LOG_CAPACITY: usize = 8_192;

/// Each log gets its own epoch: a cursor from another (a rebuilt book) is lost.
static NEXT_EPOCH: AtomicU64 = AtomicU64::new(1);

/// Where a follower stands in a log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    epoch: u64,
    seq: u64,
}

/// What changed since a cursor.
#[derive(Debug, PartialEq, Eq)]
pub enum Since<K> {
    /// These keys (each once, in order of their last change) and the cursor after them.
    Changed(Vec<K>, Cursor),
    Unchanged,
    /// Too far behind, or another log: reload everything.
    Lost(Cursor),
}

/// The log.
#[derive(Debug, Clone)]
pub struct ChangeLog<K> {
    epoch: u64,
    /// The sequence number of the next change.
    next: u64,
    entries: VecDeque<(u64, K)>,
}

impl<K> Default for ChangeLog<K> {
    fn default() -> Self {
        Self {
            epoch: NEXT_EPOCH.fetch_add(1, Ordering::Relaxed),
            next: 0,
            entries: VecDeque::new(),
        }
    }
}

impl<K: Clone + Eq + std::hash::Hash> ChangeLog<K> {
    /// Notes that `key` changed.
    pub fn record(&mut self, key: K) {
        if self.entries.len() == CHANGE_LOG_CAPACITY {
            self.entries.pop_front();
        }
        self.entries.push_back((self.next, key));
        self.next += 1;
    }

    /// The cursor of a follower that has seen everything so far.
    pub fn cursor(&self) -> Cursor {
        Cursor {
            epoch: self.epoch,
            seq: self.next,
        }
    }

    /// What changed since `cursor`.
    ///
    /// ```
    /// use gridmap::engine::change_log::{ChangeLog, Since};
    /// let mut log = ChangeLog::default();
    /// let start = log.cursor();
    /// log.record("a");
    /// log.record("b");
    /// log.record("a");
    /// let Since::Changed(keys, now) = log.since(start) else { panic!() };
    /// assert_eq!(keys, ["b", "a"]);
    /// assert_eq!(log.since(now), Since::Unchanged);
    /// assert!(matches!(ChangeLog::<&str>::default().since(now), Since::Lost(_)));
    /// ```
    pub fn since(&self, cursor: Cursor) -> Since<K> {
        let now = self.cursor();
        if cursor.epoch != self.epoch
            || cursor.seq > self.next
            || self
                .entries
                .front()
                .is_some_and(|(first, _)| cursor.seq < *first)
        {
            return Since::Lost(now);
        }
        if cursor.seq == self.next {
            return Since::Unchanged;
        }
        let mut seen = std::collections::HashSet::new();
        let mut keys: Vec<K> = Vec::new();
        for (_, key) in self
            .entries
            .iter()
            .rev()
            .take_while(|(seq, _)| *seq >= cursor.seq)
        {
            if seen.insert(key) {
                keys.push(key.clone());
            }
        }
        keys.reverse();
        Since::Changed(keys, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_follower_too_far_behind_reloads() {
        let mut log = ChangeLog::default();
        let start = log.cursor();
        for i in 0..=CHANGE_LOG_CAPACITY {
            log.record(i);
        }
        assert!(matches!(log.since(start), Since::Lost(_)));
        let recent = log.cursor();
        log.record(7);
        assert_eq!(log.since(recent), Since::Changed(vec![7], log.cursor()));
    }
}
