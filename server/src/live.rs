//! Readers waiting for a record's log to grow (long polls): one `watch` channel per record
//! with waiting readers. A record's channel goes when an append finds nobody waiting on it;
//! channels whose readers all left without an append are swept now and then (not on every
//! append: with many records waited on, that scan would sit on the write path).

use std::collections::HashMap;
use std::sync::Mutex;

use tokio::sync::watch;

/// The records readers wait on.
#[derive(Default)]
pub(crate) struct Live {
    waiting: Mutex<HashMap<String, watch::Sender<()>>>,
    appends: std::sync::atomic::AtomicU32,
}

/// Appends between two sweeps of channels nobody waits on.
const SWEEP_EVERY: u32 = 1024;

impl Live {
    /// A receiver that changes at the next append to `record` after this call.
    pub(crate) fn subscribe(&self, record: &str) -> watch::Receiver<()> {
        let mut map = self.waiting.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(record.to_string())
            .or_insert_with(|| watch::channel(()).0)
            .subscribe()
    }

    /// Wakes the readers of `record` (of every record when `None`: news may have been lost),
    /// and forgets records nobody waits on any more.
    pub(crate) fn appended(&self, record: Option<&str>) {
        let mut map = self.waiting.lock().unwrap_or_else(|e| e.into_inner());
        match record {
            Some(r) => {
                if let Some(tx) = map.get(r) {
                    tx.send_replace(());
                    if tx.receiver_count() == 0 {
                        map.remove(r);
                    }
                }
            }
            None => map.values().for_each(|tx| {
                tx.send_replace(());
            }),
        }
        let n = self
            .appends
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if record.is_none() || n.is_multiple_of(SWEEP_EVERY) {
            map.retain(|_, tx| tx.receiver_count() > 0);
        }
    }
}
