//! [`SyncService`]: syncs every record of the device in the background, tells the shell its
//! state and what arrived, and never holds a record the app uses while it waits on the network.
//! The shapes are application-services' sync manager (one service over several stores) and
//! matrix-rust-sdk's `SyncService` (a state to observe, start and stop).

use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::{Device, PlanSettings, RecordSync};
use crate::error::{Error, Result};
use crate::sync::{SyncError, Transport};

/// What the service is doing, for the shell to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncState {
    /// Not syncing; everything that could be synced was.
    Idle,
    /// A pass over the device's records is running.
    Syncing,
    /// The relay could not be reached; the service tries again after a pause that grows.
    Offline,
    /// The last pass failed for a reason a person must act on (`kind`).
    Error {
        /// What failed.
        kind: SyncFailure,
    },
}

/// Why a pass failed, in the kinds a shell shows differently (in rising order of concern: a
/// pass with several failures reports the last kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SyncFailure {
    /// The device's clock is far off: ask the person to set the date and time.
    ClockOff,
    /// The relay refused this device as no longer a member of a record.
    NotMember,
    /// The record could not be read or written on this device (storage, keys).
    Storage,
    /// Anything else the relay or a member sent that could not be used.
    Other,
}

/// Told of the service's state and of each record synced, on the service's thread.
pub trait SyncObserver: Send + Sync {
    /// The state changed.
    fn state_changed(&self, state: SyncState);
    /// One record was synced (or failed to), with what arrived.
    fn record_synced(&self, record: &RecordSync);
}

/// The longest pause between passes while the relay cannot be reached.
const MOST_BACKOFF: Duration = Duration::from_secs(300);

struct Shared {
    device: Device,
    plan: Option<PlanSettings>,
    transport: Mutex<Box<dyn Transport + Send>>,
    observer: Arc<dyn SyncObserver>,
    state: Mutex<SyncState>,
    /// Set to stop the background loop; the condition variable wakes it.
    control: Mutex<Control>,
    wake: Condvar,
}

#[derive(Default)]
struct Control {
    stop: bool,
    now: bool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Syncs every shared record of a device: once on demand ([`SyncService::sync_once`], for the
/// platforms' background schedulers), or in a loop on a thread of its own
/// ([`SyncService::start`]) with a pause between passes that grows while the relay is out of
/// reach. Each record is synced through a connection of its own, so a dose the person logs
/// meanwhile is written at once.
pub struct SyncService {
    shared: Arc<Shared>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl SyncService {
    /// A service over `device`'s records, talking to their relays through `transport`,
    /// telling `observer`; with `plan`, each record's summary carries the notification plan's
    /// diff.
    pub fn new(
        device: Device,
        transport: Box<dyn Transport + Send>,
        observer: Arc<dyn SyncObserver>,
        plan: Option<PlanSettings>,
    ) -> Self {
        Self {
            shared: Arc::new(Shared {
                device,
                plan,
                transport: Mutex::new(transport),
                observer,
                state: Mutex::new(SyncState::Idle),
                control: Mutex::new(Control::default()),
                wake: Condvar::new(),
            }),
            thread: Mutex::new(None),
        }
    }

    /// The service's state now.
    pub fn state(&self) -> SyncState {
        *lock(&self.shared.state)
    }

    /// One pass over the device's shared records, in the caller's thread; a record not begun
    /// before `deadline` waits for the next pass. Returns what each record's sync did.
    pub fn sync_once(&self, deadline: Instant) -> Result<Vec<RecordSync>> {
        self.shared.pass(Some(deadline))
    }

    /// Runs passes on a thread of its own until [`SyncService::stop`]: one at once, then one
    /// every `every`, or sooner when [`SyncService::sync_now`] asks. Starting a started
    /// service does nothing.
    pub fn start(&self, every: Duration) {
        let mut thread = lock(&self.thread);
        if thread.is_some() {
            return;
        }
        lock(&self.shared.control).stop = false;
        let shared = self.shared.clone();
        *thread = Some(std::thread::spawn(move || shared.run(every)));
    }

    /// Asks the running service for a pass now (after a local write, on connectivity).
    pub fn sync_now(&self) {
        lock(&self.shared.control).now = true;
        self.shared.wake.notify_all();
    }

    /// Stops the loop: the pass under way finishes its record; returns once the thread ended.
    pub fn stop(&self) {
        lock(&self.shared.control).stop = true;
        self.shared.wake.notify_all();
        if let Some(thread) = lock(&self.thread).take() {
            let _ = thread.join();
        }
    }
}

impl Drop for SyncService {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Shared {
    fn set_state(&self, state: SyncState) {
        let mut now = lock(&self.state);
        if *now != state {
            *now = state;
            drop(now);
            self.observer.state_changed(state);
        }
    }

    fn stopping(&self) -> bool {
        lock(&self.control).stop
    }

    /// One pass; the state says how it ended.
    fn pass(&self, deadline: Option<Instant>) -> Result<Vec<RecordSync>> {
        self.set_state(SyncState::Syncing);
        let records = match self.device.files() {
            Ok(r) => r,
            Err(e) => {
                self.set_state(SyncState::Error {
                    kind: SyncFailure::Storage,
                });
                return Err(e);
            }
        };
        let mut done = Vec::new();
        let mut failure = None;
        for (_, path) in records {
            if deadline.is_some_and(|d| Instant::now() >= d) || self.stopping() {
                break;
            }
            let synced = {
                let mut transport = lock(&self.transport);
                self.device
                    .sync_record(&path, transport.as_mut(), self.plan.as_ref())
            };
            match synced {
                Ok(None) => {}
                Ok(Some(s)) => {
                    if let Err(e) = &s.result {
                        failure = failure.max(Some(rank(e)));
                    }
                    self.observer.record_synced(&s);
                    done.push(s);
                }
                Err(e) => failure = failure.max(Some(rank(&e))),
            }
        }
        self.set_state(match failure {
            None => SyncState::Idle,
            Some(Rank::Offline) => SyncState::Offline,
            Some(Rank::Failed(kind)) => SyncState::Error { kind },
        });
        Ok(done)
    }

    fn run(&self, every: Duration) {
        let mut backoff = Duration::from_secs(1);
        loop {
            if self.stopping() {
                return;
            }
            let _ = self.pass(None);
            let pause = if *lock(&self.state) == SyncState::Offline {
                let p = backoff;
                backoff = (backoff * 2).min(MOST_BACKOFF);
                p
            } else {
                backoff = Duration::from_secs(1);
                every
            };
            let control = lock(&self.control);
            let (mut control, _) = self
                .wake
                .wait_timeout_while(control, pause, |c| !c.stop && !c.now)
                .unwrap_or_else(PoisonError::into_inner);
            control.now = false;
        }
    }
}

/// How a record's failure counts for the pass's state: being offline is the mildest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    Offline,
    Failed(SyncFailure),
}

fn rank(e: &Error) -> Rank {
    match e {
        Error::Sync(SyncError::Unreachable { .. }) => Rank::Offline,
        Error::Sync(SyncError::ClockOff { .. }) => Rank::Failed(SyncFailure::ClockOff),
        Error::Sync(SyncError::Relay { code, .. }) if code == "not_member" => {
            Rank::Failed(SyncFailure::NotMember)
        }
        Error::Sync(_) => Rank::Failed(SyncFailure::Other),
        _ => Rank::Failed(SyncFailure::Storage),
    }
}
