//! Progress bars for long jobs (hidden when stderr is not a terminal).

use indicatif::{ProgressBar, ProgressStyle};

/// A bar counting `total` items, labelled with what they are.
pub fn bar(total: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(total);
    if let Ok(style) = ProgressStyle::with_template(
        "{msg:>12} [{bar:40.cyan/blue}] {pos}/{len} ({per_sec}, eta {eta})",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_string());
    bar
}

/// A spinner for a step of unknown length.
pub fn spinner(what: &str) -> ProgressBar {
    let spinner = ProgressBar::new_spinner();
    spinner.set_message(what.to_string());
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    spinner
}

/// The demo loader's progress: a line saying the demo is loaded (the store was empty), a
/// spinner while generating, a bar while writing.
#[derive(Default)]
pub struct DemoBars {
    spinner: std::sync::Mutex<Option<ProgressBar>>,
    bar: std::sync::OnceLock<ProgressBar>,
}

impl crate::service::demo::DemoProgress for DemoBars {
    fn generating(&self, done: bool) {
        let mut spinner = self.spinner.lock().unwrap_or_else(|e| e.into_inner());
        match (done, spinner.take()) {
            (false, _) => {
                println!("empty store: loading the demo district 东胜区 (generated, seed 1)…");
                *spinner = Some(self::spinner("generating"));
            }
            (true, Some(s)) => s.finish_and_clear(),
            (true, None) => {}
        }
    }

    fn writing(&self, written: u64, total: u64) {
        let bar = self.bar.get_or_init(|| bar(total, "writing"));
        bar.set_position(written);
        if written >= total {
            bar.finish_and_clear();
        }
    }
}
