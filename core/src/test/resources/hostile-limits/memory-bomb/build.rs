// Hostile but bounded: touches up to 1 GiB, 16 MiB at a time, for at most 20 s. Under a memory limit the
// kernel kills it (cgroup) or an allocation fails (rlimit); without one it frees everything and exits 0.
use std::time::{Duration, Instant};

fn main() {
    let start = Instant::now();
    let mut blocks: Vec<Vec<u8>> = Vec::new();
    while blocks.len() < 64 && start.elapsed() < Duration::from_secs(20) {
        blocks.push(vec![0x5a; 16 << 20]);
        std::thread::sleep(Duration::from_millis(20));
    }
    eprintln!("memory-bomb: touched {} MiB; nothing stopped me", blocks.len() * 16);
}
