/*
 * How big a photo of a document is sent: the arithmetic, kept free of any image library so the
 * same rules hold on the phone (Bitmap) and in JVM tests (ImageIO).
 */
package id.ceria.ui.photo

/** A picture's size in pixels. */
data class PixelSize(
    /** Width. */
    val width: Int,
    /** Height. */
    val height: Int,
) {
    /** The longer side. */
    val longEdge: Int get() = maxOf(width, height)
}

/**
 * Photos of documents are downscaled to a long edge of about 1600 px and stored as JPEG at
 * quality 85: an A4 page stays readable (about 190 dpi) and a page costs 200-500 KB instead of
 * 3-8 MB, which is what makes uploads finish on 2G/3G.
 */
object PhotoPolicy {
    /** Target long edge in pixels. */
    const val LONG_EDGE = 1600

    /** JPEG quality of the sent file. */
    const val JPEG_QUALITY = 85

    /** The size to send [original] at: scaled down to [LONG_EDGE], never up, aspect kept. */
    fun target(original: PixelSize): PixelSize {
        require(original.width > 0 && original.height > 0) { "empty image: $original" }
        if (original.longEdge <= LONG_EDGE) return original
        val scale = LONG_EDGE.toDouble() / original.longEdge
        val w = maxOf(1, Math.round(original.width * scale).toInt())
        val h = maxOf(1, Math.round(original.height * scale).toInt())
        return PixelSize(w, h)
    }

    /**
     * The largest power-of-two subsampling that still decodes [original] at a long edge of at
     * least [LONG_EDGE] (Android's `inSampleSize`): decoding a 48 MP photo whole would not fit
     * in a low-end phone's memory.
     */
    fun sampleSize(original: PixelSize): Int {
        var sample = 1
        while (original.longEdge / (sample * 2) >= LONG_EDGE) sample *= 2
        return sample
    }

    /** True when a file of [mediaType] is a photo this policy applies to (not a PDF). */
    fun isPhoto(mediaType: String): Boolean = mediaType.lowercase().startsWith("image/")
}
