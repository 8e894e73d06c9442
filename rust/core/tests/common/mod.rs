//! What the no-panic tests share: a small deterministic generator (no
//! dependencies, so every failure reproduces from its seed).

/// xorshift64*: deterministic and dependency-free.
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// A byte: one time in three any byte, otherwise one of `interesting`.
    #[allow(dead_code)]
    pub fn byte_from(&mut self, interesting: &[u8]) -> u8 {
        if self.below(3) == 0 || interesting.is_empty() {
            (self.next() & 0xff) as u8
        } else {
            interesting[self.below(interesting.len())]
        }
    }
}
