//! Limits on what one client may do without signing in: public reports and tracking-code
//! lookups, per client address (GCRA, governor). A client over its limit gets 429 with
//! `Retry-After`; nothing is written.

use super::problem::ApiError;
use axum::extract::ConnectInfo;
use axum::http::HeaderMap;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::time::Duration;

/// What a client does that is limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limited {
    /// A resident's report: 5 at once, then one every 2 minutes.
    Report,
    /// A tracking-code lookup or rating: 20 at once, then one every 3 seconds.
    Lookup,
    /// A lookup of a code that does not exist: 10 at once, then one every 2 minutes, so
    /// guessing codes is slower still.
    Miss,
}

/// The per-client limiters; `None` when limits are off.
pub struct Throttle {
    limiters: Option<[DefaultKeyedRateLimiter<IpAddr>; 3]>,
}

/// A quota of `burst` at once, then one every `every`, both scaled by `scale` (more
/// allowance: a larger burst, a shorter wait).
fn quota(every: Duration, burst: u32, scale: f64) -> Quota {
    let scaled_burst = (f64::from(burst) * scale)
        .round()
        .clamp(1.0, f64::from(u32::MAX));
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "clamped to u32"
    )]
    let burst = NonZeroU32::new(scaled_burst as u32).unwrap_or(NonZeroU32::MIN);
    let every = every.div_f64(scale.max(1e-6)).max(Duration::from_micros(1));
    Quota::with_period(every)
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(burst)
}

impl Default for Throttle {
    fn default() -> Self {
        Self::scaled(1.0)
    }
}

impl Throttle {
    /// The limits with every allowance multiplied by `scale` (raise it where many residents
    /// share one address); 0 (or less) turns them off.
    pub fn scaled(scale: f64) -> Self {
        let limiters = (scale > 0.0 && scale.is_finite()).then(|| {
            [
                RateLimiter::keyed(quota(Duration::from_secs(120), 5, scale)),
                RateLimiter::keyed(quota(Duration::from_secs(3), 20, scale)),
                RateLimiter::keyed(quota(Duration::from_secs(120), 10, scale)),
            ]
        });
        Self { limiters }
    }

    /// Counts one `what` for `client`: refused with 429 past its limit.
    pub fn check(&self, what: Limited, client: IpAddr) -> Result<(), ApiError> {
        let Some([reports, lookups, misses]) = &self.limiters else {
            return Ok(());
        };
        let limiter = match what {
            Limited::Report => reports,
            Limited::Lookup => lookups,
            Limited::Miss => misses,
        };
        // Forget clients that are back to their full allowance, now and then.
        if limiter.len() > 10_000 {
            limiter.retain_recent();
        }
        limiter.check_key(&client).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            ApiError::TooManyRequests {
                retry_after_s: wait.as_secs().max(1),
            }
        })
    }
}

/// The address a request comes from (see [`client_address`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Client(pub IpAddr);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        let connection = parts.extensions.get::<ConnectInfo<SocketAddr>>();
        Ok(Self(client_address(connection, &parts.headers)))
    }
}

/// The client's address: the connection's peer, or — when the peer is this host (a reverse
/// proxy beside the server) or unknown — the first `X-Forwarded-For` address it sent.
pub fn client_address(connection: Option<&ConnectInfo<SocketAddr>>, headers: &HeaderMap) -> IpAddr {
    let peer = connection.map(|c| c.0.ip());
    let forwarded = || {
        headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse::<IpAddr>().ok())
    };
    match peer {
        Some(ip) if !ip.is_loopback() => ip,
        _ => forwarded()
            .or(peer)
            .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed(throttle: &Throttle, what: Limited, tries: usize) -> usize {
        let client = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));
        (0..tries)
            .filter(|_| throttle.check(what, client).is_ok())
            .count()
    }

    #[test]
    fn allowances_scale_and_switch_off() {
        assert_eq!(allowed(&Throttle::default(), Limited::Report, 50), 5);
        assert_eq!(allowed(&Throttle::scaled(4.0), Limited::Report, 50), 20);
        assert_eq!(allowed(&Throttle::scaled(0.0), Limited::Report, 50), 50);
        assert_eq!(allowed(&Throttle::default(), Limited::Lookup, 50), 20);
        assert_eq!(allowed(&Throttle::default(), Limited::Miss, 50), 10);
    }
}
