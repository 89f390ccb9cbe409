//! CPU time, read from the system: the whole process's, the calling thread's and any
//! thread's clock by id. `medrd bench` reports the CPU a load used beside its wall
//! time; the server's lanes watch the CPU a query's thread uses.

use std::time::Duration;

/// The CPU time this process has used so far, on every thread it ran, ended ones included
/// (user and system, `getrusage(RUSAGE_SELF)`; `None` off unix or on failure). Beside a
/// wall time it says what the work cost: no schedule on `n` cores finishes it in less than
/// this divided by `n`.
pub fn process_cpu() -> Option<Duration> {
    #[cfg(unix)]
    {
        // SAFETY: `rusage` is plain integers, for which all zeroes is a valid value.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: `usage` is a valid out-pointer; getrusage reads nothing else.
        if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
            return None;
        }
        Some(timeval(usage.ru_utime)? + timeval(usage.ru_stime)?)
    }
    #[cfg(not(unix))]
    None
}

#[cfg(unix)]
fn timeval(t: libc::timeval) -> Option<Duration> {
    let secs = u64::try_from(t.tv_sec).ok()?;
    let micros = u64::try_from(t.tv_usec).ok()?;
    Some(Duration::from_secs(secs) + Duration::from_micros(micros))
}

/// The CPU time the calling thread has used so far (`CLOCK_THREAD_CPUTIME_ID`; `None` off
/// unix or on failure). In memory a load makes every insert on the thread that calls it
/// (the import's parts and the `--with` files' batches are handed to it), so that thread's
/// CPU over a load is the part of the load no other core can take.
pub fn thread_cpu() -> Option<Duration> {
    #[cfg(unix)]
    {
        clock_nanos(libc::CLOCK_THREAD_CPUTIME_ID).map(Duration::from_nanos)
    }
    #[cfg(not(unix))]
    None
}

/// A CPU clock's reading in nanoseconds (`clock_gettime`; `None` for a clock id the system
/// refuses, such as that of a thread that has ended).
#[cfg(unix)]
pub fn clock_nanos(id: libc::clockid_t) -> Option<u64> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid out-pointer; an invalid clock id is reported as an error.
    if unsafe { libc::clock_gettime(id, &mut ts) } != 0 {
        return None;
    }
    Some(u64::try_from(ts.tv_sec).ok()? * 1_000_000_000 + u64::try_from(ts.tv_nsec).ok()?)
}

#[cfg(all(test, unix))]
mod tests {
    use super::{process_cpu, thread_cpu};
    use std::time::Duration;

    /// Works on the calling thread until it has used `d` of CPU; returns what it used.
    fn spin(d: Duration) -> Duration {
        let start = thread_cpu().unwrap();
        let mut x = 0u64;
        while thread_cpu().unwrap() - start < d {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(1));
        }
        thread_cpu().unwrap() - start
    }

    /// What `bench scale` reads beside a load: the thread's CPU is its own, not another
    /// thread's, and the process's holds that of a thread that has ended.
    #[test]
    fn the_process_counts_the_cpu_of_threads_that_ended() {
        let (process, here) = (process_cpu().unwrap(), thread_cpu().unwrap());
        let spent = std::thread::spawn(|| spin(Duration::from_millis(60)))
            .join()
            .unwrap();
        assert!(spent >= Duration::from_millis(60));
        assert!(thread_cpu().unwrap() - here < Duration::from_millis(30));
        // getrusage's figures are the scheduler's exact sum, rounded to microseconds.
        assert!(process_cpu().unwrap() - process >= spent - Duration::from_millis(1));
    }
}
