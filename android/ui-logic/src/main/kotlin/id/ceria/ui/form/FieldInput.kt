/*
 * Which input widget a form field needs, decided from the catalog's field spec.
 */
package id.ceria.ui.form

import id.ceria.core.CeriaClientInterface
import id.ceria.core.model.FieldKind
import id.ceria.core.model.FieldSource
import id.ceria.core.model.RegionLevel
import id.ceria.ui.common.Bilingual
import id.ceria.ui.common.bilingual

/** One entry of a code-list picker. */
data class Choice(
    /** The stored code, e.g. `1`. */
    val code: String,
    /** Its label. */
    val label: Bilingual,
)

/** The widget for a field; the Compose screen renders one per variant. */
sealed interface FieldInput {
    /** Free text; [maxLength] characters at most. */
    data class Text(val maxLength: Int) : FieldInput

    /** A person's name (letters, capitalised as typed); [maxLength] characters at most. */
    data class Name(val maxLength: Int) : FieldInput

    /** 16 digits: a NIK or a family card number (numeric keyboard). */
    data class Digits16(val kind: FieldKind) : FieldInput

    /** A date picker, stored as `YYYY-MM-DD`; [allowFuture] false blocks dates after today. */
    data class Date(val allowFuture: Boolean) : FieldInput

    /** A whole number within [min]..[max] when given. */
    data class Integer(val min: Long?, val max: Long?) : FieldInput

    /** One of [choices] (a radio group when short, a searchable list when long). */
    data class Pick(val listId: String, val choices: List<Choice>) : FieldInput {
        /** The label of [code], if it is one of the choices. */
        fun labelOf(code: String): Bilingual? = choices.firstOrNull { it.code == code }?.label
    }

    /** An Indonesian phone number (phone keyboard). */
    data object Phone : FieldInput

    /** A region picker down to [level] (a village: province, regency, district, village). */
    data class Region(val level: RegionLevel) : FieldInput

    /** Yes / no, stored as `true` / `false`. */
    data object YesNo : FieldInput

    /** Computed by the form itself; shown read-only. */
    data object Computed : FieldInput

    companion object {
        /** Default longest text and name, as the core's validators apply them. */
        const val TEXT_MAX = 200

        /** Default longest name (Permendagri 73/2022: 60 characters with spaces). */
        const val NAME_MAX = 60

        /** The widget for [field]; code lists come from [client]'s catalog. */
        fun of(field: FieldSource, client: CeriaClientInterface): FieldInput {
            if (field.calculate != null) return Computed
            return when (field.kind) {
                FieldKind.TEXT -> Text(field.maxLength?.toInt() ?: TEXT_MAX)
                FieldKind.NAME -> Name(field.maxLength?.toInt() ?: NAME_MAX)
                FieldKind.NIK, FieldKind.KK_NUMBER -> Digits16(field.kind)
                FieldKind.DATE -> Date(field.allowFuture)
                FieldKind.INTEGER -> Integer(field.min, field.max)
                FieldKind.CHOICE -> {
                    val listId = field.list.orEmpty()
                    val items = client.codeList(listId)?.items.orEmpty()
                    Pick(listId, items.map { Choice(it.code, it.label.bilingual()) })
                }
                FieldKind.PHONE -> Phone
                FieldKind.REGION -> Region(field.regionLevel ?: RegionLevel.VILLAGE)
                FieldKind.BOOL -> YesNo
            }
        }
    }
}
