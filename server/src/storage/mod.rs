//! Where the relay keeps what it is sent.

mod sqlite;

pub use sqlite::*;
