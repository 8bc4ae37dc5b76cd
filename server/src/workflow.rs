//! The review workflow as an explicit state machine: which transition exists, and who may make
//! it. The database applies a transition only after [`check_review`] agreed, inside the same
//! transaction that reads the current state, and logs it in the audit log.
//!
//! ```text
//! submitted --verify (operator of the village | officer)--> verified
//! submitted | verified --return (operator of the village | officer; reasons)--> returned
//! submitted | verified --process (officer)--> processing
//! processing --complete (officer; document)--> completed
//! processing --reject (officer; note)--> rejected
//! returned --revise (the citizen, via sync)--> submitted
//! submitted | returned --cancel (the citizen, via sync)--> cancelled
//! ```

use ceria_core::protocol::{DocumentInfo, RequestState, ReturnReason, Role, UserInfo};

use RequestState as S;

/// Who may make a review transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reviewer {
    /// A registry officer only.
    Officer,
    /// The operator of the request's village, or an officer.
    VillageOrOfficer,
}

/// Transitions made by reviewers through `POST /v1/requests/{id}/transitions`.
pub(crate) const REVIEW_TRANSITIONS: &[(RequestState, RequestState, Reviewer)] = &[
    (S::Submitted, S::Verified, Reviewer::VillageOrOfficer),
    (S::Submitted, S::Returned, Reviewer::VillageOrOfficer),
    (S::Submitted, S::Processing, Reviewer::Officer),
    (S::Verified, S::Returned, Reviewer::VillageOrOfficer),
    (S::Verified, S::Processing, Reviewer::Officer),
    (S::Processing, S::Completed, Reviewer::Officer),
    (S::Processing, S::Rejected, Reviewer::Officer),
];

/// Why a review transition is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Denial {
    /// No such edge in the state machine (409 `state.illegal_transition`).
    #[error("no transition from {} to {}", .from.code(), .to.code())]
    Illegal {
        /// Current state.
        from: RequestState,
        /// Wanted state.
        to: RequestState,
    },
    /// The edge exists but this account may not take it (403 `auth.forbidden`).
    #[error("not allowed for this account")]
    Forbidden,
}

/// Whether `actor` may move a request of `village` from `from` to `to`.
pub(crate) fn check_review(
    actor: &UserInfo,
    village: &str,
    from: RequestState,
    to: RequestState,
) -> Result<(), Denial> {
    let Some(&(_, _, who)) = REVIEW_TRANSITIONS
        .iter()
        .find(|(f, t, _)| *f == from && *t == to)
    else {
        return Err(Denial::Illegal { from, to });
    };
    let allowed = match (who, actor.role) {
        (_, Role::Officer) => true,
        (Reviewer::VillageOrOfficer, Role::Operator) => actor.village.as_deref() == Some(village),
        _ => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(Denial::Forbidden)
    }
}

/// Whether a citizen's cancel is allowed from `from`.
pub(crate) fn can_cancel(from: RequestState) -> bool {
    matches!(from, S::Submitted | S::Returned)
}

/// Whether a revision is allowed from `from`.
pub(crate) fn can_revise(from: RequestState) -> bool {
    from == S::Returned
}

/// What a transition to `to` must carry; the name of the missing part otherwise.
pub(crate) fn missing_part(
    to: RequestState,
    note: Option<&str>,
    reasons: &[ReturnReason],
    document: Option<&DocumentInfo>,
) -> Option<&'static str> {
    let blank = |s: &str| s.trim().is_empty();
    match to {
        S::Returned if reasons.is_empty() || reasons.iter().any(|r| blank(&r.message)) => {
            Some("reasons")
        }
        S::Completed if document.is_none_or(|d| blank(&d.number) || blank(&d.pickup)) => {
            Some("document")
        }
        S::Rejected if note.is_none_or(blank) => Some("note"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role, village: Option<&str>) -> UserInfo {
        UserInfo {
            id: "u".into(),
            username: "u".into(),
            name: "U".into(),
            role,
            village: village.map(String::from),
            identity: None,
        }
    }

    const V: &str = "13.05.01.2001";

    #[test]
    fn operators_verify_and_return_only_in_their_village() {
        let op = user(Role::Operator, Some(V));
        assert_eq!(check_review(&op, V, S::Submitted, S::Verified), Ok(()));
        assert_eq!(check_review(&op, V, S::Verified, S::Returned), Ok(()));
        assert_eq!(
            check_review(&op, "13.05.02.2001", S::Submitted, S::Verified),
            Err(Denial::Forbidden)
        );
        assert_eq!(
            check_review(&op, V, S::Verified, S::Processing),
            Err(Denial::Forbidden)
        );
        assert_eq!(
            check_review(&op, V, S::Processing, S::Completed),
            Err(Denial::Forbidden)
        );
        let lost = user(Role::Operator, None);
        assert_eq!(
            check_review(&lost, V, S::Submitted, S::Verified),
            Err(Denial::Forbidden)
        );
    }

    #[test]
    fn officers_take_every_review_edge_and_nothing_else() {
        let off = user(Role::Officer, None);
        for (from, to, _) in REVIEW_TRANSITIONS {
            assert_eq!(check_review(&off, V, *from, *to), Ok(()));
        }
        for from in RequestState::ALL {
            for to in RequestState::ALL {
                let edge = REVIEW_TRANSITIONS
                    .iter()
                    .any(|(f, t, _)| *f == from && *t == to);
                if !edge {
                    assert_eq!(
                        check_review(&off, V, from, to),
                        Err(Denial::Illegal { from, to })
                    );
                }
            }
        }
        // Cancelling and resubmitting belong to the citizen.
        assert!(check_review(&off, V, S::Submitted, S::Cancelled).is_err());
        assert!(check_review(&off, V, S::Returned, S::Submitted).is_err());
    }

    #[test]
    fn citizens_and_admins_review_nothing() {
        for role in [Role::Citizen, Role::Admin] {
            let u = user(role, Some(V));
            for (from, to, _) in REVIEW_TRANSITIONS {
                assert_eq!(check_review(&u, V, *from, *to), Err(Denial::Forbidden));
            }
        }
    }

    #[test]
    fn final_states_are_final() {
        let off = user(Role::Officer, None);
        for from in RequestState::ALL.into_iter().filter(|s| s.is_final()) {
            for to in RequestState::ALL {
                assert!(check_review(&off, V, from, to).is_err());
            }
            assert!(!can_cancel(from));
            assert!(!can_revise(from));
        }
    }

    #[test]
    fn required_parts() {
        let reason = ReturnReason {
            target: Some("nik".into()),
            message: "Foto KTP buram".into(),
        };
        let doc = DocumentInfo {
            number: "1305-LT-29112026-0001".into(),
            pickup: "Cetak sendiri".into(),
        };
        assert_eq!(missing_part(S::Returned, None, &[], None), Some("reasons"));
        assert_eq!(
            missing_part(S::Returned, None, std::slice::from_ref(&reason), None),
            None
        );
        let blank = ReturnReason {
            target: None,
            message: "  ".into(),
        };
        assert_eq!(
            missing_part(S::Returned, None, &[blank], None),
            Some("reasons")
        );
        assert_eq!(
            missing_part(S::Completed, None, &[], None),
            Some("document")
        );
        assert_eq!(missing_part(S::Completed, None, &[], Some(&doc)), None);
        assert_eq!(
            missing_part(S::Rejected, Some(" "), &[], None),
            Some("note")
        );
        assert_eq!(
            missing_part(S::Rejected, Some("Data tidak sesuai"), &[], None),
            None
        );
        assert_eq!(missing_part(S::Verified, None, &[], None), None);
    }
}
