//! Threads that each read their own file object, taking turns with the GIL.
//!
//! A file-object reader works a block at a time: it validates a block with
//! the GIL released, then hands its records out one by one with the GIL
//! held, then asks the stream for the next block. With two such readers
//! the threads fall into lock step. One reader releases the GIL for the
//! system call inside `peek()`, the other, already waiting, takes it and
//! hands out its whole block, and the first waits for that to finish. Each
//! thread then waits once per block, and its core idles
//! (docs/decisions/0043).
//!
//! So a reader that has validated a block and finds a reader in another
//! thread handing out records first waits for that hand-out to end, with
//! the GIL still released, and only then takes the GIL. Its turn then
//! starts while the other reader validates, and the two settle into
//! alternating. The wait is bounded by the thread's *patience*, which
//! shrinks each time a wait runs out: hand-outs that last long (much work
//! per record, or a reader left half read) soon make the other threads
//! stop waiting for them. Readers in the same thread never wait for each
//! other.

use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

/// Readers now handing out a block, in all threads: between the end of
/// validating one block and the start of validating the next (or their
/// end).
static HANDING_OUT: AtomicUsize = AtomicUsize::new(0);

/// The longest a thread waits for the others' hand-outs before one block.
/// A block of 512 KiB of typical records takes about 0.2 ms to hand out.
const MOST_PATIENCE: Duration = Duration::from_millis(1);
/// What patience grows by, each block that finds no other thread's reader
/// handing out.
const REGROWTH: Duration = Duration::from_micros(30);

thread_local! {
    /// This thread's readers among [`HANDING_OUT`] (more, never fewer, if
    /// a reader began a hand-out here and ended it in another thread).
    static OWN: Cell<usize> = const { Cell::new(0) };
    /// How long this thread waits now (see [`Turn::begin_hand_out`]).
    static PATIENCE: Cell<Duration> = const { Cell::new(MOST_PATIENCE) };
}

/// One reader's part in taking turns.
#[derive(Debug, Default)]
pub struct Turn {
    /// The thread it began handing out in, while it does.
    handing_out: Option<ThreadId>,
}

impl Turn {
    /// A reader that is not handing out.
    #[must_use]
    pub fn new() -> Self {
        Self { handing_out: None }
    }

    /// This reader's hand-out is over: it is about to validate its next
    /// block, it has reached the end, or it is gone.
    pub fn end_hand_out(&mut self) {
        let Some(began_in) = self.handing_out.take() else {
            return;
        };
        HANDING_OUT.fetch_sub(1, Ordering::SeqCst);
        if began_in == thread::current().id() {
            let _ = OWN.try_with(|own| own.set(own.get().saturating_sub(1)));
        }
    }

    /// Called with the GIL released, before taking it to hand out a block:
    /// waits while readers in other threads hand out theirs (at most this
    /// thread's patience), then counts this reader as handing out.
    pub fn begin_hand_out(&mut self) {
        self.end_hand_out();
        let own = OWN.try_with(Cell::get).unwrap_or(0);
        let patience = PATIENCE.try_with(Cell::get).unwrap_or(Duration::ZERO);
        let others = || HANDING_OUT.load(Ordering::SeqCst).saturating_sub(own);
        let patience = if others() == 0 {
            (patience * 2 + REGROWTH).min(MOST_PATIENCE)
        } else if wait_until(patience, || others() == 0) {
            MOST_PATIENCE
        } else {
            patience / 4
        };
        let _ = PATIENCE.try_with(|p| p.set(patience));
        HANDING_OUT.fetch_add(1, Ordering::SeqCst);
        let _ = OWN.try_with(|own| own.set(own.get() + 1));
        self.handing_out = Some(thread::current().id());
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        self.end_hand_out();
    }
}

/// Waits until `done()`, for at most `limit`; returns whether that
/// happened in time. The thread keeps its core, giving way to any other
/// thread that is ready to run on it: a hand-out usually ends within tens
/// of microseconds, about what waking a parked thread takes.
fn wait_until(limit: Duration, done: impl Fn() -> bool) -> bool {
    let start = Instant::now();
    loop {
        if done() {
            return true;
        }
        if start.elapsed() >= limit {
            return false;
        }
        thread::yield_now();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{mpsc, Mutex};

    // The count is process-wide, so the tests run one at a time.
    static SERIAL: Mutex<()> = Mutex::new(());

    fn patience() -> Duration {
        PATIENCE.with(Cell::get)
    }

    #[test]
    fn readers_in_one_thread_never_wait() {
        let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
        let (mut first, mut second) = (Turn::new(), Turn::new());
        let started = Instant::now();
        for _ in 0..1000 {
            first.begin_hand_out();
            second.begin_hand_out();
        }
        assert!(started.elapsed() < Duration::from_millis(100));
        assert_eq!(patience(), MOST_PATIENCE);
        drop((first, second));
        assert_eq!(HANDING_OUT.load(Ordering::SeqCst), 0);
        assert_eq!(OWN.with(Cell::get), 0);
    }

    #[test]
    fn a_reader_waits_for_another_threads_hand_out_to_end() {
        let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
        let mut first = Turn::new();
        first.begin_hand_out();
        let (tx, rx) = mpsc::channel();
        let second = thread::spawn(move || {
            let mut turn = Turn::new();
            turn.begin_hand_out();
            tx.send(Instant::now()).ok();
            patience()
        });
        thread::sleep(Duration::from_micros(300));
        let ended = Instant::now();
        first.end_hand_out();
        let waited_patience = second.join().unwrap_or_default();
        let began = rx.recv().unwrap_or(ended);
        assert!(began >= ended, "the second reader began before the first ended");
        assert_eq!(waited_patience, MOST_PATIENCE);
        assert_eq!(HANDING_OUT.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn patience_runs_out_with_a_hand_out_that_never_ends() {
        let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
        let (tx, rx) = mpsc::channel::<()>();
        let (ready_tx, ready_rx) = mpsc::channel::<()>();
        // A reader left half read in another thread.
        let stale = thread::spawn(move || {
            let mut turn = Turn::new();
            turn.begin_hand_out();
            ready_tx.send(()).ok();
            rx.recv().ok();
        });
        ready_rx.recv().ok();
        let started = Instant::now();
        for _ in 0..100 {
            Turn::new().begin_hand_out();
        }
        // 1 ms, then a quarter of that each time: well under 2 ms in all.
        assert!(started.elapsed() < Duration::from_millis(50), "{:?}", started.elapsed());
        assert!(patience() < Duration::from_micros(1));
        tx.send(()).ok();
        stale.join().ok();
        // Alone again, patience grows back.
        for _ in 0..20 {
            Turn::new().begin_hand_out();
        }
        assert_eq!(patience(), MOST_PATIENCE);
        assert_eq!(HANDING_OUT.load(Ordering::SeqCst), 0);
    }
}
