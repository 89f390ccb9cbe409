//! Runs independent jobs on every core: `medrd build` writes six exports, dozens of query
//! results and hundreds of diagrams that only read the store, and `validate` runs checks that
//! only read it, so one queue feeds as many threads as there are cores. The first failure
//! stops the others from taking new jobs, and its error is the one returned.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

/// A job: runs once, on whichever thread takes it.
pub type Job<'a, T, E> = Box<dyn FnOnce() -> Result<T, E> + Send + 'a>;

/// How many threads [`run`] uses: `MEDRD_THREADS` when it is a number from 1 (at most 64),
/// else the cores there are, at most 8.
pub fn workers() -> usize {
    std::env::var("MEDRD_THREADS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|n| *n >= 1)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get().min(8)))
        .min(64)
}

/// Runs `jobs` on [`workers`] threads, taken in order (put the longest first), and gives
/// their results in the order of `jobs`. After a job fails (or panics) no job is started;
/// the error returned is that of the first job (in `jobs` order) that failed. A job's panic
/// is raised again here, on the calling thread, once the other threads have stopped.
pub fn run<'a, T: Send, E: Send>(jobs: Vec<Job<'a, T, E>>) -> Result<Vec<T>, E> {
    let count = jobs.len();
    let queue: Vec<Mutex<Option<Job<'a, T, E>>>> =
        jobs.into_iter().map(|j| Mutex::new(Some(j))).collect();
    let results: Vec<Mutex<Option<Result<T, E>>>> = (0..count).map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let panicked: Mutex<Option<Box<dyn std::any::Any + Send>>> = Mutex::new(None);
    let work = || {
        while !stop.load(Ordering::Relaxed) {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(slot) = queue.get(i) else { break };
            let Some(job) = take(slot) else { continue };
            // A panic stops the queue as an error does, and is raised again once every
            // thread has finished the job it holds.
            let result = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(job)) {
                Ok(result) => result,
                Err(panic) => {
                    stop.store(true, Ordering::Relaxed);
                    let mut first = panicked.lock().unwrap_or_else(|p| p.into_inner());
                    first.get_or_insert(panic);
                    break;
                }
            };
            if result.is_err() {
                stop.store(true, Ordering::Relaxed);
            }
            *results[i].lock().unwrap_or_else(|p| p.into_inner()) = Some(result);
        }
    };
    let threads = workers().min(count);
    if threads <= 1 {
        work();
    } else {
        std::thread::scope(|scope| {
            for n in 0..threads {
                // Jobs parse and evaluate queries: the stack their bounds are sized for.
                let spawned = std::thread::Builder::new()
                    .name(format!("medrd-job-{n}"))
                    .stack_size(crate::query::bounds::STACK_SIZE)
                    .spawn_scoped(scope, work);
                if spawned.is_err() {
                    // No thread to be had: this one takes the jobs left.
                    work();
                    break;
                }
            }
        });
    }
    if let Some(panic) = panicked.into_inner().unwrap_or_else(|p| p.into_inner()) {
        std::panic::resume_unwind(panic);
    }
    let mut out = Vec::with_capacity(count);
    for slot in results {
        match slot.into_inner().unwrap_or_else(|p| p.into_inner()) {
            Some(Ok(t)) => out.push(t),
            Some(Err(e)) => return Err(e),
            // Jobs are taken in order and every taken job finishes, so the jobs never run
            // all come after one that failed, whose error was returned above.
            None => unreachable_failure(),
        }
    }
    Ok(out)
}

fn take<J>(slot: &Mutex<Option<J>>) -> Option<J> {
    slot.lock().unwrap_or_else(|p| p.into_inner()).take()
}

#[cold]
fn unreachable_failure() -> ! {
    panic!("parallel::run: a job was skipped but no job failed")
}

#[cfg(test)]
mod tests {
    use super::{run, Job};

    #[test]
    fn results_keep_the_order_of_the_jobs() {
        let jobs: Vec<Job<'_, usize, String>> = (0..50usize)
            .map(|i| Box::new(move || Ok(i * i)) as Job<'_, usize, String>)
            .collect();
        assert_eq!(
            run(jobs).unwrap(),
            (0..50).map(|i| i * i).collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_failure_is_returned_and_stops_the_queue() {
        let started = std::sync::atomic::AtomicUsize::new(0);
        let jobs: Vec<Job<'_, (), String>> = (0..1000)
            .map(|i| {
                let started = &started;
                Box::new(move || {
                    started.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if i == 3 {
                        Err(format!("job {i} failed"))
                    } else {
                        Ok(())
                    }
                }) as Job<'_, (), String>
            })
            .collect();
        assert_eq!(run(jobs).unwrap_err(), "job 3 failed");
        // Each thread finishes the job it holds, then takes no other.
        assert!(started.load(std::sync::atomic::Ordering::Relaxed) < 1000);
    }

    #[test]
    fn a_panic_stops_the_queue_and_is_raised_on_the_caller() {
        let started = std::sync::atomic::AtomicUsize::new(0);
        let jobs: Vec<Job<'_, (), ()>> = (0..1000)
            .map(|i| {
                let started = &started;
                Box::new(move || {
                    started.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    assert!(i != 2, "job {i} panics");
                    // Slow enough that the queue would outlast the panic's unwinding (and
                    // its backtrace) if a panic did not stop it.
                    std::thread::sleep(std::time::Duration::from_millis(2));
                    Ok(())
                }) as Job<'_, (), ()>
            })
            .collect();
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(jobs)));
        let message = caught.expect_err("the panic reaches the caller");
        assert_eq!(message.downcast_ref::<String>().unwrap(), "job 2 panics");
        assert!(started.load(std::sync::atomic::Ordering::Relaxed) < 500);
    }

    #[test]
    fn borrowed_data_is_read_by_every_job() {
        let words = ["a".to_owned(), "bb".to_owned(), "ccc".to_owned()];
        let jobs: Vec<Job<'_, usize, ()>> = words
            .iter()
            .map(|w| Box::new(move || Ok(w.len())) as Job<'_, usize, ()>)
            .collect();
        assert_eq!(run(jobs).unwrap(), vec![1, 2, 3]);
    }
}
