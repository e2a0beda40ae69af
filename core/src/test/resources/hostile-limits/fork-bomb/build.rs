// Hostile but bounded: starts up to 400 processes that each sleep 17 s, then waits 20 s. Under a process
// limit the spawns start failing; the script then reports and exits with 1. Never more than 400 children,
// never longer than about 40 s, even without any limit.
use std::process::{Child, Command};
use std::time::{Duration, Instant};

fn main() {
    let start = Instant::now();
    let mut children: Vec<Child> = Vec::new();
    for i in 0..400 {
        match Command::new("/bin/sleep").arg("17").spawn() {
            Ok(child) => children.push(child),
            Err(e) => {
                eprintln!("fork-bomb: spawn {} failed: {}", i, e);
                for mut c in children {
                    let _ = c.kill();
                    let _ = c.wait();
                }
                std::process::exit(1);
            }
        }
    }
    eprintln!("fork-bomb: {} children started in {:?}; nothing stopped me", children.len(), start.elapsed());
    std::thread::sleep(Duration::from_secs(20));
    for mut c in children {
        let _ = c.kill();
        let _ = c.wait();
    }
}
