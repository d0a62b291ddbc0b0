//! Mutexes taken even after a thread panicked holding one: the value
//! behind it (a list of written files, a report's body) is still whole,
//! and the panic is reported where it happened, not again at every lock.

use std::sync::{Mutex, MutexGuard};

/// The value behind `mutex`, locked.
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// The value `mutex` held.
pub fn into_inner<T>(mutex: Mutex<T>) -> T {
    mutex.into_inner().unwrap_or_else(|e| e.into_inner())
}
