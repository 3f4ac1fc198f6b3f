//! `segops demo` from a clean state prints an `admin: ` URL that opens the installed app.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn segops_demo_prints_an_admin_url_that_opens_the_installed_app() {
    let data_dir = std::env::temp_dir().join(format!("segops-demo-test-{}", uuid::Uuid::new_v4()));
    let mut child = Command::new(env!("CARGO_BIN_EXE_segops"))
        .args(["demo", "--data-dir"])
        .arg(&data_dir)
        .env("SEGOPS_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("segops demo starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let child = KillOnDrop(child);

    // Read lines on a thread; the demo runs until killed, so stop at the admin line.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let admin_url = loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        let line = rx
            .recv_timeout(remaining)
            .expect("the demo printed an admin line within 60 s");
        if let Some(url) = line.strip_prefix("admin: ") {
            break url.trim().to_owned();
        }
    };

    let http = reqwest::Client::new();
    let admin = http.get(&admin_url).send().await.unwrap();
    assert!(
        admin.status().is_success(),
        "admin URL answered {}",
        admin.status()
    );
    let html = admin.text().await.unwrap();
    let start = html
        .find("id=\"app-iframe\"")
        .expect("the store admin frames the app");
    let src_start = html[start..].find("src=\"").unwrap() + start + 5;
    let src_end = html[src_start..].find('"').unwrap() + src_start;
    let app_url = html[src_start..src_end].replace("&amp;", "&");
    let page = http.get(&app_url).send().await.unwrap();
    assert!(
        page.status().is_success(),
        "embedded app answered {}",
        page.status()
    );
    let page = page.text().await.unwrap();
    assert!(
        page.contains("segops-demo"),
        "the workspace is shown: {page}"
    );
    assert!(page.contains("Webhooks subscribed"));
    drop(child);
    let _ = std::fs::remove_dir_all(&data_dir);
}
