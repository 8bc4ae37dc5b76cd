//! Storage of the working-day calendar: one row per holiday (local date `YYYY-MM-DD`, name).
//! ISO dates sort as text, so a year is a text range.

use crate::store::{Db, DbError};

impl Db {
    /// Holidays from `from` to `to` (inclusive ISO dates), oldest first, as `(date, name)`.
    pub(crate) fn holidays_between(
        &self,
        from: &str,
        to: &str,
    ) -> Result<Vec<(String, String)>, DbError> {
        self.read(|c| {
            c.query_map(
                "SELECT day, name FROM holidays WHERE day >= ?1 AND day <= ?2 ORDER BY day",
                &[&from, &to],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
        })
    }

    /// Adds a holiday or renames the one on that date; true when it was new.
    pub(crate) fn put_holiday(&self, day: &str, name: &str) -> Result<bool, DbError> {
        self.write(|tx| {
            let renamed = tx.execute(
                "UPDATE holidays SET name = ?2 WHERE day = ?1",
                &[&day, &name],
            )?;
            if renamed > 0 {
                return Ok(false);
            }
            tx.execute(
                "INSERT INTO holidays (day, name) VALUES (?1, ?2)",
                &[&day, &name],
            )?;
            Ok(true)
        })
    }

    /// Removes the holiday on `day`; false when there was none.
    pub(crate) fn delete_holiday(&self, day: &str) -> Result<bool, DbError> {
        self.write(|tx| Ok(tx.execute("DELETE FROM holidays WHERE day = ?1", &[&day])? > 0))
    }
}

#[cfg(test)]
mod tests {
    use crate::store::testing::store_test;

    store_test!(put_rename_list_delete, |db| {
        assert!(db.put_holiday("2026-12-25", "Natal").unwrap());
        assert!(db.put_holiday("2026-08-17", "HUT RI").unwrap());
        assert!(!db.put_holiday("2026-12-25", "Hari Raya Natal").unwrap());
        assert!(db.put_holiday("2027-01-01", "Tahun Baru").unwrap());
        let year = db.holidays_between("2026-01-01", "2026-12-31").unwrap();
        assert_eq!(
            year,
            vec![
                ("2026-08-17".into(), "HUT RI".into()),
                ("2026-12-25".into(), "Hari Raya Natal".into())
            ]
        );
        assert!(db.delete_holiday("2026-08-17").unwrap());
        assert!(!db.delete_holiday("2026-08-17").unwrap());
        assert_eq!(
            db.holidays_between("0000-01-01", "9999-12-31")
                .unwrap()
                .len(),
            2
        );
    });
}
