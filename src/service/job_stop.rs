//! When an expensive job started by a request gives up: its caller went away (the request's
//! future was dropped) or its time limit passed. Jobs check between units of work (a
//! community) and then write nothing.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The stop condition of one job; the default never stops.
#[derive(Debug, Clone, Default)]
pub struct JobStop {
    pub cancelled: Arc<AtomicBool>,
    pub deadline: Option<Instant>,
}

/// Why a job stopped before its end; nothing was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum JobStopped {
    #[error("its caller went away")]
    Cancelled,
    #[error(
        "it ran past the time limit; work on a smaller scope, or raise serve's --job-time-limit-s"
    )]
    TimeLimit,
}

impl JobStop {
    /// A stop at `limit` from now.
    pub fn after(limit: Duration) -> Self {
        Self {
            cancelled: Arc::default(),
            deadline: Instant::now().checked_add(limit),
        }
    }

    /// Whether to stop now, and why.
    pub fn check(&self) -> Result<(), JobStopped> {
        if self.cancelled.load(Ordering::Relaxed) {
            Err(JobStopped::Cancelled)
        } else if self.deadline.is_some_and(|d| Instant::now() >= d) {
            Err(JobStopped::TimeLimit)
        } else {
            Ok(())
        }
    }

    /// A guard that cancels this stop when dropped before [`CancelOnDrop::disarm`]: held
    /// by a request's future for the whole job, so that a client going away at any point
    /// stops the work.
    pub fn cancel_on_drop(&self) -> CancelOnDrop {
        CancelOnDrop(Some(self.cancelled.clone()))
    }

    /// Runs the CPU-bound `work` on a blocking thread of its own. If the awaiting future is
    /// dropped first (the client went away), the stop is cancelled so that `work`, checking
    /// it, gives up at its next check. At the time limit the answer comes at once, whatever
    /// `work` is doing; it gives up at its next check and its result is dropped.
    pub async fn run_blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, JobStopped> {
        let guard = self.cancel_on_drop();
        let handle = tokio::task::spawn_blocking(work);
        let joined = match self.deadline {
            Some(deadline) => match tokio::time::timeout_at(deadline.into(), handle).await {
                Ok(joined) => joined,
                // Dropping the guard cancels the work.
                Err(_) => return Err(JobStopped::TimeLimit),
            },
            None => handle.await,
        };
        guard.disarm();
        match joined {
            Ok(done) => Ok(done),
            // A blocking task is only cancelled when the runtime shuts down.
            Err(e) if e.is_cancelled() => Err(JobStopped::Cancelled),
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        }
    }
}

/// Cancels a [`JobStop`] when dropped, unless disarmed first.
#[derive(Debug)]
#[must_use = "the guard cancels the job as soon as it is dropped"]
pub struct CancelOnDrop(Option<Arc<AtomicBool>>);

impl CancelOnDrop {
    /// The job is done: dropping the guard no longer cancels it.
    pub fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if let Some(flag) = &self.0 {
            flag.store(true, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_passed_deadline_or_a_cancel_stops_and_the_default_never_does() {
        assert_eq!(JobStop::default().check(), Ok(()));
        assert_eq!(
            JobStop::after(Duration::ZERO).check(),
            Err(JobStopped::TimeLimit)
        );
        let stop = JobStop::after(Duration::from_secs(3600));
        assert_eq!(stop.check(), Ok(()));
        stop.cancelled.store(true, Ordering::Relaxed);
        assert_eq!(stop.check(), Err(JobStopped::Cancelled));
    }

    #[tokio::test]
    async fn dropping_the_awaiting_future_cancels_the_stop() {
        let stop = JobStop::default();
        let job = stop.run_blocking(|| std::thread::sleep(Duration::from_millis(200)));
        let _ = tokio::time::timeout(Duration::from_millis(20), job).await;
        assert_eq!(stop.check(), Err(JobStopped::Cancelled));
        let finished = JobStop::default();
        assert_eq!(finished.run_blocking(|| 7).await, Ok(7));
        assert_eq!(finished.check(), Ok(()), "a finished job is not cancelled");
    }

    #[tokio::test]
    async fn the_answer_comes_at_the_time_limit_whatever_the_work_does() {
        let stop = JobStop::after(Duration::from_millis(50));
        let started = Instant::now();
        let job = stop.run_blocking(|| std::thread::sleep(Duration::from_millis(1500)));
        assert_eq!(job.await, Err(JobStopped::TimeLimit));
        assert!(
            started.elapsed() < Duration::from_millis(1000),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(
            stop.check(),
            Err(JobStopped::Cancelled),
            "the work is told to give up"
        );
    }
}
