/*
 * The people and answers of the test stories (Padang Pariaman, Kecamatan Lubuk Alung).
 */
package id.ceria.ui.support

/** Shared facts of the stories. */
object Story {
    /** Nagari Lubuk Alung, Kecamatan Lubuk Alung, Kabupaten Padang Pariaman. */
    const val VILLAGE = "13.05.01.2001"

    /** A village in Kota Padang: outside the regency this catalog serves. */
    const val VILLAGE_IN_PADANG = "13.71.01.1001"

    /** The nagari operator of Lubuk Alung. */
    const val OPERATOR = "op.lubukalung"

    /** The registry officer. */
    const val OFFICER = "petugas.ktp"

    /** Every staff password. */
    const val STAFF_PASSWORD = "rahasia-nagari-2026"

    /** The citizen: a man born 10 May 1990, first registered in district 13.05.02. */
    const val NIK = "1305021005900003"

    /** His name as on the family card. */
    const val NAME = "Budi Santoso"

    /** His password. */
    const val PASSWORD = "Sawah-Hijau-Pagi-45"

    /** A correct KTP-el Baru form for him. */
    val KTP_FORM = linkedMapOf(
        "nik" to NIK,
        "nama" to NAME,
        "tempat_lahir" to "Padang Pariaman",
        "tanggal_lahir" to "1990-05-10",
        "jenis_kelamin" to "L",
        "nomor_kk" to "1305020101150001",
        "status_kawin" to "1",
        "sudah_rekam" to "true",
        "pengambilan" to "nagari",
        "desa" to VILLAGE,
        "telepon" to "081234567890",
    )

    /** A second and third resident the operator files for (a woman: day + 40). */
    const val NIK_SITI = "1305015203950002"

    /** Another resident. */
    const val NIK_RUDI = "1305011508880001"
}
