//! `annalist serve`: build in memory, serve on loopback, watch the site's
//! inputs, rebuild what an edit touches and reload open pages.

pub mod session;
pub mod watch;
