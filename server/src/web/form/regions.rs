//! Region pickers down to the nagari, from the imported region table: one select per level
//! above the field's own (`r.<field>.1` province, `.2` regency, `.3` district) and the field's
//! select itself (`v.<field>`). Without JavaScript a "choose" submit fills the next level;
//! the script submits it on change. Before anything is chosen the catalog's regency is
//! preselected, so a resident of the regency starts at the district. Without a region table
//! the field is a text input for the code.

use crate::web::form::fields::Choice;
use crate::web::form::posted::VALUE;
use crate::web::i18n::Texts;
use crate::web::render::Fields;
use ceria_core::validate::region::parse_code;
use ceria_core::{RegionLevel, RegionTable};

/// One select of a region picker above the field's own level.
#[derive(Debug, Clone)]
pub(crate) struct Level {
    /// Form field name (`r.<field>.<n>`).
    pub name: String,
    /// Element id.
    pub id: String,
    /// Its label (Provinsi, Kabupaten/Kota, Kecamatan).
    pub label: String,
    /// The regions to choose from, the chosen one selected.
    pub options: Vec<Choice>,
}

/// The depth of a level: province 1 … village 4.
fn depth(level: RegionLevel) -> usize {
    match level {
        RegionLevel::Province => 1,
        RegionLevel::Regency => 2,
        RegionLevel::District => 3,
        RegionLevel::Village => 4,
    }
}

const LEVEL_LABELS: [&str; 3] = [
    "web.form.region.province",
    "web.form.region.regency",
    "web.form.region.district",
];

fn picker_name(field: &str, n: usize) -> String {
    format!("r.{field}.{n}")
}

/// The dotted form of a code, if it is one.
fn canonical(code: &str) -> Option<String> {
    parse_code(code).ok().map(|c| c.as_str().to_string())
}

/// The dotted code of the region enclosing `code`.
fn parent_of(code: &str) -> Option<String> {
    parse_code(code)
        .ok()?
        .parent()
        .map(|p| p.as_str().to_string())
}

/// The code a post chose for region field `field` at `level`: the field's own select when it
/// lies in the chosen district (or no picker was posted), else the deepest level chosen so
/// far (a partial code, which validation words as "choose down to the nagari").
pub(crate) fn read(fields: &Fields, field: &str, level: RegionLevel) -> Option<String> {
    let own = fields.get(&format!("{VALUE}{field}"));
    let mut chosen: Option<String> = None;
    for n in 1..depth(level) {
        let Some(code) = fields.get(&picker_name(field, n)).and_then(canonical) else {
            break;
        };
        if chosen.is_some() && parent_of(&code) != chosen {
            break;
        }
        chosen = Some(code);
    }
    match (own, chosen) {
        (Some(own), None) => Some(own.to_string()),
        (Some(own), Some(above)) if parent_of(own).as_deref() == Some(above.as_str()) => {
            Some(own.to_string())
        }
        (_, above) => above,
    }
}

/// The pickers above a region field at `level` whose value is `value`, and the options of
/// its own select. `home` (the catalog's regency) is preselected while nothing is chosen.
pub(crate) fn pickers(
    t: &Texts,
    table: &RegionTable,
    field: &str,
    level: RegionLevel,
    value: &str,
    home: &str,
) -> (Vec<Level>, Vec<Choice>) {
    let start = canonical(value).or_else(|| canonical(home));
    // The chosen code and its ancestors, by depth.
    let mut chain: Vec<Option<String>> = vec![None; 5];
    let mut at = start;
    while let Some(code) = at {
        let d = parse_code(&code).map(|c| depth(c.level())).unwrap_or(0);
        if let Some(slot) = chain.get_mut(d) {
            *slot = Some(code.clone());
        }
        at = parent_of(&code);
    }
    let options = |parent: &str, selected: Option<&String>| -> Vec<Choice> {
        table
            .children(parent)
            .map(|(code, name)| Choice {
                selected: selected.map(String::as_str) == Some(code.as_str()),
                value: code.as_str().to_string(),
                label: name.to_string(),
            })
            .collect()
    };
    let own_depth = depth(level);
    let mut levels = Vec::new();
    for n in 1..own_depth {
        let parent = match n {
            1 => Some(String::new()),
            _ => chain.get(n - 1).cloned().flatten(),
        };
        let selected = chain.get(n).and_then(Option::as_ref);
        levels.push(Level {
            name: picker_name(field, n),
            id: format!("r-{field}-{n}"),
            label: LEVEL_LABELS
                .get(n - 1)
                .map(|code| t.get(code))
                .unwrap_or_default(),
            options: parent.map_or_else(Vec::new, |p| options(&p, selected)),
        });
    }
    let own_parent = match own_depth {
        1 => Some(String::new()),
        d => chain.get(d - 1).cloned().flatten(),
    };
    let own_selected = chain.get(own_depth).and_then(Option::as_ref);
    let own = own_parent.map_or_else(Vec::new, |p| options(&p, own_selected));
    (levels, own)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn posted(pairs: &[(&str, &str)]) -> Fields {
        Fields(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn the_deepest_consistent_choice_is_read() {
        let v = RegionLevel::Village;
        assert_eq!(
            read(&posted(&[("v.desa", "13.05.01.2001")]), "desa", v).as_deref(),
            Some("13.05.01.2001")
        );
        let full = [
            ("r.desa.1", "13"),
            ("r.desa.2", "13.05"),
            ("r.desa.3", "13.05.01"),
            ("v.desa", "13.05.01.2001"),
        ];
        assert_eq!(
            read(&posted(&full), "desa", v).as_deref(),
            Some("13.05.01.2001")
        );
        // The district changed: the old village no longer fits, the district is the choice.
        let moved = [
            ("r.desa.1", "13"),
            ("r.desa.2", "13.05"),
            ("r.desa.3", "13.05.02"),
            ("v.desa", "13.05.01.2001"),
        ];
        assert_eq!(read(&posted(&moved), "desa", v).as_deref(), Some("13.05.02"));
        assert_eq!(read(&posted(&[]), "desa", v), None);
    }
}
