//! The dashboard's processing-lag row, in words.

use crate::health::ProcessingLag;

pub struct LagView {
    pub behind: bool,
    pub status: String,
    pub detail: String,
}

impl From<&ProcessingLag> for LagView {
    fn from(lag: &ProcessingLag) -> Self {
        let status = match lag.oldest_waiting_ms {
            Some(ms) if lag.behind() => format!("behind by {}", duration(ms)),
            _ => "up to date".to_owned(),
        };
        let waiting = match lag.oldest_waiting_ms {
            Some(ms) => format!("{} waiting, the oldest for {}", lag.waiting, duration(ms)),
            None => "nothing waiting".to_owned(),
        };
        let recent = match &lag.recent {
            Some(r) => format!(
                "; the last {} processed {} after receipt (median), {} at most",
                r.deliveries,
                duration(r.median_ms),
                duration(r.max_ms)
            ),
            None => String::new(),
        };
        LagView {
            behind: lag.behind(),
            status,
            detail: format!("{waiting}{recent}"),
        }
    }
}

/// A wait as a person reads it: milliseconds, seconds, then minutes.
fn duration(ms: i64) -> String {
    if ms < 1_000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        format!("{}.{} s", ms / 1_000, ms % 1_000 / 100)
    } else {
        format!("{} min", ms / 60_000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::{BEHIND_MS, Spread};

    #[test]
    fn waits_read_in_the_unit_that_fits() {
        assert_eq!(duration(0), "0 ms");
        assert_eq!(duration(950), "950 ms");
        assert_eq!(duration(1_250), "1.2 s");
        assert_eq!(duration(59_999), "59.9 s");
        assert_eq!(duration(125_000), "2 min");
    }

    #[test]
    fn a_backlog_past_a_minute_reads_as_behind_with_the_recent_spread() {
        let lag = ProcessingLag {
            waiting: 12,
            oldest_waiting_ms: Some(BEHIND_MS * 3),
            recent: Some(Spread {
                deliveries: 100,
                median_ms: 40,
                max_ms: 2_500,
            }),
        };
        let view = LagView::from(&lag);
        assert!(view.behind);
        assert_eq!(view.status, "behind by 3 min");
        assert_eq!(
            view.detail,
            "12 waiting, the oldest for 3 min; the last 100 processed 40 ms after receipt (median), 2.5 s at most"
        );
        let idle = LagView::from(&ProcessingLag::default());
        assert!(!idle.behind);
        assert_eq!(
            (idle.status.as_str(), idle.detail.as_str()),
            ("up to date", "nothing waiting")
        );
    }
}
