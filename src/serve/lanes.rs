//! Admission of the work that reads the store (queries, pages, diagrams) in three lanes, so
//! that a few clients sending long queries cannot take the capacity everyone else needs
//! (issue 19, item 6: with 8 loops of heavy queries, cheap queries fell from 29,391 to 6
//! req/s and `/health` said 503 throughout).
//!
//! What a query costs is not known before it runs, but the store does not change while the
//! server runs, so a query costs what it cost last time. Each piece of work has a
//! fingerprint (a query's text with whitespace folded and its dataset; a page's address),
//! and what its last complete run took of CPU time is remembered:
//!
//! - **cheap** (`--max-concurrent` slots, 2 × cores): work known to take under
//!   [`CHEAP_UNDER`] of CPU. Runs on the blocking pool at normal priority.
//! - **new** (half of that, at least one): work not known to be cheap or long — a query never
//!   seen, or one of moderate cost. Runs on threads of its own at a lower CPU priority
//!   (nice [`NICE`]), so that while they are busy the cheap lane still gets the processors.
//! - **long** (half, at least one): work that has used [`LONG_AFTER`] of CPU (it
//!   moves here from the lane it started in, giving that slot back), or known to be long
//!   (it waits for a long slot from the start, holding nothing else), or long by nature (a
//!   diagram drawn by Graphviz, a query sending SERVICE patterns: their time is spent by
//!   other processes, which the thread's CPU clock does not see). Same low priority, but
//!   for the work long by nature (a process Graphviz starts would inherit it).
//!   When work passes [`LONG_AFTER`] and no long slot is free it is stopped (503 "long
//!   queries busy") and remembered as long.
//!
//! So a client repeating heavy queries waits behind the other long ones and takes nothing
//! from the cheap lane; a client sending a *different* heavy query each time takes a new-lane
//! slot for [`LONG_AFTER`] of low-priority CPU per query, which delays other new queries but
//! not the cheap ones. Only a complete run teaches a fingerprint to be cheap (a query cut
//! short by its client does not), so long work cannot pass for cheap.
//!
//! Why lanes and not per-client fairness: the clients of a public endpoint sit behind
//! proxies and NATs, and on loopback every client is one address, so "per client" would
//! either lump strangers together or be evaded by opening connections; the cost of the
//! work is what starves the others, and lanes bound it whoever sends it. Why CPU time and
//! not wall time: on a loaded machine a cheap query waits for the processor, and wall time
//! would call it long exactly when the server is busiest.
//!
//! `/health` reports the lanes and never waits for a slot. It says 503 "busy" when a request
//! has waited for a cheap slot for [`BUSY_AFTER`] or more: the server's regular traffic (the
//! pages, named queries and queries people repeat) would wait as long, and be refused at
//! `--timeout`. Not for a moment's full lane, nor when the new or the long lane is full or has
//! requests waiting (reported as `waiting`): a flood of heavy queries, repeated or each new,
//! makes new and long queries wait, while the regular traffic is served as usual.

use super::HttpError;
use axum::http::StatusCode;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, Hash};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// CPU time after which a piece of work is long. Cheap queries and pages take well under a
/// millisecond in a release build, the heaviest named query about 30 ms.
pub(crate) const LONG_AFTER: Duration = Duration::from_millis(100);

/// Work whose last complete run took less CPU than this is cheap.
pub(crate) const CHEAP_UNDER: Duration = Duration::from_millis(10);

/// How long a request may have waited for a cheap slot before `/health` says busy.
pub(crate) const BUSY_AFTER: Duration = Duration::from_secs(1);

/// The nice value of the threads of the new and long lanes (0 is the default, 19 the
/// lowest): under contention a thread at 10 gets about a tenth of the share of one at 0.
const NICE: i32 = 10;

/// Most fingerprints remembered; past this, those not used lately are forgotten.
const KNOWN: usize = 16_384;

/// A lane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lane {
    Cheap,
    New,
    Long,
}

/// What a fingerprint's last run showed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cost {
    Cheap,
    Long,
}

/// What fingerprints cost, and when each was last used.
type Known = HashMap<u64, (Cost, u64)>;

/// The lanes of one server.
pub(crate) struct Lanes {
    slots: [Arc<Semaphore>; 3],
    totals: [usize; 3],
    long_after: Duration,
    /// Fingerprint → (cost, when last used), and the count of uses (the clock of "when").
    known: Mutex<(Known, u64)>,
    hasher: std::collections::hash_map::RandomState,
    /// Requests waiting for a slot, by arrival.
    waiting: Mutex<BTreeMap<u64, (Instant, Lane)>>,
    arrivals: AtomicU64,
    /// The low-priority threads of the new and long lanes.
    pool: Pool,
}

/// What `/health` tells of one lane.
pub(crate) struct LaneReport {
    pub in_use: usize,
    pub total: usize,
    pub waiting: usize,
}

/// What `/health` tells of the lanes.
pub(crate) struct Report {
    pub cheap: LaneReport,
    pub new: LaneReport,
    pub long: LaneReport,
    /// How long the request waiting longest for a cheap slot has waited.
    pub longest_wait: Duration,
}

impl Report {
    pub fn busy(&self) -> bool {
        self.longest_wait >= BUSY_AFTER
    }
}

/// The slot a piece of work holds until it ends, and the CPU clock of its thread.
pub(crate) struct Ticket {
    key: u64,
    /// Whether its run teaches its fingerprint's cost (not when the caller said it is long).
    learn: bool,
    held: Mutex<(Option<OwnedSemaphorePermit>, Lane)>,
    clock: Clock,
}

/// Whether work goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Check {
    Go,
    /// Long, and no long slot was free.
    LongLaneFull,
}

impl Lanes {
    /// Lanes of `cheap` slots, half that new and half long (at least one each); work is
    /// long after `long_after` of CPU time.
    pub fn new(cheap: usize, long_after: Duration) -> Self {
        let cheap = cheap.max(1);
        let totals = [cheap, (cheap / 2).max(1), (cheap / 2).max(1)];
        Lanes {
            slots: totals.map(|n| Arc::new(Semaphore::new(n))),
            totals,
            long_after,
            known: Mutex::default(),
            hasher: Default::default(),
            waiting: Mutex::default(),
            arrivals: AtomicU64::new(0),
            pool: Pool::new(totals[1] + totals[2]),
        }
    }

    /// The fingerprint of a piece of work.
    pub fn key(&self, what: impl Hash) -> u64 {
        self.hasher.hash_one(what)
    }

    /// The fingerprint of a SPARQL query: its text with runs of whitespace folded to one
    /// space, and its dataset.
    pub fn query_key(&self, text: &str, graphs: impl Hash) -> u64 {
        let folded: Vec<&str> = text.split_whitespace().collect();
        self.key((folded, graphs))
    }

    fn known(&self, key: u64) -> Option<Cost> {
        let mut known = self.known.lock().unwrap_or_else(PoisonError::into_inner);
        known.1 += 1;
        let now = known.1;
        known.0.get_mut(&key).map(|(cost, used)| {
            *used = now;
            *cost
        })
    }

    /// Remembers (or with `None` forgets) what a fingerprint costs.
    fn learn(&self, key: u64, cost: Option<Cost>) {
        let mut known = self.known.lock().unwrap_or_else(PoisonError::into_inner);
        known.1 += 1;
        let now = known.1;
        match cost {
            Some(cost) => {
                known.0.insert(key, (cost, now));
            }
            None => {
                known.0.remove(&key);
            }
        }
        if known.0.len() > KNOWN {
            // Keep those used within the last KNOWN / 2 uses (at most that many).
            known
                .0
                .retain(|_, (_, used)| *used + (KNOWN as u64) / 2 > now);
        }
    }

    /// A slot for work of fingerprint `key` (`long`: known to be long by its nature), in
    /// the lane its last run calls for; waiting at most `limit` (503 beyond).
    pub async fn admit(&self, key: u64, long: bool, limit: Duration) -> Result<Ticket, HttpError> {
        let lane = match (long, self.known(key)) {
            (true, _) | (_, Some(Cost::Long)) => Lane::Long,
            (false, Some(Cost::Cheap)) => Lane::Cheap,
            (false, None) => Lane::New,
        };
        let permit = self.acquire(lane, limit).await?;
        Ok(Ticket {
            key,
            learn: !long,
            held: Mutex::new((Some(permit), lane)),
            clock: Clock::default(),
        })
    }

    async fn acquire(
        &self,
        lane: Lane,
        limit: Duration,
    ) -> Result<OwnedSemaphorePermit, HttpError> {
        let slots = &self.slots[lane as usize];
        match Arc::clone(slots).try_acquire_owned() {
            Ok(permit) => return Ok(permit),
            Err(tokio::sync::TryAcquireError::Closed) => return Err(shutting_down()),
            Err(tokio::sync::TryAcquireError::NoPermits) => {}
        }
        let _waiting = Waiting::new(self, lane);
        match tokio::time::timeout(limit, Arc::clone(slots).acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(_)) => Err(shutting_down()),
            Err(_) if lane == Lane::Long => Err(self.long_busy(Some(limit))),
            Err(_) => Err(HttpError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "the server is busy: try again",
            )),
        }
    }

    /// Runs `work` for `ticket` on a thread of its lane (the blocking pool for the cheap
    /// lane and for work long by nature, the low-priority threads for the others); the
    /// receiver errs when it panicked.
    pub fn spawn<T: Send + 'static>(
        &self,
        ticket: &Arc<Ticket>,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> tokio::sync::oneshot::Receiver<T> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job = move || {
            let _ = tx.send(work());
        };
        // Work long by nature (Graphviz, SERVICE) spends its time in other processes: its
        // thread needs no lower priority, and Graphviz would inherit it.
        if ticket.lane() == Lane::Cheap || !ticket.learn {
            drop(tokio::task::spawn_blocking(job));
        } else {
            self.pool.run(Box::new(job));
        }
        rx
    }

    /// Called while the work runs (every few milliseconds): once its thread has used
    /// `long_after` of CPU, moves it to the long lane, or says the long lane is full.
    pub fn check(&self, ticket: &Ticket) -> Check {
        let mut held = ticket.held.lock().unwrap_or_else(PoisonError::into_inner);
        if held.0.is_none() || held.1 == Lane::Long {
            return Check::Go;
        }
        if ticket
            .clock
            .used()
            .is_none_or(|used| used < self.long_after)
        {
            return Check::Go;
        }
        if ticket.learn {
            self.learn(ticket.key, Some(Cost::Long));
        }
        match Arc::clone(&self.slots[Lane::Long as usize]).try_acquire_owned() {
            Ok(permit) => {
                // The slot it started in is given back here.
                *held = (Some(permit), Lane::Long);
                Check::Go
            }
            Err(_) => Check::LongLaneFull,
        }
    }

    /// Called when the work of `ticket` reached its time limit: it is long (on a machine so
    /// loaded that its thread did not get [`LONG_AFTER`] of CPU in that time, as well), and
    /// waits for the long lane next time; a run that ends under [`CHEAP_UNDER`] there
    /// makes it cheap again.
    pub fn timed_out(&self, ticket: &Ticket) {
        if ticket.learn {
            self.learn(ticket.key, Some(Cost::Long));
        }
    }

    /// Ends the work of `ticket` (on its thread): frees its slot and, when it ran to its end
    /// (`complete`), remembers what it cost.
    pub fn finish(&self, ticket: &Ticket, complete: bool) {
        let used = ticket.clock.used();
        ticket.clock.stop();
        ticket
            .held
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .0
            .take();
        if let (true, true, Some(used)) = (complete, ticket.learn, used) {
            let cost = if used < CHEAP_UNDER {
                Some(Cost::Cheap)
            } else if used < self.long_after {
                None
            } else {
                Some(Cost::Long)
            };
            self.learn(ticket.key, cost);
        }
    }

    pub fn report(&self) -> Report {
        let waiting = self.waiting.lock().unwrap_or_else(PoisonError::into_inner);
        let lane = |lane: Lane| LaneReport {
            in_use: self.totals[lane as usize] - self.slots[lane as usize].available_permits(),
            total: self.totals[lane as usize],
            waiting: waiting.values().filter(|(_, l)| *l == lane).count(),
        };
        Report {
            cheap: lane(Lane::Cheap),
            new: lane(Lane::New),
            long: lane(Lane::Long),
            longest_wait: waiting
                .values()
                .find(|(_, lane)| *lane == Lane::Cheap)
                .map_or(Duration::ZERO, |(since, _)| since.elapsed()),
        }
    }

    /// The answer to work stopped because it was long and the long lane was full (`waited`:
    /// none), or that waited for a long slot for its whole time limit.
    pub fn long_busy(&self, waited: Option<Duration>) -> HttpError {
        let why = match waited {
            None => "none was free".to_owned(),
            Some(limit) => format!("none came free within {}", super::seconds(limit)),
        };
        HttpError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "long queries busy: this request takes more than {} ms of CPU, and this \
                 server runs at most {} such at a time ({why}): try again later, or narrow \
                 the query",
                self.long_after.as_millis(),
                self.totals[Lane::Long as usize],
            ),
        )
    }
}

impl Ticket {
    /// Marks the start of the work on the thread that runs it (its CPU clock starts).
    pub fn start(&self) {
        self.clock.start();
    }

    fn lane(&self) -> Lane {
        self.held.lock().unwrap_or_else(PoisonError::into_inner).1
    }
}

fn shutting_down() -> HttpError {
    HttpError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "the server is shutting down",
    )
}

/// A request waiting for a slot, listed for `/health` while it waits.
struct Waiting<'a> {
    lanes: &'a Lanes,
    id: u64,
}

impl<'a> Waiting<'a> {
    fn new(lanes: &'a Lanes, lane: Lane) -> Self {
        let id = lanes.arrivals.fetch_add(1, Ordering::Relaxed);
        lanes
            .waiting
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id, (Instant::now(), lane));
        Waiting { lanes, id }
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.lanes
            .waiting
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.id);
    }
}

type Job = Box<dyn FnOnce() + Send>;

/// Threads at nice [`NICE`], as many as the new and long lanes have slots (the slots bound
/// the jobs, so a job never waits for a thread for long), started when first needed.
struct Pool {
    threads: usize,
    /// The queue of jobs, once a thread of the pool has started.
    jobs: Mutex<Option<mpsc::Sender<Job>>>,
}

impl Pool {
    fn new(threads: usize) -> Self {
        Pool {
            threads,
            jobs: Mutex::new(None),
        }
    }

    fn run(&self, job: Job) {
        let mut jobs = self.jobs.lock().unwrap_or_else(PoisonError::into_inner);
        if jobs.is_none() {
            *jobs = self.start();
        }
        match &*jobs {
            // The receiver lives as long as any thread of the pool.
            Some(sender) => drop(sender.send(job)),
            // No thread could be started: the blocking pool runs it, at normal priority.
            None => drop(tokio::task::spawn_blocking(job)),
        }
    }

    /// Starts the threads; `None` when not one starts.
    fn start(&self) -> Option<mpsc::Sender<Job>> {
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        let mut started = 0;
        for n in 0..self.threads {
            let rx = Arc::clone(&rx);
            let spawned = std::thread::Builder::new()
                .name(format!("medrd-lane-{n}"))
                // Queries are parsed and evaluated here: the stack their bounds are sized for.
                .stack_size(crate::query::bounds::STACK_SIZE)
                .spawn(move || {
                    lower_priority();
                    loop {
                        let job = rx.lock().unwrap_or_else(PoisonError::into_inner).recv();
                        let Ok(job) = job else { break };
                        // A panic drops the job's sender: its caller sees it (500).
                        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                    }
                });
            started += usize::from(spawned.is_ok());
        }
        (started > 0).then_some(tx)
    }
}

/// Lowers this thread's CPU priority to [`NICE`] (Linux: a thread's nice value is its own).
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: gettid and setpriority take no pointers; raising one's own nice value needs no
    // privilege. A failure leaves the thread at the default priority.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid);
        if let Ok(tid) = libc::id_t::try_from(tid) {
            libc::setpriority(libc::PRIO_PROCESS as _, tid, NICE);
        }
    }
}

/// The CPU time used by the thread running a piece of work since it started: set by that
/// thread, read by the task watching it.
struct Clock {
    /// The thread's CPU clock (`pthread_getcpuclockid`), or [`NO_CLOCK`].
    id: AtomicI64,
    /// Its reading at the start, in nanoseconds.
    start: AtomicU64,
}

const NO_CLOCK: i64 = i64::MIN;

impl Default for Clock {
    fn default() -> Self {
        Clock {
            id: AtomicI64::new(NO_CLOCK),
            start: AtomicU64::new(0),
        }
    }
}

impl Clock {
    fn start(&self) {
        if let Some((id, now)) = thread_clock() {
            self.start.store(now, Ordering::SeqCst);
            self.id.store(id, Ordering::SeqCst);
        }
    }

    fn stop(&self) {
        self.id.store(NO_CLOCK, Ordering::SeqCst);
    }

    /// CPU time used so far; `None` before the start or after the end.
    fn used(&self) -> Option<Duration> {
        let id = self.id.load(Ordering::SeqCst);
        if id == NO_CLOCK {
            return None;
        }
        let now = read_clock(id)?;
        Some(Duration::from_nanos(
            now.saturating_sub(self.start.load(Ordering::SeqCst)),
        ))
    }
}

/// This thread's CPU clock and its reading.
#[cfg(unix)]
fn thread_clock() -> Option<(i64, u64)> {
    let mut id: libc::clockid_t = 0;
    // SAFETY: pthread_self() is this live thread; `id` is a valid out-pointer.
    if unsafe { libc::pthread_getcpuclockid(libc::pthread_self(), &mut id) } != 0 {
        return None;
    }
    let id = i64::from(id);
    Some((id, read_clock(id)?))
}

#[cfg(unix)]
fn read_clock(id: i64) -> Option<u64> {
    crate::cpu::clock_nanos(libc::clockid_t::try_from(id).ok()?)
}

/// Without a thread CPU clock, wall time since the start stands in for it.
#[cfg(not(unix))]
fn thread_clock() -> Option<(i64, u64)> {
    Some((0, read_clock(0)?))
}

#[cfg(not(unix))]
fn read_clock(_: i64) -> Option<u64> {
    static EPOCH: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    u64::try_from(EPOCH.get_or_init(Instant::now).elapsed().as_nanos()).ok()
}

#[cfg(test)]
mod tests {
    use super::{Check, Lane, Lanes, Ticket};
    use std::sync::Arc;
    use std::time::Duration;

    /// Burns CPU on this thread until `ticket` has used `at_least` of it.
    fn burn(ticket: &Ticket, at_least: Duration) {
        let mut x = 0u64;
        while ticket.clock.used().is_none_or(|used| used < at_least) {
            for i in 0..10_000u64 {
                x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(i));
            }
        }
    }

    /// Issue 19, item 6: work never seen starts in the new lane; past its CPU time it takes
    /// the long slot and gives its slot back, or finds the long lane full; a fingerprint seen
    /// long waits for the long lane from the start (not a wait /health calls busy), one seen
    /// cheap is admitted to the cheap lane; a run cut short teaches nothing.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn work_is_admitted_by_what_it_cost_and_long_work_moves_or_is_refused() {
        let lanes = Arc::new(Lanes::new(4, Duration::from_millis(20)));
        let r = lanes.report();
        assert_eq!((r.cheap.total, r.new.total, r.long.total), (4, 2, 2));
        let limit = Duration::from_secs(5);
        let admit = |what: &'static str| {
            let lanes = Arc::clone(&lanes);
            async move { lanes.admit(lanes.key(what), false, limit).await.unwrap() }
        };
        let first = admit("heavy one").await;
        let second = admit("heavy two").await;
        assert_eq!((first.lane(), lanes.report().new.in_use), (Lane::New, 2));
        // Not started: no CPU time yet, nothing moves.
        assert_eq!(lanes.check(&first), Check::Go);
        for ticket in [&first, &second] {
            ticket.start();
            burn(ticket, Duration::from_millis(25));
            assert_eq!(lanes.check(ticket), Check::Go);
            assert_eq!(ticket.lane(), Lane::Long);
        }
        let third = admit("heavy three").await;
        let r = lanes.report();
        assert_eq!((r.new.in_use, r.long.in_use), (1, 2));
        third.start();
        burn(&third, Duration::from_millis(25));
        assert_eq!(lanes.check(&third), Check::LongLaneFull);
        lanes.finish(&third, false);
        lanes.finish(&second, true);
        // A cheap one, complete, is known cheap next time; cut short, it teaches nothing.
        let cheap = admit("cheap").await;
        cheap.start();
        assert_eq!(lanes.check(&cheap), Check::Go);
        lanes.finish(&cheap, true);
        assert_eq!(admit("cheap").await.lane(), Lane::Cheap);
        let cut = admit("cut short").await;
        cut.start();
        lanes.finish(&cut, false);
        assert_eq!(admit("cut short").await.lane(), Lane::New);
        // "heavy three" is known long now: it waits for a long slot, reported as waiting,
        // and not as busy.
        let holder = admit("heavy two").await;
        assert_eq!(holder.lane(), Lane::Long);
        let waiter = tokio::spawn(admit("heavy three"));
        while lanes.report().long.waiting == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert!(!lanes.report().busy());
        lanes.finish(&first, true);
        let again = waiter.await.unwrap();
        assert_eq!(again.lane(), Lane::Long);
        let r = lanes.report();
        assert_eq!((r.new.in_use, r.long.in_use, r.long.waiting), (0, 2, 0));
        // Whitespace does not make another query.
        assert_eq!(
            lanes.query_key("SELECT *\n  WHERE { ?s ?p ?o }", ()),
            lanes.query_key("SELECT * WHERE {  ?s ?p ?o }", ())
        );
    }

    /// Issue 10, defect 3 and issue 19: /health says busy when a request has waited a second
    /// for a cheap slot (the regular traffic waits), not when new or long ones wait.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn busy_when_a_request_has_waited_a_second_for_a_cheap_slot() {
        let lanes = Arc::new(Lanes::new(1, Duration::from_secs(1)));
        let limit = Duration::from_secs(30);
        for what in ["cheap", "other cheap"] {
            let t = lanes.admit(lanes.key(what), false, limit).await.unwrap();
            t.start();
            lanes.finish(&t, true);
        }
        let holding = lanes.admit(lanes.key("cheap"), false, limit).await.unwrap();
        assert_eq!(holding.lane(), Lane::Cheap);
        let new = lanes
            .admit(lanes.key("never seen"), false, limit)
            .await
            .unwrap();
        let waiting_new = {
            let lanes = Arc::clone(&lanes);
            tokio::spawn(async move { lanes.admit(lanes.key("also new"), false, limit).await })
        };
        let waiting = {
            let lanes = Arc::clone(&lanes);
            tokio::spawn(async move { lanes.admit(lanes.key("other cheap"), false, limit).await })
        };
        while lanes.report().cheap.waiting == 0 || lanes.report().new.waiting == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert!(!lanes.report().busy());
        // Waiting is not a measure of time here: the slot is held until it is given back.
        tokio::time::sleep(super::BUSY_AFTER).await;
        let r = lanes.report();
        assert!(r.busy() && r.longest_wait >= super::BUSY_AFTER);
        assert_eq!((r.cheap.waiting, r.new.waiting), (1, 1));
        lanes.finish(&holding, true);
        assert_eq!(waiting.await.unwrap().unwrap().lane(), Lane::Cheap);
        let r = lanes.report();
        assert!(!r.busy(), "only a new request waits");
        assert_eq!(r.new.waiting, 1);
        lanes.finish(&new, true);
        assert_eq!(waiting_new.await.unwrap().unwrap().lane(), Lane::New);
    }

    /// The threads of the new and long lanes run at a lower priority (Linux).
    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn new_and_long_work_runs_at_a_lower_cpu_priority() {
        let lanes = Lanes::new(2, Duration::from_secs(1));
        let ticket = Arc::new(lanes.admit(1, false, Duration::from_secs(1)).await.unwrap());
        // SAFETY: getpriority takes no pointers; 0 is the calling thread on Linux.
        let nice = || unsafe { libc::getpriority(libc::PRIO_PROCESS as _, 0) };
        assert_eq!(lanes.spawn(&ticket, nice).await.unwrap(), super::NICE);
    }
}
