//! The parallel file reader: a producer thread reads and frames a file, a
//! rayon pool validates batches of records, and the consumer receives the
//! batches in file order through bounded channels.
//!
//! Memory is bounded: at most `in_flight` batches (each at most
//! [`BATCH_RECORDS`] records) exist between the producer and the consumer.
//! Each read buffer (at least [`READ_SIZE`], or one record's claimed length
//! when that is larger) is shared by the batches framed from it, which the
//! pool validates in place. A buffer is held by the producer and by each
//! batch not yet validated: the `in_flight` queued ones and the one the
//! consumer waits for; so at most `in_flight + 2` buffers are in use, plus
//! [`SPARE_BUFFERS`] kept for reuse.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{bounded, Receiver, RecvTimeoutError, Sender};

use crate::batch::{frame_batch, Item, Keep, Validation};
use crate::framing::bytes_wanted;

/// Records per batch handed to a worker.
pub const BATCH_RECORDS: usize = 512;
/// Bytes asked of the file per read.
pub const READ_SIZE: usize = 1 << 20;
/// Read buffers that the pool has finished with, kept for the next reads,
/// so that reading does not ask the allocator for fresh pages each time.
pub const SPARE_BUFFERS: usize = 2;
/// The most threads one reader's pool, or the shared pool, may have.
pub const MAX_WORKERS: usize = 256;
/// The environment variable that sizes the shared pool (rayon's name).
pub const POOL_SIZE_VAR: &str = "RAYON_NUM_THREADS";
/// How long dropping a pipeline waits for its reading thread to end. The
/// thread ends by itself once its current `read()` returns; waiting longer
/// would only matter for a file that may never give more bytes (a FIFO
/// whose writer stalls), and then the wait would hold up the caller.
pub const STOP_WAIT: Duration = Duration::from_millis(20);

/// A batch of validated records, or the I/O error that ended reading.
pub type BatchResult = io::Result<Vec<Item>>;

/// How many threads validate records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workers {
    /// The producer thread validates too: one background thread in all.
    One,
    /// A dedicated pool of this many threads.
    Pool(usize),
    /// The pool shared by every reader in the process (see
    /// [`shared_pool_size`]).
    Default,
}

/// Threads in the pool shared by readers without their own: the value of
/// [`POOL_SIZE_VAR`] when it is a positive number, else one per core; at
/// most [`MAX_WORKERS`].
#[must_use]
pub fn shared_pool_size() -> usize {
    let asked = std::env::var(POOL_SIZE_VAR)
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0);
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    asked.unwrap_or(cores).min(MAX_WORKERS)
}

/// The shared pool, built on first use.
fn shared_pool() -> io::Result<Arc<rayon::ThreadPool>> {
    static POOL: OnceLock<Arc<rayon::ThreadPool>> = OnceLock::new();
    if let Some(pool) = POOL.get() {
        return Ok(Arc::clone(pool));
    }
    let built = Arc::new(build_pool(shared_pool_size(), "pymrrc-pool")?);
    // Two threads racing here: the loser's pool is dropped (its threads end).
    Ok(Arc::clone(POOL.get_or_init(|| built)))
}

fn build_pool(threads: usize, name: &'static str) -> io::Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.clamp(1, MAX_WORKERS))
        .thread_name(move |i| format!("{name}-{i}"))
        .build()
        .map_err(io::Error::other)
}

/// What [`PathPipeline::next_batch_within`] found.
#[derive(Debug)]
pub enum Polled {
    /// The next batch in file order, or the error that ended reading.
    Batch(BatchResult),
    /// The file is exhausted.
    End,
    /// Nothing arrived in time; ask again.
    Waiting,
}

/// A running reader over one file. Its threads start with the first
/// request for a batch, so that options set between opening and the first
/// record apply to every batch. Dropping it stops the threads.
pub struct PathPipeline {
    /// The producer, until its thread is started.
    unstarted: Option<Producer>,
    /// Set by [`PathPipeline::set_inline`]: the producer stays here and
    /// runs on the caller's thread, a batch at a time, with where it stands.
    inline: Option<Cursor>,
    batches: Option<Receiver<Receiver<BatchResult>>>,
    /// The slot of the batch being waited for, once its turn has come.
    slot: Option<Receiver<BatchResult>>,
    validation: Arc<Mutex<Validation>>,
    stop: Arc<AtomicBool>,
    producer: Option<JoinHandle<()>>,
    /// Disconnected when the reading thread has ended.
    exited: Receiver<()>,
}

impl PathPipeline {
    /// Opens `path`; reading starts with the first request for a batch.
    ///
    /// # Errors
    /// Opening the file failed, or the pool could not be started.
    pub fn open(path: &Path, validation: Validation, workers: Workers) -> io::Result<Self> {
        Self::open_range(path, validation, workers, 0, None)
    }

    /// Opens `path` to read the records that start at `start` (where a
    /// record starts) and after, up to the first record that starts at or
    /// after `stop`: one partition (see [`crate::partition`]). Offsets
    /// stay the file's.
    ///
    /// # Errors
    /// Opening or seeking the file failed, or the pool could not be started.
    pub fn open_range(
        path: &Path,
        validation: Validation,
        workers: Workers,
        start: u64,
        stop_at: Option<u64>,
    ) -> io::Result<Self> {
        let mut file = File::open(path)?;
        if start > 0 {
            file.seek(SeekFrom::Start(start))?;
        }
        let (pool, threads) = match workers {
            Workers::Pool(n) => (Some(Arc::new(build_pool(n, "pymrrc-parse")?)), n),
            Workers::Default => {
                let pool = shared_pool()?;
                let threads = pool.current_num_threads();
                (Some(pool), threads)
            }
            Workers::One => (None, 1),
        };
        let in_flight = 2 * threads.clamp(1, MAX_WORKERS);
        let (order_tx, order_rx) = bounded(in_flight);
        let (spare_tx, spare_rx) = bounded(SPARE_BUFFERS);
        let stop = Arc::new(AtomicBool::new(false));
        let validation = Arc::new(Mutex::new(validation));
        let (exited_tx, exited) = bounded(0);
        let producer = Producer {
            file,
            start,
            stop_at,
            validation: Arc::clone(&validation),
            keep: Keep::Everything,
            pool,
            order: order_tx,
            spare_tx,
            spare_rx,
            stop: Arc::clone(&stop),
            _exiting: exited_tx,
        };
        Ok(Self {
            unstarted: Some(producer),
            inline: None,
            batches: Some(order_rx),
            slot: None,
            validation,
            stop,
            producer: None,
            exited,
        })
    }

    /// Sets the options batches validated from now on are validated with
    /// (batches already validated keep theirs: see [`Item::validation`]).
    pub fn set_validation(&self, validation: Validation) {
        *self
            .validation
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = validation;
    }

    /// Sets which items keep their record's bytes (see [`Keep`]); only
    /// before the first batch is asked for, else it does nothing.
    pub fn set_keep(&mut self, keep: Keep) {
        if let Some(producer) = self.unstarted.as_mut() {
            producer.keep = keep;
        }
    }

    /// Reads and validates on the caller's thread, in
    /// [`PathPipeline::next_batch_within`], instead of on a thread of its
    /// own (a process that runs one task per core, such as a Dask worker,
    /// gets one core's work per task); only before the first batch is
    /// asked for, and only for [`Workers::One`], else it does nothing.
    pub fn set_inline(&mut self) {
        if let Some(producer) = self.unstarted.as_ref() {
            if producer.pool.is_none() && self.inline.is_none() {
                self.inline = Some(producer.cursor());
            }
        }
    }

    /// The next batch read on the caller's thread (see
    /// [`PathPipeline::set_inline`]).
    fn next_inline(&mut self) -> Polled {
        loop {
            let Some(order) = &self.batches else {
                return Polled::End;
            };
            if let Ok(slot) = order.try_recv() {
                // A slot is filled before it is sent when there is no pool.
                if let Ok(result) = slot.try_recv() {
                    return Polled::Batch(result);
                }
                continue;
            }
            let (Some(producer), Some(cursor)) = (self.unstarted.as_mut(), self.inline.as_mut())
            else {
                return Polled::End;
            };
            if !producer.step(cursor) {
                // Its channel's sender goes with it; what it sent is still
                // there to be received.
                self.unstarted = None;
                cursor.buf = None;
            }
        }
    }

    /// The next batch in file order, waiting at most about `timeout` for
    /// it, so that the caller can look at other things (signals) while it
    /// waits.
    ///
    /// # Errors
    /// The reading thread could not be started.
    pub fn next_batch_within(&mut self, timeout: Duration) -> io::Result<Polled> {
        if self.inline.is_some() {
            return Ok(self.next_inline());
        }
        if let Some(producer) = self.unstarted.take() {
            let handle = std::thread::Builder::new()
                .name("pymrrc-read".into())
                .spawn(move || producer.run())?;
            self.producer = Some(handle);
        }
        let deadline = Instant::now() + timeout;
        if self.slot.is_none() {
            let Some(order) = &self.batches else {
                return Ok(Polled::End);
            };
            match order.recv_deadline(deadline) {
                Ok(slot) => self.slot = Some(slot),
                Err(RecvTimeoutError::Timeout) => return Ok(Polled::Waiting),
                Err(RecvTimeoutError::Disconnected) => return Ok(Polled::End),
            }
        }
        let Some(slot) = &self.slot else {
            return Ok(Polled::End);
        };
        match slot.recv_deadline(deadline) {
            Ok(result) => {
                self.slot = None;
                Ok(Polled::Batch(result))
            }
            Err(RecvTimeoutError::Timeout) => Ok(Polled::Waiting),
            Err(RecvTimeoutError::Disconnected) => {
                self.slot = None;
                Ok(Polled::End)
            }
        }
    }

    /// The next batch in file order; `None` once the file is exhausted.
    /// Blocks until the batch is ready.
    pub fn next_batch(&mut self) -> Option<BatchResult> {
        loop {
            match self.next_batch_within(Duration::from_secs(3600)) {
                Ok(Polled::Batch(result)) => return Some(result),
                Ok(Polled::End) => return None,
                Ok(Polled::Waiting) => {}
                Err(err) => return Some(Err(err)),
            }
        }
    }
}

impl Drop for PathPipeline {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Dropping the receivers makes the producer's next send fail.
        self.slot = None;
        self.batches = None;
        if let Some(handle) = self.producer.take() {
            // Joined once it has ended; else left to end by itself.
            if self.exited.recv_timeout(STOP_WAIT) == Err(RecvTimeoutError::Disconnected) {
                let _ = handle.join();
            }
        }
    }
}

/// A filled read buffer, shared by the batches framed from it. When the
/// last of them is done with it, its allocation goes back to the producer
/// (if fewer than [`SPARE_BUFFERS`] wait there already).
struct ReadBuffer {
    data: Vec<u8>,
    spare: Sender<Vec<u8>>,
}

impl Drop for ReadBuffer {
    fn drop(&mut self) {
        if self.data.capacity() > 0 {
            let _ = self.spare.try_send(std::mem::take(&mut self.data));
        }
    }
}

struct Producer {
    file: File,
    /// The file offset reading starts at.
    start: u64,
    /// No record that starts at or after this offset is read.
    stop_at: Option<u64>,
    /// The options batches are validated with, as the reader sets them.
    validation: Arc<Mutex<Validation>>,
    /// Which items keep their bytes.
    keep: Keep,
    /// `None`: the producer validates each batch itself (`Workers::One`).
    pool: Option<Arc<rayon::ThreadPool>>,
    order: Sender<Receiver<BatchResult>>,
    spare_tx: Sender<Vec<u8>>,
    spare_rx: Receiver<Vec<u8>>,
    stop: Arc<AtomicBool>,
    /// Dropped with the producer, when its thread ends.
    _exiting: Sender<()>,
}

/// Where a producer stands: its read buffer, the first byte not yet
/// framed in it, that byte's file offset, and whether the file has ended.
struct Cursor {
    buf: Option<Arc<ReadBuffer>>,
    start: usize,
    offset: u64,
    eof: bool,
}

impl Producer {
    fn run(mut self) {
        let mut cursor = self.cursor();
        while self.step(&mut cursor) {}
    }

    fn cursor(&self) -> Cursor {
        Cursor {
            buf: Some(self.buffer(Vec::with_capacity(READ_SIZE))),
            start: 0,
            offset: self.start,
            eof: false,
        }
    }

    /// Frames and sends the next batch, or reads more of the file;
    /// `false` once reading has ended.
    fn step(&mut self, at: &mut Cursor) -> bool {
        let Some(buf) = at.buf.take() else {
            return false;
        };
        if self.stop.load(Ordering::Relaxed) || self.stop_at.is_some_and(|stop| at.offset >= stop) {
            return false;
        }
        let mut batch = frame_batch(&buf.data[at.start..], at.offset, at.eof, BATCH_RECORDS);
        if let Some(stop) = self.stop_at {
            batch.stop_before(stop);
        }
        if batch.chunks.is_empty() && !batch.done {
            match self.refill(buf, at.start, &mut at.eof) {
                Ok(next) => at.buf = Some(next),
                Err(err) => {
                    self.send_ready(Err(err));
                    return false;
                }
            }
            at.start = 0;
            return true;
        }
        let (used, done) = (batch.used, batch.done);
        let sent = batch.chunks.is_empty() || self.dispatch(batch, &buf, at.start..at.start + used);
        at.start += used;
        at.offset += used as u64;
        at.buf = Some(buf);
        sent && !done
    }

    fn buffer(&self, data: Vec<u8>) -> Arc<ReadBuffer> {
        Arc::new(ReadBuffer {
            data,
            spare: self.spare_tx.clone(),
        })
    }

    /// The next read buffer: the bytes of `old` from `start` on (a record
    /// not yet complete), followed by what the file gives next. `old`'s own
    /// allocation is reused when no batch holds it any more (always with
    /// `workers=1`), else a spare one.
    fn refill(
        &mut self,
        old: Arc<ReadBuffer>,
        start: usize,
        eof: &mut bool,
    ) -> io::Result<Arc<ReadBuffer>> {
        let mut data = match Arc::try_unwrap(old) {
            Ok(mut only) => {
                let mut data = std::mem::take(&mut only.data);
                data.drain(..start);
                data
            }
            Err(shared) => {
                let mut data = self.spare_rx.try_recv().unwrap_or_default();
                data.clear();
                data.extend_from_slice(&shared.data[start..]);
                data
            }
        };
        let want = bytes_wanted(&data).unwrap_or(READ_SIZE).max(READ_SIZE);
        data.reserve(want);
        // `read_to_end` fills the spare capacity without zeroing it first;
        // fewer bytes than asked means the end of the file.
        let got = (&mut self.file).take(want as u64).read_to_end(&mut data)?;
        if got < want {
            *eof = true;
        }
        Ok(self.buffer(data))
    }

    /// Sends a batch for validation (`region`: the part of `buf` it was
    /// framed from); `false` once the consumer has gone.
    fn dispatch(
        &self,
        batch: crate::batch::FramedBatch,
        buf: &Arc<ReadBuffer>,
        region: std::ops::Range<usize>,
    ) -> bool {
        let validation = *self
            .validation
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let keep = self.keep;
        match &self.pool {
            // Decoded here, straight from the read buffer.
            None => self.send_ready(Ok(batch.decode_keeping(
                &buf.data[region],
                &validation,
                keep,
            ))),
            Some(pool) => {
                let buf = Arc::clone(buf);
                let (tx, rx) = bounded(1);
                if self.order.send(rx).is_err() {
                    return false;
                }
                pool.spawn(move || {
                    let _ = tx.send(Ok(batch.decode_keeping(
                        &buf.data[region],
                        &validation,
                        keep,
                    )));
                });
                true
            }
        }
    }

    fn send_ready(&self, result: BatchResult) -> bool {
        let (tx, rx) = bounded(1);
        let _ = tx.send(result);
        self.order.send(rx).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::Outcome;
    use crate::decode::DecodeOptions;
    use crate::encode::tests::sample_record;

    fn read_all(path: &Path, workers: Workers) -> Vec<(u64, bool)> {
        let mut p = PathPipeline::open(path, Some(DecodeOptions::default()), workers).unwrap();
        let mut out = Vec::new();
        while let Some(batch) = p.next_batch() {
            for item in batch.unwrap() {
                out.push((item.offset, matches!(item.outcome, Outcome::Record(_))));
            }
        }
        out
    }

    fn read_range(
        path: &Path,
        workers: Workers,
        start: u64,
        stop: Option<u64>,
    ) -> Vec<(u64, bool)> {
        read_range_in(path, workers, start, stop, false)
    }

    /// `inline`: read on this thread ([`PathPipeline::set_inline`]).
    fn read_range_in(
        path: &Path,
        workers: Workers,
        start: u64,
        stop: Option<u64>,
        inline: bool,
    ) -> Vec<(u64, bool)> {
        let mut p =
            PathPipeline::open_range(path, Some(DecodeOptions::default()), workers, start, stop)
                .unwrap();
        if inline {
            p.set_inline();
        }
        let mut out = Vec::new();
        while let Some(batch) = p.next_batch() {
            for item in batch.unwrap() {
                out.push((item.offset, matches!(item.outcome, Outcome::Record(_))));
            }
        }
        // Inline, no reading thread was ever started (with a pool it does
        // nothing).
        assert_eq!(p.producer.is_none(), inline && workers == Workers::One);
        assert!(p.next_batch().is_none());
        out
    }

    #[test]
    fn a_range_reads_the_records_that_start_in_it() {
        let rec = sample_record();
        let n = rec.len() as u64;
        let count = (2 * READ_SIZE) / rec.len() + 100;
        let dir = std::env::temp_dir().join(format!("pymrrc-range-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("records.mrc");
        std::fs::write(&path, rec.repeat(count)).unwrap();
        let all = read_all(&path, Workers::One);
        for workers in [Workers::One, Workers::Pool(2)] {
            // Cuts inside records and at record starts, across read buffers.
            let cuts = [
                0,
                3 * n + 1,
                700 * n,
                700 * n + 5,
                (count as u64 - 3) * n,
                count as u64 * n,
            ];
            let mut joined = Vec::new();
            for pair in cuts.windows(2) {
                let start = pair[0].div_ceil(n) * n;
                joined.extend(read_range(&path, workers, start, Some(pair[1])));
            }
            assert_eq!(joined, all);
            let mut inline = Vec::new();
            for pair in cuts.windows(2) {
                let start = pair[0].div_ceil(n) * n;
                inline.extend(read_range_in(&path, workers, start, Some(pair[1]), true));
            }
            assert_eq!(inline, all);
            assert!(read_range_in(&path, workers, 5 * n, Some(5 * n), true).is_empty());
            assert!(read_range(&path, workers, 5 * n, Some(5 * n)).is_empty());
            assert_eq!(
                read_range(&path, workers, (count as u64 - 1) * n, None).len(),
                1
            );
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn every_worker_setting_gives_the_same_records_in_order() {
        let rec = sample_record();
        let mut data = rec.repeat(2000);
        data.extend_from_slice(b"0001");
        let dir = std::env::temp_dir().join(format!("pymrrc-pipeline-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("records.mrc");
        std::fs::write(&path, &data).unwrap();
        let one = read_all(&path, Workers::One);
        assert_eq!(one.len(), 2001);
        assert!(one[..2000].iter().all(|(_, ok)| *ok));
        assert!(!one[2000].1);
        assert_eq!(one, read_all(&path, Workers::Pool(3)));
        assert_eq!(one, read_all(&path, Workers::Default));
        // Several read buffers, records straddling their ends: the pool
        // validates in buffers shared by batches, `One` in a reused one.
        let many = (3 * READ_SIZE) / rec.len() + 7;
        let mut big = rec.repeat(many);
        big.extend_from_slice(b"0001");
        let big_path = dir.join("many.mrc");
        std::fs::write(&big_path, &big).unwrap();
        let one_big = read_all(&big_path, Workers::One);
        assert_eq!(one_big.len(), many + 1);
        assert!(one_big
            .iter()
            .enumerate()
            .all(|(i, (offset, _))| *offset == (i * rec.len()) as u64));
        assert_eq!(one_big, read_all(&big_path, Workers::Pool(3)));
        assert_eq!(one_big, read_all(&big_path, Workers::Default));
        assert_eq!(one_big, read_range_in(&big_path, Workers::One, 0, None, true));
        assert_eq!(one, read_range_in(&path, Workers::One, 0, None, true));
        // Dropping a pipeline part-way through stops its threads.
        let mut p = PathPipeline::open(&path, None, Workers::Pool(2)).unwrap();
        let _ = p.next_batch();
        drop(p);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn options_set_before_the_first_batch_apply_to_every_batch() {
        let mut rec = sample_record();
        rec[9] = b' ';
        let data = rec.repeat(3 * BATCH_RECORDS);
        let dir = std::env::temp_dir().join(format!("pymrrc-options-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("records.mrc");
        std::fs::write(&path, &data).unwrap();
        let forced = Some(DecodeOptions {
            force_utf8: true,
            ..DecodeOptions::default()
        });
        for workers in [Workers::One, Workers::Pool(2), Workers::Default] {
            let mut p = PathPipeline::open(&path, Some(DecodeOptions::default()), workers).unwrap();
            p.set_validation(forced);
            let mut count = 0;
            while let Some(batch) = p.next_batch() {
                for item in batch.unwrap() {
                    assert_eq!(item.validation, forced);
                    assert!(matches!(item.outcome, Outcome::Record(_)));
                    count += 1;
                }
            }
            assert_eq!(count, 3 * BATCH_RECORDS);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn waiting_for_a_batch_can_be_cut_short() {
        let dir = std::env::temp_dir().join(format!("pymrrc-fifo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let fifo = dir.join("records.fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            return; // no mkfifo here
        }
        // A writer that opens the FIFO and sends nothing for a while.
        let writer_path = fifo.clone();
        let writer = std::thread::spawn(move || {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .open(writer_path)
                .unwrap();
            std::thread::sleep(Duration::from_millis(300));
            drop(file);
        });
        let mut p = PathPipeline::open(&fifo, None, Workers::One).unwrap();
        let started = Instant::now();
        assert!(matches!(
            p.next_batch_within(Duration::from_millis(5)).unwrap(),
            Polled::Waiting
        ));
        assert!(started.elapsed() < Duration::from_millis(250));
        // Dropped while its thread waits on the FIFO: it does not wait for it.
        let dropped = Instant::now();
        drop(p);
        assert!(dropped.elapsed() < Duration::from_millis(250));
        writer.join().unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn shared_pool_is_bounded() {
        assert!((1..=MAX_WORKERS).contains(&shared_pool_size()));
        assert!(build_pool(MAX_WORKERS + 5, "pymrrc-test")
            .is_ok_and(|p| p.current_num_threads() == MAX_WORKERS));
    }

    #[test]
    fn missing_files_are_reported_at_open() {
        let err = PathPipeline::open(Path::new("/nonexistent/x.mrc"), None, Workers::One)
            .err()
            .unwrap();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
    }
}
