//! A terminal for driving the real `ouro` binary: a pseudo-terminal whose
//! output feeds a `vt100` screen emulator, so tests read the screen a user
//! would see, after cursor moves and redraws, instead of raw bytes.
//!
//! The emulator answers the cursor position query (`ESC [ 6 n`) that
//! rustyline sends before each prompt, as a real terminal does.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

/// Screen size of every test terminal.
pub const ROWS: u16 = 30;
pub const COLUMNS: u16 = 100;

/// How long a wait may take before the test fails. It guards against hangs
/// only, and no test measures time.
pub const HANG_GUARD: Duration = Duration::from_secs(20);

/// The cursor position query a line editor sends.
const CURSOR_QUERY: &[u8] = b"\x1b[6n";

/// What the reader thread shares with the test.
struct Output {
    parser: vt100::Parser,
    /// Every byte the program wrote, for checks on escape sequences.
    transcript: Vec<u8>,
}

/// `ouro` running in a pseudo-terminal.
pub struct Terminal {
    output: Arc<Mutex<Output>>,
    writer: Arc<Mutex<Box<dyn Write + Send>>>,
    child: Box<dyn Child + Send + Sync>,
    reader: Option<JoinHandle<()>>,
    _master: Box<dyn MasterPty + Send>,
}

impl Terminal {
    /// Starts `ouro args…` with `OURO_HOME=home` and a minimal environment
    /// plus `env`. The working folder is `home`.
    pub fn spawn(home: &Path, args: &[&str], env: &[(&str, &str)]) -> Self {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLUMNS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("opening a pseudo-terminal");
        let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_ouro"));
        command.args(args);
        command.env_clear();
        command.env("PATH", std::env::var_os("PATH").unwrap_or_default());
        command.env("HOME", home);
        command.env("TERM", "xterm-256color");
        command.env("OURO_HOME", home);
        for (key, value) in env {
            command.env(key, value);
        }
        command.cwd(home);
        let child = pair
            .slave
            .spawn_command(command)
            .expect("starting ouro in the pseudo-terminal");
        drop(pair.slave);

        let output = Arc::new(Mutex::new(Output {
            parser: vt100::Parser::new(ROWS.try_into().unwrap(), COLUMNS.try_into().unwrap(), 0),
            transcript: Vec::new(),
        }));
        let writer = Arc::new(Mutex::new(pair.master.take_writer().expect("pty writer")));
        let mut source = pair.master.try_clone_reader().expect("pty reader");
        let reader = {
            let output = Arc::clone(&output);
            let writer = Arc::clone(&writer);
            std::thread::spawn(move || {
                let mut buffer = [0u8; 4096];
                // Reading ends with an error (EIO) or 0 once ouro exits.
                while let Ok(count) = source.read(&mut buffer) {
                    if count == 0 {
                        break;
                    }
                    let reply = {
                        let mut output = lock(&output);
                        output.parser.process(&buffer[..count]);
                        output.transcript.extend_from_slice(&buffer[..count]);
                        // The query may straddle two reads, so look back a little.
                        let start = output.transcript.len().saturating_sub(count + CURSOR_QUERY.len() - 1);
                        let queried = output.transcript[start..]
                            .windows(CURSOR_QUERY.len())
                            .any(|window| window == CURSOR_QUERY);
                        queried.then(|| {
                            let (row, column) = output.parser.screen().cursor_position();
                            format!("\x1b[{};{}R", row + 1, column + 1)
                        })
                    };
                    if let Some(reply) = reply {
                        let mut writer = lock(&writer);
                        let _ = writer.write_all(reply.as_bytes());
                        let _ = writer.flush();
                    }
                }
            })
        };
        Self {
            output,
            writer,
            child,
            reader: Some(reader),
            _master: pair.master,
        }
    }

    /// Types `keys` (text or escape sequences such as `"\x1b[B"`).
    pub fn send(&self, keys: &str) {
        let mut writer = lock(&self.writer);
        writer
            .write_all(keys.as_bytes())
            .expect("writing to the pseudo-terminal");
        writer.flush().expect("flushing the pseudo-terminal");
    }

    /// Types `text` and presses Enter.
    pub fn line(&self, text: &str) {
        self.send(&format!("{text}\r"));
    }

    /// Returns the screen as text, without trailing spaces or trailing blank lines.
    pub fn screen(&self) -> String {
        let output = lock(&self.output);
        let contents = output.parser.screen().contents();
        let lines: Vec<&str> = contents.lines().map(str::trim_end).collect();
        let end = lines
            .iter()
            .rposition(|line| !line.is_empty())
            .map_or(0, |index| index + 1);
        lines[..end].join("\n")
    }

    /// Returns every byte ouro wrote so far.
    pub fn transcript(&self) -> Vec<u8> {
        lock(&self.output).transcript.clone()
    }

    /// Waits until the screen contains `text` and returns the screen.
    pub fn wait_for(&self, text: &str) -> String {
        self.wait_until(&format!("{text:?} on the screen"), |screen| screen.contains(text))
    }

    /// Waits until the last screen line is exactly `prompt` (so ouro has
    /// finished printing and waits for input), and returns the screen.
    pub fn wait_for_prompt(&self, prompt: &str) -> String {
        self.wait_until(&format!("the prompt {prompt:?}"), |screen| {
            screen.lines().last().is_some_and(|last| last == prompt)
        })
    }

    /// Waits until `ready` holds for the screen. After [`HANG_GUARD`] it
    /// fails the test and shows the screen.
    pub fn wait_until(&self, what: &str, ready: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + HANG_GUARD;
        loop {
            let screen = self.screen();
            if ready(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; the screen shows:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits for ouro to exit and returns its exit code.
    pub fn wait_exit(&mut self) -> u32 {
        let deadline = Instant::now() + HANG_GUARD;
        loop {
            if let Some(status) = self.child.try_wait().expect("checking whether ouro exited") {
                if let Some(reader) = self.reader.take() {
                    let _ = reader.join();
                }
                return status.exit_code();
            }
            assert!(
                Instant::now() < deadline,
                "ouro did not exit; the screen shows:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
