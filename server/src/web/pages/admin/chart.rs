//! Bar charts drawn on the server as SVG (our own few lines, no chart library or script):
//! the template writes the shapes computed here, with every label escaped like any text.
//! Each chart has a title and a text label per bar, and the same figures are in the table
//! under it, so nothing depends on seeing the picture.

/// One bar with its place in the picture (whole SVG units).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Bar {
    /// What it counts (month, service, nagari).
    pub label: String,
    /// The figure written at its end.
    pub value: String,
    /// Rectangle.
    pub x: i64,
    /// Rectangle.
    pub y: i64,
    /// Rectangle.
    pub w: i64,
    /// Rectangle.
    pub h: i64,
    /// Where the label is written.
    pub label_x: i64,
    /// Where the label is written.
    pub label_y: i64,
    /// Where the figure is written.
    pub value_x: i64,
    /// Where the figure is written.
    pub value_y: i64,
}

/// A chart ready for the template.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Chart {
    /// Accessible name (also the heading above it).
    pub title: String,
    /// Width of the view box.
    pub width: i64,
    /// Height of the view box.
    pub height: i64,
    /// Columns (true) stand on a base line; rows (false) grow rightwards.
    pub columns: bool,
    /// The bars.
    pub bars: Vec<Bar>,
    /// Where the base line is (columns: its y; rows: its x).
    pub base: i64,
}

/// Length of a bar of `value` out of `max` in `room` units (at least 1 for a value above 0).
fn length(value: f64, max: f64, room: i64) -> i64 {
    if max <= 0.0 || value <= 0.0 {
        return 0;
    }
    ((value / max) * room as f64).round().max(1.0) as i64
}

/// Vertical bars (one per item: label, value, the value as written), as for the months.
pub(crate) fn columns(title: String, items: &[(String, f64, String)]) -> Chart {
    const WIDTH: i64 = 480;
    const HEIGHT: i64 = 220;
    const TOP: i64 = 20;
    const BOTTOM: i64 = 26;
    let n = items.len().max(1) as i64;
    let slot = WIDTH / n;
    let max = items.iter().map(|i| i.1).fold(0.0, f64::max);
    let room = HEIGHT - TOP - BOTTOM;
    let base = HEIGHT - BOTTOM;
    let bars = items
        .iter()
        .enumerate()
        .map(|(i, (label, value, shown))| {
            let h = length(*value, max, room);
            let x = i as i64 * slot + slot / 6;
            let w = slot - slot / 3;
            Bar {
                label: label.clone(),
                value: shown.clone(),
                x,
                y: base - h,
                w,
                h,
                label_x: x + w / 2,
                label_y: HEIGHT - 8,
                value_x: x + w / 2,
                value_y: base - h - 5,
            }
        })
        .collect();
    Chart {
        title,
        width: WIDTH,
        height: HEIGHT,
        columns: true,
        bars,
        base,
    }
}

/// Horizontal bars with the label on the left, as for services and nagari (long names).
pub(crate) fn rows(title: String, items: &[(String, f64, String)]) -> Chart {
    const WIDTH: i64 = 480;
    const ROW: i64 = 24;
    const LABEL: i64 = 170;
    const VALUE_ROOM: i64 = 56;
    const LABEL_CHARS: usize = 24;
    let max = items.iter().map(|i| i.1).fold(0.0, f64::max);
    let room = WIDTH - LABEL - VALUE_ROOM;
    let bars = items
        .iter()
        .enumerate()
        .map(|(i, (label, value, shown))| {
            let w = length(*value, max, room);
            let y = i as i64 * ROW + 4;
            // Long names are cut to what fits beside the bars; the table has them whole.
            let label = if label.chars().count() > LABEL_CHARS {
                format!(
                    "{}…",
                    label.chars().take(LABEL_CHARS - 1).collect::<String>()
                )
            } else {
                label.clone()
            };
            Bar {
                label,
                value: shown.clone(),
                x: LABEL,
                y,
                w,
                h: ROW - 8,
                label_x: LABEL - 8,
                label_y: y + ROW / 2 + 1,
                value_x: LABEL + w + 6,
                value_y: y + ROW / 2 + 1,
            }
        })
        .collect();
    Chart {
        title,
        width: WIDTH,
        height: items.len().max(1) as i64 * ROW + 8,
        columns: false,
        bars,
        base: LABEL,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(label: &str, v: f64) -> (String, f64, String) {
        (label.into(), v, format!("{v}"))
    }

    #[test]
    fn columns_scale_to_the_largest() {
        let c = columns(
            "t".into(),
            &[item("Jan", 10.0), item("Feb", 5.0), item("Mar", 0.0)],
        );
        assert_eq!(c.bars.len(), 3);
        let room = 220 - 20 - 26;
        assert_eq!(c.bars[0].h, room);
        assert_eq!(c.bars[1].h, room / 2);
        assert_eq!(c.bars[2].h, 0);
        assert!(c.bars.iter().all(|b| b.y + b.h == c.base));
        assert!(c.bars.iter().all(|b| b.x >= 0 && b.x + b.w <= c.width));
    }

    #[test]
    fn rows_cut_long_labels_and_keep_small_bars_visible() {
        let long = "Nagari Sungai Buluh Timur Kecamatan Batang Anai";
        let r = rows("t".into(), &[item(long, 1000.0), item("Kasang", 1.0)]);
        assert!(r.bars[0].label.ends_with('…'));
        assert_eq!(r.bars[0].label.chars().count(), 24);
        assert_eq!(r.bars[1].w, 1);
        assert_eq!(r.height, 2 * 24 + 8);
        let empty = rows("t".into(), &[]);
        assert!(empty.bars.is_empty());
    }
}
