include!(concat!(env!("OUT_DIR"), "/generated.rs"));
extern "C" { fn answer() -> i32; }
fn main() { println!("{GREETING}: {}", unsafe { answer() }); }
