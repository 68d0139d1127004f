//! A list picker drawn below the prompt: arrow keys move, typing filters,
//! Enter picks, Esc or Ctrl+C cancels. Rows sit under group headers.
//!
//! The picker redraws its own lines in place (no alternate screen), so
//! the scrollback keeps what came before it. Every line is cut to the
//! terminal width and the list scrolls, so the line count it moves the
//! cursor back over is always the count it drew.

use std::io::{self, Write};

use crossterm::cursor::{Hide, MoveToColumn, MoveUp, Show};
use crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use crossterm::queue;
use crossterm::terminal::{self, Clear, ClearType};

use super::style::Style;

/// Rows that PageUp and PageDown move.
const PAGE_ROWS: usize = 10;

/// A header and the rows under it.
pub struct Group {
    pub title: String,
    pub items: Vec<Item>,
}

/// One row that can be picked.
pub struct Item {
    /// Returned when the row is picked.
    pub value: String,
    /// The row as shown. The filter matches it and the group title.
    pub text: String,
    /// Marked with `*` (the current choice).
    pub marked: bool,
}

/// Shows the picker and returns the picked item's value, or `None` when
/// the user cancelled. The selection starts on the item whose value is
/// `initial`. Stdin and stdout must be a terminal.
pub fn pick(title: &str, groups: &[Group], initial: Option<&str>, style: Style) -> io::Result<Option<String>> {
    let mut state = State::new(groups, initial);
    let _raw_mode = RawMode::enable()?;
    let mut out = io::stdout();
    let mut drawn = 0;
    loop {
        let (columns, rows) = terminal::size().unwrap_or((80, 24));
        let lines = state.render(title, usize::from(columns), usize::from(rows), style);
        redraw(&mut out, &lines, &mut drawn)?;
        let key = match event::read()? {
            Event::Key(key) if key.kind != KeyEventKind::Release => key,
            _ => continue,
        };
        if let Some(result) = state.handle(key) {
            redraw(&mut out, &[], &mut drawn)?;
            return Ok(result);
        }
    }
}

/// Replaces the `drawn` lines last written with `lines`, leaving the
/// cursor on the last line.
fn redraw(out: &mut impl Write, lines: &[String], drawn: &mut usize) -> io::Result<()> {
    queue!(out, MoveToColumn(0))?;
    if *drawn > 1 {
        let up = u16::try_from(*drawn - 1).unwrap_or(u16::MAX);
        queue!(out, MoveUp(up))?;
    }
    queue!(out, Clear(ClearType::FromCursorDown))?;
    write!(out, "{}", lines.join("\r\n"))?;
    out.flush()?;
    *drawn = lines.len();
    Ok(())
}

/// Raw mode with a hidden cursor, undone on drop (on errors too).
struct RawMode;

impl RawMode {
    fn enable() -> io::Result<Self> {
        terminal::enable_raw_mode()?;
        let mut out = io::stdout();
        queue!(out, Hide)?;
        out.flush()?;
        Ok(Self)
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        let mut out = io::stdout();
        let _ = queue!(out, Show);
        let _ = out.flush();
        let _ = terminal::disable_raw_mode();
    }
}

struct State<'g> {
    groups: &'g [Group],
    filter: String,
    /// (group index, item index) of every item the filter matches, in
    /// display order.
    matches: Vec<(usize, usize)>,
    /// Index into `matches`.
    selected: usize,
}

impl<'g> State<'g> {
    fn new(groups: &'g [Group], initial: Option<&str>) -> Self {
        let mut state = Self {
            groups,
            filter: String::new(),
            matches: Vec::new(),
            selected: 0,
        };
        state.refilter(initial);
        state
    }

    fn item(&self, index: usize) -> Option<&'g Item> {
        let groups = self.groups;
        self.matches.get(index).map(|&(group, item)| &groups[group].items[item])
    }

    /// Recomputes the matches: every word of the filter must occur in the
    /// row or its group title, ignoring case. Keeps `keep` selected when it
    /// still matches.
    fn refilter(&mut self, keep: Option<&str>) {
        let words: Vec<String> = self.filter.split_whitespace().map(str::to_lowercase).collect();
        self.matches.clear();
        for (group_index, group) in self.groups.iter().enumerate() {
            let title = group.title.to_lowercase();
            for (item_index, item) in group.items.iter().enumerate() {
                let text = item.text.to_lowercase();
                if words.iter().all(|word| text.contains(word) || title.contains(word)) {
                    self.matches.push((group_index, item_index));
                }
            }
        }
        self.selected = (0..self.matches.len())
            .find(|&index| self.item(index).map(|item| item.value.as_str()) == keep)
            .unwrap_or(0);
    }

    /// Applies one key and returns the result when the picker closes.
    fn handle(&mut self, key: KeyEvent) -> Option<Option<String>> {
        let control = key.modifiers.contains(KeyModifiers::CONTROL);
        let last = self.matches.len().saturating_sub(1);
        match key.code {
            KeyCode::Esc => return Some(None),
            KeyCode::Char('c') if control => return Some(None),
            KeyCode::Enter => {
                if let Some(item) = self.item(self.selected) {
                    return Some(Some(item.value.clone()));
                }
            }
            KeyCode::Up => self.selected = self.selected.saturating_sub(1),
            KeyCode::Char('p') if control => self.selected = self.selected.saturating_sub(1),
            KeyCode::Down => self.selected = (self.selected + 1).min(last),
            KeyCode::Char('n') if control => self.selected = (self.selected + 1).min(last),
            KeyCode::PageUp => self.selected = self.selected.saturating_sub(PAGE_ROWS),
            KeyCode::PageDown => self.selected = (self.selected + PAGE_ROWS).min(last),
            KeyCode::Home => self.selected = 0,
            KeyCode::End => self.selected = last,
            KeyCode::Backspace => {
                self.filter.pop();
                self.refilter_keeping_selection();
            }
            KeyCode::Char('u') if control => {
                self.filter.clear();
                self.refilter_keeping_selection();
            }
            KeyCode::Char(c) if !control && !key.modifiers.contains(KeyModifiers::ALT) => {
                self.filter.push(c);
                self.refilter_keeping_selection();
            }
            _ => {}
        }
        None
    }

    fn refilter_keeping_selection(&mut self) {
        let keep = self.item(self.selected).map(|item| item.value.clone());
        self.refilter(keep.as_deref());
    }

    /// Builds the lines to draw: title, filter, then the rows that fit in
    /// `rows - 3` lines around the selection, each cut to `columns - 1`.
    fn render(&self, title: &str, columns: usize, rows: usize, style: Style) -> Vec<String> {
        let mut body: Vec<(String, bool)> = Vec::new();
        let mut selected_line = 0;
        let mut last_group = None;
        for (index, &(group_index, item_index)) in self.matches.iter().enumerate() {
            if last_group != Some(group_index) {
                body.push((self.groups[group_index].title.clone(), false));
                last_group = Some(group_index);
            }
            let item = &self.groups[group_index].items[item_index];
            let cursor = if index == self.selected { '>' } else { ' ' };
            let marker = if item.marked { '*' } else { ' ' };
            if index == self.selected {
                selected_line = body.len();
            }
            body.push((format!("{cursor} {marker} {}", item.text), index == self.selected));
        }
        if body.is_empty() {
            body.push((format!("  No entry matches \"{}\".", self.filter), false));
        }

        let height = rows.saturating_sub(3).max(3);
        let start = (selected_line + 1).saturating_sub(height);
        let width = columns.saturating_sub(1).max(10);
        let header = cut(
            &format!("{title} (↑/↓ move · type to filter · Enter select · Esc cancel)"),
            width,
        );
        let header = match header.get(title.len()..) {
            Some(hint) if !hint.is_empty() => format!("{title}{}", style.dim(hint)),
            _ => header,
        };
        let mut lines = vec![header, cut(&format!("Filter: {}", self.filter), width)];
        for (text, selected) in body.into_iter().skip(start).take(height) {
            let text = cut(&text, width);
            lines.push(if selected { style.reverse(&text) } else { text });
        }
        lines
    }
}

/// `text` cut to `width` characters, so no line wraps.
fn cut(text: &str, width: usize) -> String {
    text.chars().take(width).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups() -> Vec<Group> {
        let item = |value: &str| Item {
            value: value.to_owned(),
            text: value.to_owned(),
            marked: false,
        };
        vec![
            Group {
                title: "first · ready".to_owned(),
                items: vec![item("first/alpha"), item("first/beta")],
            },
            Group {
                title: "second · not logged in".to_owned(),
                items: vec![item("second/gamma")],
            },
        ]
    }

    fn press(state: &mut State<'_>, code: KeyCode) -> Option<Option<String>> {
        state.handle(KeyEvent::new(code, KeyModifiers::NONE))
    }

    #[test]
    fn picker_starts_on_initial_value() {
        let groups = groups();
        let mut state = State::new(&groups, Some("first/beta"));
        assert_eq!(press(&mut state, KeyCode::Enter), Some(Some("first/beta".to_owned())));
    }

    #[test]
    fn picker_moves_within_bounds() {
        let groups = groups();
        let mut state = State::new(&groups, None);
        press(&mut state, KeyCode::Up);
        assert_eq!(state.selected, 0);
        for _ in 0..5 {
            press(&mut state, KeyCode::Down);
        }
        assert_eq!(state.selected, 2);
        assert_eq!(press(&mut state, KeyCode::Enter), Some(Some("second/gamma".to_owned())));
    }

    #[test]
    fn picker_filter_matches_group_title() {
        let groups = groups();
        let mut state = State::new(&groups, None);
        for c in "logged".chars() {
            press(&mut state, KeyCode::Char(c));
        }
        assert_eq!(state.matches, [(1, 0)]);
        press(&mut state, KeyCode::Backspace);
        assert_eq!(state.matches, [(1, 0)]);
    }

    #[test]
    fn picker_filter_keeps_selection() {
        let groups = groups();
        let mut state = State::new(&groups, Some("first/beta"));
        press(&mut state, KeyCode::Char('b'));
        assert_eq!(state.item(state.selected).map(|item| item.value.as_str()), Some("first/beta"));
        press(&mut state, KeyCode::Char('x'));
        assert!(state.matches.is_empty());
        assert_eq!(press(&mut state, KeyCode::Enter), None, "Enter does nothing without matches");
        assert_eq!(press(&mut state, KeyCode::Esc), Some(None));
    }
}
