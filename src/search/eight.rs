//! Eight bytes at a time: a `u64` of text bytes tested on every byte at
//! once, the answer in each byte's high bit. The text passes read words
//! and plain runs this way.

/// The high bit of every byte.
pub const HIGH: u64 = splat(0x80);

/// `b` in every byte.
pub const fn splat(b: u8) -> u64 {
    u64::from_ne_bytes([b; 8])
}

/// The zero bytes of `n`, as their high bits (and no others: adding
/// `0x7f` to the low seven bits of a byte sets its high bit unless they
/// are all zero, and no byte carries into the next).
pub fn zero(n: u64) -> u64 {
    const LOW: u64 = splat(0x7f);
    !(((n & LOW) + LOW) | n | LOW)
}

/// The bytes of `n` (all below 0x80) from `lo` to `hi`, as their high
/// bits: adding `0x80 - lo` sets the high bit of those at least `lo`,
/// adding `0x7f - hi` that of those above `hi`, and no byte carries into
/// the next.
pub fn between(n: u64, lo: u8, hi: u8) -> u64 {
    n.wrapping_add(splat(0x80 - lo)) & !n.wrapping_add(splat(0x7f - hi)) & HIGH
}
