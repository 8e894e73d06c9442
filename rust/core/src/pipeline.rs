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
use std::io::{self, Read};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use crossbeam_channel::{bounded, Receiver, Sender};

use crate::batch::{frame_batch, Item, Validation};
use crate::framing::bytes_wanted;

/// Records per batch handed to a worker.
pub const BATCH_RECORDS: usize = 512;
/// Bytes asked of the file per read.
pub const READ_SIZE: usize = 1 << 20;
/// Read buffers that the pool has finished with, kept for the next reads,
/// so that reading does not ask the allocator for fresh pages each time.
pub const SPARE_BUFFERS: usize = 2;

/// A batch of validated records, or the I/O error that ended reading.
pub type BatchResult = io::Result<Vec<Item>>;

/// How many threads validate records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workers {
    /// The producer thread validates too: one background thread in all.
    One,
    /// A dedicated pool of this many threads.
    Pool(usize),
    /// rayon's global pool (one thread per core).
    Default,
}

/// A running reader over one file. Dropping it stops the threads.
pub struct PathPipeline {
    batches: Option<Receiver<Receiver<BatchResult>>>,
    stop: Arc<AtomicBool>,
    producer: Option<JoinHandle<()>>,
}

impl PathPipeline {
    /// Opens `path` and starts reading it.
    ///
    /// # Errors
    /// Opening the file failed, or a thread could not be started.
    pub fn open(path: &Path, validation: Validation, workers: Workers) -> io::Result<Self> {
        let file = File::open(path)?;
        let pool = match workers {
            Workers::Pool(n) => Some(Arc::new(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(n.max(1))
                    .thread_name(|i| format!("pymrrc-parse-{i}"))
                    .build()
                    .map_err(io::Error::other)?,
            )),
            Workers::One | Workers::Default => None,
        };
        let in_flight = match workers {
            Workers::One => 2,
            Workers::Pool(n) => 2 * n.max(1),
            Workers::Default => 2 * rayon::current_num_threads(),
        };
        let (order_tx, order_rx) = bounded(in_flight);
        let (spare_tx, spare_rx) = bounded(SPARE_BUFFERS);
        let stop = Arc::new(AtomicBool::new(false));
        let producer = Producer {
            file,
            validation,
            workers,
            pool,
            order: order_tx,
            spare_tx,
            spare_rx,
            stop: Arc::clone(&stop),
        };
        let handle = std::thread::Builder::new()
            .name("pymrrc-read".into())
            .spawn(move || producer.run())?;
        Ok(Self {
            batches: Some(order_rx),
            stop,
            producer: Some(handle),
        })
    }

    /// The next batch in file order; `None` once the file is exhausted.
    /// Blocks until the batch is ready.
    #[must_use]
    pub fn next_batch(&self) -> Option<BatchResult> {
        let order = self.batches.as_ref()?;
        let slot = order.recv().ok()?;
        slot.recv().ok()
    }
}

impl Drop for PathPipeline {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Dropping the receiver makes the producer's next send fail.
        self.batches = None;
        if let Some(handle) = self.producer.take() {
            let _ = handle.join();
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
    validation: Validation,
    workers: Workers,
    pool: Option<Arc<rayon::ThreadPool>>,
    order: Sender<Receiver<BatchResult>>,
    spare_tx: Sender<Vec<u8>>,
    spare_rx: Receiver<Vec<u8>>,
    stop: Arc<AtomicBool>,
}

impl Producer {
    fn run(mut self) {
        let mut buf = self.buffer(Vec::with_capacity(READ_SIZE));
        let mut start = 0usize;
        let mut offset = 0u64;
        let mut eof = false;
        while !self.stop.load(Ordering::Relaxed) {
            let batch = frame_batch(&buf.data[start..], offset, eof, BATCH_RECORDS);
            if batch.chunks.is_empty() && !batch.done {
                match self.refill(buf, start, &mut eof) {
                    Ok(next) => buf = next,
                    Err(err) => {
                        self.send_ready(Err(err));
                        return;
                    }
                }
                start = 0;
                continue;
            }
            let (used, done) = (batch.used, batch.done);
            let sent = batch.chunks.is_empty() || self.dispatch(batch, &buf, start..start + used);
            start += used;
            offset += used as u64;
            if !sent {
                return;
            }
            if done {
                return;
            }
        }
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
        let validation = self.validation;
        match (&self.pool, self.workers) {
            // Decoded here, straight from the read buffer.
            (_, Workers::One) => self.send_ready(Ok(batch.decode(&buf.data[region], &validation))),
            (pool, _) => {
                let buf = Arc::clone(buf);
                let (tx, rx) = bounded(1);
                if self.order.send(rx).is_err() {
                    return false;
                }
                let job = move || {
                    let _ = tx.send(Ok(batch.decode(&buf.data[region], &validation)));
                };
                match pool {
                    Some(p) => p.spawn(job),
                    None => rayon::spawn(job),
                }
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
        let p = PathPipeline::open(path, Some(DecodeOptions::default()), workers).unwrap();
        let mut out = Vec::new();
        while let Some(batch) = p.next_batch() {
            for item in batch.unwrap() {
                out.push((item.offset, matches!(item.outcome, Outcome::Record(_))));
            }
        }
        out
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
        // Dropping a pipeline part-way through stops its threads.
        let p = PathPipeline::open(&path, None, Workers::Pool(2)).unwrap();
        let _ = p.next_batch();
        drop(p);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn missing_files_are_reported_at_open() {
        let err = PathPipeline::open(Path::new("/nonexistent/x.mrc"), None, Workers::One)
            .err()
            .unwrap();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
    }
}
