//! Tests of the yearly figures: local time, months, service times, holidays, names.

use super::*;

// 2026-11-30 is a Monday; day number 20787.
const MON: i64 = 20_787;
const WIB: i32 = 420;
const HOUR_MS: i64 = 3_600_000;

fn row(
    service: &str,
    village: &str,
    state: RequestState,
    created: i64,
    done: Option<i64>,
) -> StatsRow {
    StatsRow {
        service: service.into(),
        village: village.into(),
        state,
        created_ms: created,
        completed_ms: done,
    }
}

#[test]
fn yearly_figures_use_local_time_and_service_days() {
    // 2026-12-31 20:00 UTC is already 2027-01-01 in WIB.
    let new_year_local = (MON + 31) * DAY_MS + 20 * HOUR_MS;
    let mon_9am = MON * DAY_MS + 2 * HOUR_MS;
    let v = "13.05.01.2001";
    let rows = vec![
        row(
            "akta_kelahiran",
            v,
            RequestState::Completed,
            mon_9am,
            Some(mon_9am + 2 * DAY_MS),
        ),
        row(
            "akta_kelahiran",
            v,
            RequestState::Completed,
            mon_9am,
            Some(mon_9am + 9 * DAY_MS),
        ),
        row("kk_baru", v, RequestState::Submitted, mon_9am, None),
        row("kk_baru", v, RequestState::Submitted, new_year_local, None),
    ];
    let days = |s: &str| (s == "akta_kelahiran").then_some(5);
    let calendar = WorkingCalendar::default();
    let rules = Rules {
        service_days: &days,
        calendar: &calendar,
        utc_offset_minutes: WIB,
    };
    let stats = compute(&rows, vec![("citizen".into(), 3)], &rules, None, 1);
    assert_eq!(stats.years.len(), 2);
    let y = &stats.years[0];
    assert_eq!((y.year, y.requests), (2026, 3));
    assert_eq!(y.by_month[10], 3, "November");
    assert_eq!(y.by_month.iter().sum::<u64>(), 3);
    assert_eq!(y.by_service.get("akta_kelahiran"), Some(&2));
    assert_eq!(y.by_state.get("completed"), Some(&2));
    let t = &y.processing["akta_kelahiran"];
    assert_eq!(t.service_days, 5);
    assert_eq!(
        (
            t.timing.completed,
            t.timing.on_time,
            t.timing.max_working_days
        ),
        (2, 1, 7)
    );
    assert!((t.timing.share_on_time - 0.5).abs() < 1e-9);
    assert!((t.timing.mean_working_days - 4.5).abs() < 1e-9);
    assert_eq!(y.overall, t.timing);
    assert_eq!(stats.years[1].year, 2027);
    assert_eq!(stats.years[1].by_month[0], 1);
    assert_eq!(stats.users_by_role.get("citizen"), Some(&3));

    let only = compute(&rows, Vec::new(), &rules, Some(2027), 1);
    assert_eq!(only.years.len(), 1);
    assert_eq!(only.years[0].requests, 1);
    let none = compute(&rows, Vec::new(), &rules, Some(2020), 1);
    assert_eq!((none.years[0].year, none.years[0].requests), (2020, 0));
    assert_eq!(none.years[0].by_month, vec![0; 12]);
    assert_eq!(only.year(2019).by_month.len(), 12);
}

#[test]
fn holidays_make_late_requests_on_time() {
    // Submitted Monday 21 December 2026, completed Monday 28 December: 5 weekdays, of which
    // 24 (collective leave) and 25 December (Christmas) are holidays: 3 working days.
    let mon = ceria_core::Date::parse_iso("2026-12-21").unwrap().to_days();
    let created = mon * DAY_MS + 2 * HOUR_MS;
    let rows = vec![row(
        "kk_baru",
        "13.05.01.2001",
        RequestState::Completed,
        created,
        Some(created + 7 * DAY_MS),
    )];
    let days = |_: &str| Some(3);
    let weekends_only = WorkingCalendar::default();
    let with_holidays = WorkingCalendar::with_holidays(
        ["2026-12-24", "2026-12-25"].map(|d| ceria_core::Date::parse_iso(d).unwrap()),
    );
    let figures = |calendar: &WorkingCalendar| {
        let rules = Rules {
            service_days: &days,
            calendar,
            utc_offset_minutes: WIB,
        };
        compute(&rows, Vec::new(), &rules, Some(2026), 0).years[0]
            .overall
            .clone()
    };
    let before = figures(&weekends_only);
    assert_eq!((before.on_time, before.max_working_days), (0, 5));
    let after = figures(&with_holidays);
    assert_eq!((after.on_time, after.max_working_days), (1, 3));
}

/// A database with two requests of 2026 in a named village and one in an unnamed one.
#[test]
fn gather_reads_the_database_and_names_what_it_counts() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&dir.path().join("t.db")).unwrap();
    crate::regions::import(
        &db,
        "code,name\n13,SUMATERA BARAT\n13.05,KAB. PADANG PARIAMAN\n13.05.01,Batang Anai\n13.05.01.2001,Kasang\n",
    )
    .unwrap();
    calendar::add(&db, "2026-12-25", "Natal").unwrap();
    let catalog = Catalog::embedded();
    let service = catalog.services()[0].clone();
    let mon = ceria_core::Date::parse_iso("2026-12-21").unwrap().to_days();
    let created = mon * DAY_MS + 2 * HOUR_MS;
    db.write(|tx| {
        tx.execute(
            "INSERT INTO users (id, username, name, role, password_hash, created_ms)
             VALUES ('u1', 'warga', 'Warga', 'citizen', 'x', 0)",
            &[],
        )?;
        for (id, village, done) in [
            ("r1", "13.05.01.2001", Some(created + 7 * DAY_MS)),
            ("r2", "13.05.01.2001", None),
            ("r3", "13.05.02.2001", None),
        ] {
            tx.execute(
                "INSERT INTO requests (id, tracking_code, service, village, citizen_nik,
                 submitted_by, state, catalog_version, payload, created_ms, updated_ms, completed_ms)
                 VALUES (?1, ?1, ?2, ?3, '1305014107900001', 'u1', ?4, '1', '{}', ?5, ?5, ?6)",
                &[
                    &id,
                    &service.id,
                    &village,
                    &if done.is_some() { "completed" } else { "submitted" },
                    &created,
                    &done,
                ],
            )?;
        }
        Ok(())
    })
    .unwrap();
    let regions = crate::regions::load(&db).unwrap();
    let stats = gather(&db, &catalog, regions.as_deref(), Some(2026), 5).unwrap();
    let y = &stats.years[0];
    assert_eq!((y.year, y.requests, y.by_month[11]), (2026, 3, 3));
    assert_eq!(
        y.village_names.get("13.05.01.2001").map(String::as_str),
        Some("Kasang")
    );
    assert_eq!(y.village_names.get("13.05.02.2001"), None);
    assert_eq!(y.service_names[&service.id], service.name);
    let t = &y.processing[&service.id];
    assert_eq!(t.service_days, service.service_days);
    // Mon 21 -> Mon 28 less Christmas (Friday): 4 working days.
    assert_eq!(t.timing.max_working_days, 4);
    assert_eq!(stats.users_by_role.get("citizen"), Some(&1));
}

#[test]
fn a_year_spans_its_local_new_years() {
    let (from, to) = year_span_ms(2026, WIB).unwrap();
    // Midnight of 1 January in Western Indonesian Time is 17:00 UTC the day before.
    assert_eq!(
        from,
        Date::from_ymd(2026, 1, 1).unwrap().to_days() * DAY_MS - 7 * HOUR_MS
    );
    for (ms, year) in [(from - 1, 2025), (from, 2026), (to - 1, 2026), (to, 2027)] {
        assert_eq!(
            local_date(ms, WIB).map(|d| i64::from(d.year())),
            Some(year),
            "{ms}"
        );
    }
    assert_eq!(year_span_ms(i64::MAX, WIB), None);
}
