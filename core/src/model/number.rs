//! Numbers as people type them, never silently wrong (issue 27: "1,000 mg" was stored as
//! 1 mg). A decimal point or a decimal comma (`81.5`, `81,5`); thousands grouped with commas,
//! points or spaces (`1,000`, `1.000.000`, `1 000`); both marks at once (`1.000,5`, `1,000.5`:
//! the last one is the decimal mark). A single mark followed by exactly three digits
//! (`1,000`, `12.500`) may be either: it is read by the record's decimal mark when one is
//! known, and refused with [`NumberError::Ambiguous`], naming both readings, when none is.

/// Which mark a record's language writes decimals with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecimalMark {
    /// `1,000.5` (English, Chinese).
    Point,
    /// `1.000,5` (most of Europe).
    Comma,
}

impl DecimalMark {
    fn char(self) -> char {
        match self {
            Self::Point => '.',
            Self::Comma => ',',
        }
    }
}

/// Why a text is not a number.
#[derive(Debug, Clone, PartialEq)]
pub enum NumberError {
    /// Not a number at all (`1,5,2`, `abc`, empty).
    NotANumber,
    /// A single mark before three digits, and no decimal mark known: `as_grouped` reads the
    /// mark as a thousands separator, `as_decimal` as the decimal mark.
    Ambiguous {
        /// The reading with the mark grouping thousands (`1,000` → 1000).
        as_grouped: f64,
        /// The reading with the mark as the decimal one (`1,000` → 1.0).
        as_decimal: f64,
    },
}

/// The spaces that may group thousands (`1 000`, a no-break space, a narrow one).
fn is_group_space(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}')
}

/// Reads `text` as a number; `mark` is the record's decimal mark, when known. Finite numbers
/// only.
pub fn parse_number(text: &str, mark: Option<DecimalMark>) -> Result<f64, NumberError> {
    let text = text.trim();
    let (sign, body) = match text.strip_prefix('-') {
        Some(rest) => (-1.0, rest),
        None => (1.0, text.strip_prefix('+').unwrap_or(text)),
    };
    if body.is_empty()
        || !body
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',') || is_group_space(c))
    {
        return Err(NumberError::NotANumber);
    }
    let points = body.matches('.').count();
    let commas = body.matches(',').count();
    let last_mark = body.rfind(['.', ',']);
    // Which mark is the decimal one, if any is.
    let decimal: Option<char> = match (points, commas) {
        (0, 0) => None,
        (p, c) if p > 0 && c > 0 => last_mark.and_then(|i| body[i..].chars().next()),
        // One kind, several times: thousands.
        (p, c) if p > 1 || c > 1 => None,
        _ => {
            let i = last_mark.ok_or(NumberError::NotANumber)?;
            let sep = body[i..].chars().next().ok_or(NumberError::NotANumber)?;
            let whole = &body[..i];
            let frac = &body[i + 1..];
            let could_group = frac.len() == 3
                && !whole.is_empty()
                && !whole.starts_with('0')
                && frac.chars().all(|c| c.is_ascii_digit());
            if !could_group {
                Some(sep)
            } else {
                match mark {
                    Some(m) if m.char() == sep => Some(sep),
                    Some(_) => None,
                    None => {
                        let as_grouped = read(body, None)?;
                        let as_decimal = read(body, Some(sep))?;
                        return Err(NumberError::Ambiguous {
                            as_grouped: sign * as_grouped,
                            as_decimal: sign * as_decimal,
                        });
                    }
                }
            }
        }
    };
    Ok(sign * read(body, decimal)?)
}

/// `body` with `decimal` as its decimal mark (at most once, last) and every other mark or
/// space grouping thousands: groups after the first of exactly three digits.
fn read(body: &str, decimal: Option<char>) -> Result<f64, NumberError> {
    let (whole, frac) = match decimal.and_then(|d| body.rfind(d).map(|i| (i, d))) {
        Some((i, d)) => (&body[..i], Some(&body[i + d.len_utf8()..])),
        None => (body, None),
    };
    if let Some(frac) = frac
        && (frac.is_empty() || !frac.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(NumberError::NotANumber);
    }
    let groups: Vec<&str> = whole
        .split(|c: char| matches!(c, '.' | ',') || is_group_space(c))
        .collect();
    let first = groups.first().copied().unwrap_or_default();
    let grouped_ok = !first.is_empty()
        && first.chars().all(|c| c.is_ascii_digit())
        && (groups.len() == 1 || first.len() <= 3)
        && groups[1..]
            .iter()
            .all(|g| g.len() == 3 && g.chars().all(|c| c.is_ascii_digit()));
    if !grouped_ok {
        return Err(NumberError::NotANumber);
    }
    let mut normal: String = groups.concat();
    if let Some(frac) = frac {
        normal.push('.');
        normal.push_str(frac);
    }
    normal
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or(NumberError::NotANumber)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_and_decimals_as_people_type_them() {
        let point = Some(DecimalMark::Point);
        let comma = Some(DecimalMark::Comma);
        assert_eq!(parse_number("1,000", point), Ok(1000.0));
        assert_eq!(parse_number("1,000", comma), Ok(1.0));
        assert_eq!(parse_number("1.000", comma), Ok(1000.0));
        assert_eq!(parse_number("1.000,5", None), Ok(1000.5));
        assert_eq!(parse_number("1,000.5", None), Ok(1000.5));
        assert_eq!(parse_number("1 000", None), Ok(1000.0));
        assert_eq!(parse_number("1,000,000", None), Ok(1_000_000.0));
        assert_eq!(parse_number("7,1", None), Ok(7.1));
        assert_eq!(parse_number("81.5", None), Ok(81.5));
        assert_eq!(parse_number("0,500", None), Ok(0.5));
        assert_eq!(parse_number("-2,5", None), Ok(-2.5));
        assert_eq!(
            parse_number("1,000", None),
            Err(NumberError::Ambiguous {
                as_grouped: 1000.0,
                as_decimal: 1.0
            })
        );
        for bad in [
            "",
            "1,5,2",
            "1.5,2",
            "abc",
            "1,",
            ",5",
            "10 00",
            "1..5",
            "1e5",
            "1,0000,000",
        ] {
            assert_eq!(
                parse_number(bad, point),
                Err(NumberError::NotANumber),
                "{bad}"
            );
        }
    }
}
