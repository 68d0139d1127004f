//! End-to-end streaming benchmark: the real `ouro` binary and the bundled
//! ChatGPT plugin against the local mock backend, with plugins already in
//! the compiled-component cache.
//!
//! Measures (medians over repeated runs):
//! - a short one-shot task, process start to exit: wall time and peak RSS;
//! - process start to the first streamed text byte;
//! - process CPU time per streamed text delta, from the difference between
//!   a long reply and a short one.
//!
//! Run with `cargo bench -p ouro --bench chatgpt_stream`. Exits with status 1
//! when a target is missed. Results live in docs/benchmarks.md.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ouro_tests::TestHome;
use ouro_tests::mock_chatgpt::MockChatGpt;

const RUNS: usize = 15;
const LONG_REPLY_WORDS: usize = 20_000;

struct Run {
    wall: Duration,
    first_byte: Duration,
    cpu: Duration,
    max_rss_kib: i64,
}

fn ouro(home: &TestHome, mock: &MockChatGpt) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ouro"));
    command
        .env("OURO_HOME", home.path())
        .env("HOME", home.path())
        .env("OURO_CHATGPT_ISSUER", mock.issuer())
        .env("OURO_CHATGPT_BASE_URL", mock.base_url())
        .env("NO_COLOR", "1")
        .env_remove("OURO_LOG")
        .stdin(Stdio::null());
    command
}

/// Runs one task and measures it with `wait4`, which reports the child's
/// CPU time and peak resident set size.
fn run_task(home: &TestHome, mock: &MockChatGpt) -> Run {
    let start = Instant::now();
    let mut child = ouro(home, mock)
        .args(["--task", "hi", "--model", "chatgpt/gpt-5.6-sol"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut first = None;
        let mut buffer = [0u8; 65536];
        while let Ok(read) = stderr.read(&mut buffer) {
            if read == 0 {
                break;
            }
            first.get_or_insert_with(|| start.elapsed());
        }
        first.unwrap_or_default()
    });
    let mut status = 0;
    // SAFETY: zeroed rusage is a valid out-parameter; the pid is our child's.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as i32;
    // SAFETY: wait4 on our own child with valid pointers.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    assert_eq!(waited, pid);
    assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "task failed");
    let first_byte = reader.join().unwrap();
    let cpu = |time: libc::timeval| Duration::new(time.tv_sec as u64, time.tv_usec as u32 * 1000);
    Run {
        wall,
        first_byte,
        cpu: cpu(usage.ru_utime) + cpu(usage.ru_stime),
        max_rss_kib: usage.ru_maxrss,
    }
}

fn median<T: Ord + Copy>(mut values: Vec<T>) -> T {
    values.sort();
    values[values.len() / 2]
}

fn check(name: &str, value: f64, unit: &str, limit: f64, missed: &mut bool) {
    let ok = value <= limit;
    *missed |= !ok;
    println!("| {name} | {value:.1} {unit} | ≤ {limit} {unit} | {} |", if ok { "ok" } else { "MISSED" });
}

fn main() {
    let home = TestHome::new();
    let mock = MockChatGpt::start();
    mock.set_device_interval("1");
    mock.device_pending_polls(0);
    let login = ouro(&home, &mock)
        .args(["--login", "--provider", "chatgpt", "--method", "device"])
        .output()
        .unwrap();
    assert!(login.status.success(), "{}", String::from_utf8_lossy(&login.stderr));

    let short_text = "Hello from the mock.";
    let long_text = "word ".repeat(LONG_REPLY_WORDS);
    let short_deltas = short_text.split_whitespace().count();

    // Warm the component cache, then measure.
    mock.push_stream(MockChatGpt::text_stream(short_text));
    run_task(&home, &mock);

    let mut short_runs = Vec::new();
    let mut long_runs = Vec::new();
    for _ in 0..RUNS {
        mock.push_stream(MockChatGpt::text_stream(short_text));
        short_runs.push(run_task(&home, &mock));
        mock.push_stream(MockChatGpt::text_stream(&long_text));
        long_runs.push(run_task(&home, &mock));
    }

    let wall = median(short_runs.iter().map(|run| run.wall).collect());
    let first = median(short_runs.iter().map(|run| run.first_byte).collect());
    let rss = median(short_runs.iter().map(|run| run.max_rss_kib).collect());
    let short_cpu = median(short_runs.iter().map(|run| run.cpu).collect());
    let long_cpu = median(long_runs.iter().map(|run| run.cpu).collect());
    let per_delta = long_cpu.saturating_sub(short_cpu).as_secs_f64() * 1e6 / (LONG_REPLY_WORDS - short_deltas) as f64;

    let mut missed = false;
    println!("| measure | median | target | result |");
    println!("| --- | --- | --- | --- |");
    check("short task, start to exit (wall)", wall.as_secs_f64() * 1000.0, "ms", 50.0, &mut missed);
    check("short task, peak RSS", rss as f64 / 1024.0, "MiB", 40.0, &mut missed);
    println!("| start to first streamed token | {:.1} ms | | |", first.as_secs_f64() * 1000.0);
    check("process CPU per streamed text delta", per_delta, "µs", 15.0, &mut missed);
    println!(
        "| CPU of a short task / of a {LONG_REPLY_WORDS}-delta task | {:.1} ms / {:.1} ms | | |",
        short_cpu.as_secs_f64() * 1000.0,
        long_cpu.as_secs_f64() * 1000.0
    );
    if missed {
        eprintln!("at least one target was missed");
        std::process::exit(1);
    }
}
