//! What changed between two catalogs: services, their fields and attachment requirements
//! added, removed or changed, and the service times. Shown to an admin when a catalog is
//! published, and usable by any frontend that wants to tell people what a new catalog brings.

use crate::catalog::source::{CatalogSource, ServiceSource};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The changes from one catalog to another, services in the newer catalog's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CatalogDiff {
    /// Version before.
    pub from_version: String,
    /// Version after.
    pub to_version: String,
    /// Ids of services only the newer catalog has.
    pub services_added: Vec<String>,
    /// Ids of services only the older catalog has.
    pub services_removed: Vec<String>,
    /// Services in both that changed.
    pub services_changed: Vec<ServiceDiff>,
    /// Message codes only the newer catalog has.
    pub messages_added: Vec<String>,
    /// Message codes only the older catalog has.
    pub messages_removed: Vec<String>,
}

/// The changes of one service present in both catalogs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ServiceDiff {
    /// Service id.
    pub service: String,
    /// Field ids added.
    pub fields_added: Vec<String>,
    /// Field ids removed.
    pub fields_removed: Vec<String>,
    /// Fields in both whose definition changed (label, rules, kind, ...).
    pub fields_changed: Vec<String>,
    /// Attachment requirement ids added.
    pub requirements_added: Vec<String>,
    /// Attachment requirement ids removed.
    pub requirements_removed: Vec<String>,
    /// Requirements in both whose definition changed.
    pub requirements_changed: Vec<String>,
    /// `[before, after]` service time in working days, when it changed.
    pub service_days: Option<[u32; 2]>,
    /// Whether anything else of the service changed (name, description, checks, ...).
    pub other_changes: bool,
}

impl CatalogDiff {
    /// Whether the two catalogs have the same services, fields, requirements and messages.
    pub fn is_empty(&self) -> bool {
        self.services_added.is_empty()
            && self.services_removed.is_empty()
            && self.services_changed.is_empty()
            && self.messages_added.is_empty()
            && self.messages_removed.is_empty()
    }
}

/// Ids in `new` but not in `old`, then ids in both whose items differ, then ids only in `old`;
/// items compared by their JSON form, so any change to a definition counts.
fn by_id<T: Serialize>(
    old: &[T],
    new: &[T],
    id: impl Fn(&T) -> &str,
) -> (Vec<String>, Vec<String>, Vec<String>) {
    let json = |t: &T| serde_json::to_value(t).unwrap_or(serde_json::Value::Null);
    let old_by_id: BTreeMap<&str, &T> = old.iter().map(|t| (id(t), t)).collect();
    let new_by_id: BTreeMap<&str, &T> = new.iter().map(|t| (id(t), t)).collect();
    let mut added = Vec::new();
    let mut changed = Vec::new();
    for item in new {
        match old_by_id.get(id(item)) {
            None => added.push(id(item).to_string()),
            Some(before) if json(before) != json(item) => changed.push(id(item).to_string()),
            Some(_) => {}
        }
    }
    let removed = old
        .iter()
        .filter(|t| !new_by_id.contains_key(id(t)))
        .map(|t| id(t).to_string())
        .collect();
    (added, removed, changed)
}

fn service_diff(old: &ServiceSource, new: &ServiceSource) -> Option<ServiceDiff> {
    let (fields_added, fields_removed, fields_changed) =
        by_id(&old.fields, &new.fields, |f| f.id.as_str());
    let (requirements_added, requirements_removed, requirements_changed) =
        by_id(&old.attachments, &new.attachments, |a| a.id.as_str());
    let service_days =
        (old.service_days != new.service_days).then_some([old.service_days, new.service_days]);
    // Everything else: compare the services with fields, attachments and time set aside.
    let rest = |s: &ServiceSource| {
        let mut s = s.clone();
        s.fields.clear();
        s.attachments.clear();
        s.service_days = 0;
        serde_json::to_value(s).unwrap_or(serde_json::Value::Null)
    };
    let diff = ServiceDiff {
        service: new.id.clone(),
        fields_added,
        fields_removed,
        fields_changed,
        requirements_added,
        requirements_removed,
        requirements_changed,
        service_days,
        other_changes: rest(old) != rest(new),
    };
    let unchanged = ServiceDiff {
        service: new.id.clone(),
        ..ServiceDiff::default()
    };
    (diff != unchanged).then_some(diff)
}

/// What changed from `old` to `new`.
pub fn diff(old: &CatalogSource, new: &CatalogSource) -> CatalogDiff {
    let (services_added, services_removed, _) =
        by_id(&old.services, &new.services, |s| s.id.as_str());
    let services_changed = new
        .services
        .iter()
        .filter_map(|n| {
            let o = old.services.iter().find(|o| o.id == n.id)?;
            service_diff(o, n)
        })
        .collect();
    CatalogDiff {
        from_version: old.version.clone(),
        to_version: new.version.clone(),
        services_added,
        services_removed,
        services_changed,
        messages_added: new
            .messages
            .keys()
            .filter(|k| !old.messages.contains_key(*k))
            .cloned()
            .collect(),
        messages_removed: old
            .messages
            .keys()
            .filter(|k| !new.messages.contains_key(*k))
            .cloned()
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Catalog;

    #[test]
    fn the_same_catalog_has_no_changes() {
        let c = Catalog::embedded();
        let d = diff(c.source(), c.source());
        assert!(d.is_empty());
        assert_eq!(d.from_version, d.to_version);
    }

    #[test]
    fn services_fields_and_requirements_added_removed_changed() {
        let old = Catalog::embedded().source().clone();
        let mut new = old.clone();
        new.version = "2099.1.1".into();
        let first = new.services[0].id.clone();
        let removed_service = new.services.remove(1).id;
        let mut added_service = new.services[0].clone();
        added_service.id = "layanan_baru".into();
        new.services.push(added_service);
        let s = &mut new.services[0];
        let removed_field = s.fields.remove(0).id;
        let mut added_field = s.fields[0].clone();
        added_field.id = "kolom_baru".into();
        s.fields.push(added_field);
        s.fields[0].label.en = "Changed label".into();
        let changed_field = s.fields[0].id.clone();
        let removed_req = s.attachments.remove(0).id;
        s.service_days += 2;
        new.messages.remove("internal");

        let d = diff(&old, &new);
        assert_eq!(d.to_version, "2099.1.1");
        assert_eq!(d.services_added, ["layanan_baru"]);
        assert_eq!(d.services_removed, [removed_service]);
        assert_eq!(d.messages_removed, ["internal"]);
        assert_eq!(d.services_changed.len(), 1);
        let c = &d.services_changed[0];
        assert_eq!(c.service, first);
        assert_eq!(c.fields_added, ["kolom_baru"]);
        assert_eq!(c.fields_removed, [removed_field]);
        assert_eq!(c.fields_changed, [changed_field]);
        assert_eq!(c.requirements_removed, [removed_req]);
        assert!(c.requirements_added.is_empty());
        let days = old.services[0].service_days;
        assert_eq!(c.service_days, Some([days, days + 2]));
        assert!(!c.other_changes);
        assert!(!d.is_empty());
    }
}
