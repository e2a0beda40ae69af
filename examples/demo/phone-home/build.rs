// Tries to reach the network, as a malicious build script would to exfiltrate or download.
use std::net::{TcpStream, ToSocketAddrs, UdpSocket};
use std::time::Duration;

fn report(what: &str, result: Result<String, String>) {
    match result {
        Ok(detail) => println!("cargo::warning=[ALLOWED] {what}: {detail}"),
        Err(e) => println!("cargo::warning=[blocked] {what}: {e}"),
    }
}

fn main() {
    let port = std::env::var("DEMO_LISTENER_PORT").unwrap_or_else(|_| "9".into());
    let local = format!("127.0.0.1:{port}");
    report(&format!("TCP connect to {local} (a listener on the host)"),
        local.to_socket_addrs().map_err(|e| e.to_string()).and_then(|mut a| {
            TcpStream::connect_timeout(&a.next().unwrap(), Duration::from_secs(2))
                .map(|_| "connected".to_string()).map_err(|e| e.to_string())
        }));
    report("DNS lookup of crates.io", ("crates.io", 443).to_socket_addrs()
        .map(|a| format!("{} addresses", a.count())).map_err(|e| e.to_string()));
    report("UDP socket to 1.1.1.1:53", UdpSocket::bind("0.0.0.0:0").and_then(|s| s.send_to(b"x", "1.1.1.1:53"))
        .map(|n| format!("sent {n} bytes")).map_err(|e| e.to_string()));
}
