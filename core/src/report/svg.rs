//! Inline SVG charts: no script, no network; they print as they show.

use std::fmt::Write;

/// Escapes text for HTML and SVG.
pub fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const W: f64 = 680.0;
const H: f64 = 220.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 26.0;

/// The plotting frame: maps data coordinates to the SVG.
pub struct Frame {
    /// Data x range.
    pub x: (f64, f64),
    /// Data y range.
    pub y: (f64, f64),
}

impl Frame {
    /// A frame around `ys` (padded by 5 %) over `x`.
    pub fn around(x: (f64, f64), ys: impl Iterator<Item = f64>) -> Self {
        let (lo, hi) = ys.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
        let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) };
        let pad = ((hi - lo) * 0.05).max(1.0);
        Self {
            x: if x.1 > x.0 { x } else { (x.0, x.0 + 1.0) },
            y: (lo - pad, hi + pad),
        }
    }

    fn px(&self, x: f64) -> f64 {
        LEFT + (x - self.x.0) / (self.x.1 - self.x.0) * (W - LEFT - RIGHT)
    }

    fn py(&self, y: f64) -> f64 {
        H - BOTTOM - (y - self.y.0) / (self.y.1 - self.y.0) * (H - TOP - BOTTOM)
    }

    fn clamp_y(&self, y: f64) -> f64 {
        y.clamp(self.y.0, self.y.1)
    }
}

/// A chart being drawn.
pub struct Chart {
    frame: Frame,
    body: String,
    points: usize,
}

impl Chart {
    /// A new chart over `frame`, with a y axis of `y_ticks` and an x axis of `x_ticks`.
    pub fn new(frame: Frame, y_ticks: &[f64], x_ticks: &[(f64, String)]) -> Self {
        let mut body = String::new();
        for y in y_ticks
            .iter()
            .filter(|y| (frame.y.0..=frame.y.1).contains(*y))
        {
            let py = frame.py(*y);
            let _ = write!(
                body,
                r##"<line class="grid" x1="{LEFT}" x2="{}" y1="{py:.1}" y2="{py:.1}"/><text class="tick" x="{}" y="{:.1}" text-anchor="end">{y}</text>"##,
                W - RIGHT,
                LEFT - 4.0,
                py + 4.0
            );
        }
        for (x, label) in x_ticks {
            let px = frame.px(*x);
            let _ = write!(
                body,
                r##"<text class="tick" x="{px:.1}" y="{}" text-anchor="middle">{}</text>"##,
                H - 8.0,
                esc(label)
            );
        }
        Self {
            frame,
            body,
            points: 0,
        }
    }

    /// A horizontal band from `y0` to `y1`.
    pub fn band(&mut self, y0: f64, y1: f64, class: &str) {
        let (a, b) = (
            self.frame.py(self.frame.clamp_y(y1)),
            self.frame.py(self.frame.clamp_y(y0)),
        );
        let _ = write!(
            self.body,
            r##"<rect class="{class}" x="{LEFT}" y="{a:.1}" width="{}" height="{:.1}"/>"##,
            W - LEFT - RIGHT,
            (b - a).max(0.0)
        );
    }

    /// A dashed horizontal line at `y`.
    pub fn rule(&mut self, y: f64, class: &str) {
        if (self.frame.y.0..=self.frame.y.1).contains(&y) {
            let py = self.frame.py(y);
            let _ = write!(
                self.body,
                r##"<line class="{class}" x1="{LEFT}" x2="{}" y1="{py:.1}" y2="{py:.1}"/>"##,
                W - RIGHT
            );
        }
    }

    /// A dashed horizontal line at `y` with `text` at its right end, so that no line of the
    /// chart is left unexplained.
    pub fn labelled_rule(&mut self, y: f64, class: &str, text: &str) {
        if (self.frame.y.0..=self.frame.y.1).contains(&y) {
            self.rule(y, class);
            let _ = write!(
                self.body,
                r##"<text class="rule-label {class}" x="{}" y="{:.1}" text-anchor="end">{}</text>"##,
                W - RIGHT - 2.0,
                self.frame.py(y) - 3.0,
                esc(text)
            );
        }
    }

    /// The unit of the y axis, written above it (`mmHg`, `mmol/L`).
    pub fn unit(&mut self, unit: &str) {
        let _ = write!(
            self.body,
            r##"<text class="tick unit" x="2" y="{}">{}</text>"##,
            TOP + 2.0,
            esc(unit)
        );
    }

    /// A line through `points` with a dot at each.
    pub fn line(&mut self, points: &[(f64, f64)], class: &str) {
        if points.is_empty() {
            return;
        }
        let coords: Vec<String> = points
            .iter()
            .map(|(x, y)| format!("{:.1},{:.1}", self.frame.px(*x), self.frame.py(*y)))
            .collect();
        let _ = write!(
            self.body,
            r##"<polyline class="{class}" points="{}"/>"##,
            coords.join(" ")
        );
        for c in &coords {
            if let Some((x, y)) = c.split_once(',') {
                let _ = write!(
                    self.body,
                    r##"<circle class="{class}" cx="{x}" cy="{y}" r="1.8"/>"##
                );
            }
        }
        self.points += points.len();
    }

    /// A filled area between `low` and `high` at the same xs.
    pub fn area(&mut self, xs: &[f64], low: &[f64], high: &[f64], class: &str) {
        if xs.is_empty() {
            return;
        }
        let mut coords: Vec<String> = xs
            .iter()
            .zip(high)
            .map(|(x, y)| format!("{:.1},{:.1}", self.frame.px(*x), self.frame.py(*y)))
            .collect();
        coords.extend(
            xs.iter()
                .zip(low)
                .rev()
                .map(|(x, y)| format!("{:.1},{:.1}", self.frame.px(*x), self.frame.py(*y))),
        );
        let _ = write!(
            self.body,
            r##"<polygon class="{class}" points="{}"/>"##,
            coords.join(" ")
        );
        self.points += xs.len();
    }

    /// The finished `<svg>`, labelled for screen readers; `data-points` says how many data
    /// points it draws (0: an empty chart).
    pub fn finish(self, label: &str) -> String {
        format!(
            r##"<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-label="{}" data-points="{}">{}</svg>"##,
            esc(label),
            self.points,
            self.body
        )
    }
}

/// A horizontal stacked bar of shares (percent), with a legend.
pub fn stacked_bar(parts: &[(f64, &str, String)], label: &str) -> String {
    let mut x = 0.0;
    let mut out = format!(
        r##"<svg class="chart bar" viewBox="0 0 {W} 40" role="img" aria-label="{}" data-points="{}">"##,
        esc(label),
        parts.len()
    );
    for (share, class, _) in parts {
        let w = share / 100.0 * W;
        let _ = write!(
            out,
            r##"<rect class="{class}" x="{x:.1}" y="4" width="{w:.1}" height="32"/>"##
        );
        x += w;
    }
    out.push_str("</svg><ul class=\"legend\">");
    for (share, class, name) in parts {
        let _ = write!(
            out,
            r##"<li><span class="swatch {class}"></span>{} {share:.1} %</li>"##,
            esc(name)
        );
    }
    out.push_str("</ul>");
    out
}
