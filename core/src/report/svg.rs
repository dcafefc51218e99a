//! Inline SVG charts: no script, no network; they print as they show.

use std::fmt::Write;

/// Escapes text for HTML and SVG.
pub fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Writes `v` with one decimal, exactly as `{:.1}` does, without the general float formatter
/// where it is not needed (a chart writes a pair for every reading: the formatter was most of
/// a report's drawing). A value near halfway between two tenths, where the tenfold product's
/// rounding could decide otherwise than `{:.1}`'s exact decimal, is left to the formatter.
pub(crate) fn tenths(out: &mut String, v: f64) {
    let p = v * 10.0;
    let near_half = ((p - p.floor()) - 0.5).abs() < 1e-6;
    if !p.is_finite() || p.abs() >= 1e15 || near_half || (v.is_sign_negative() && p > -0.5) {
        let _ = write!(out, "{v:.1}");
        return;
    }
    let t = p.round() as i64;
    if t < 0 {
        out.push('-');
    }
    // The digits, last first, then the tenth after the point (the formatting machinery of
    // `write!` was still a third of this).
    let mut a = t.unsigned_abs();
    let tenth = (a % 10) as u8;
    a /= 10;
    let mut digits = [0u8; 20];
    let mut n = 0;
    loop {
        digits[n] = b'0' + (a % 10) as u8;
        n += 1;
        a /= 10;
        if a == 0 {
            break;
        }
    }
    out.extend(digits[..n].iter().rev().map(|&d| char::from(d)));
    out.push('.');
    out.push(char::from(b'0' + tenth));
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
        // Each point's text once, in one buffer: the polyline's list, then each dot's.
        let mut coords = String::with_capacity(points.len() * 12);
        let mut at = Vec::with_capacity(points.len());
        for (x, y) in points {
            if !coords.is_empty() {
                coords.push(' ');
            }
            let start = coords.len();
            tenths(&mut coords, self.frame.px(*x));
            let comma = coords.len();
            coords.push(',');
            tenths(&mut coords, self.frame.py(*y));
            at.push((start, comma, coords.len()));
        }
        let _ = write!(
            self.body,
            r##"<polyline class="{class}" points="{coords}"/>"##
        );
        self.body.reserve(at.len() * (40 + class.len()));
        for (start, comma, end) in at {
            for part in [
                r#"<circle class=""#,
                class,
                r#"" cx=""#,
                &coords[start..comma],
                r#"" cy=""#,
                &coords[comma + 1..end],
                r#"" r="1.8"/>"#,
            ] {
                self.body.push_str(part);
            }
        }
        self.points += points.len();
    }

    /// A filled area between `low` and `high` at the same xs.
    pub fn area(&mut self, xs: &[f64], low: &[f64], high: &[f64], class: &str) {
        if xs.is_empty() {
            return;
        }
        let mut coords = String::with_capacity(xs.len() * 24);
        let upper = xs.iter().zip(high);
        let lower = xs.iter().zip(low).rev();
        for (x, y) in upper.chain(lower) {
            if !coords.is_empty() {
                coords.push(' ');
            }
            tenths(&mut coords, self.frame.px(*x));
            coords.push(',');
            tenths(&mut coords, self.frame.py(*y));
        }
        let _ = write!(
            self.body,
            r##"<polygon class="{class}" points="{coords}"/>"##
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenths_write_what_the_formatter_writes() {
        for i in -20_000..20_000 {
            // Values as a chart computes them: not tenths themselves.
            let v = f64::from(i) * 0.0371 + 0.013;
            let mut ours = String::new();
            tenths(&mut ours, v);
            assert_eq!(ours, format!("{v:.1}"), "{v}");
        }
        for v in [
            0.0,
            -0.0,
            -0.04,
            -0.06,
            12.0,
            679.95,
            44.05,
            -3.25,
            -724.55,
            0.25,
            0.35,
            1e300,
            f64::NAN,
            f64::INFINITY,
        ] {
            let mut ours = String::new();
            tenths(&mut ours, v);
            assert_eq!(ours, format!("{v:.1}"), "{v}");
        }
    }
}
