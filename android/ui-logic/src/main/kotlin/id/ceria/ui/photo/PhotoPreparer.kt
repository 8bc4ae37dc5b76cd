/*
 * Readies a picked or captured file for the core: photos downscaled to JPEG, PDFs as they are.
 */
package id.ceria.ui.photo

import java.io.File
import java.io.IOException

/** Reads and writes pictures; the app implements it with Bitmap, JVM tests with ImageIO. */
interface ImageCodec {
    /** The displayed size of the picture in [file] (after EXIF rotation), or null if unreadable. */
    fun size(file: File): PixelSize?

    /**
     * Writes [source] scaled to [size] (upright) as a JPEG of [quality] into [target].
     *
     * @throws IOException when the picture cannot be decoded or written.
     */
    fun writeJpeg(source: File, target: File, size: PixelSize, quality: Int)
}

/** A file ready for `attach`. */
class PreparedFile(
    /** The file to hand to the core (it copies it). */
    val file: File,
    /** Its media type. */
    val mediaType: String,
    /** The size sent, for photos. */
    val size: PixelSize?,
    private val temporary: Boolean,
) {
    /** Deletes the file if this preparer made it (the core keeps its own copy). */
    fun release() {
        if (temporary) file.delete()
    }
}

/** Downscales photos per [PhotoPolicy] into [workDir]; other files pass through. */
class PhotoPreparer(
    private val codec: ImageCodec,
    private val workDir: File,
) {
    /**
     * Readies [source] of [mediaType]. A photo becomes a JPEG of at most [PhotoPolicy.LONG_EDGE]
     * px (a small JPEG is passed unchanged); anything else is passed as it is.
     *
     * @throws IOException when a photo cannot be decoded or written.
     */
    fun prepare(source: File, mediaType: String): PreparedFile {
        val type = mediaType.lowercase()
        if (!PhotoPolicy.isPhoto(type)) return PreparedFile(source, type, null, temporary = false)
        val original = codec.size(source) ?: throw IOException("not a readable picture: ${source.name}")
        val target = PhotoPolicy.target(original)
        if (type == "image/jpeg" && target == original) {
            return PreparedFile(source, type, original, temporary = false)
        }
        workDir.mkdirs()
        val out = File.createTempFile("page-", ".jpg", workDir)
        try {
            codec.writeJpeg(source, out, target, PhotoPolicy.JPEG_QUALITY)
        } catch (e: IOException) {
            out.delete()
            throw e
        }
        // The core keeps the file name for display: keep the person's name, with .jpg.
        val named = File(workDir, source.nameWithoutExtension + ".jpg").let {
            if (it.exists()) out else if (out.renameTo(it)) it else out
        }
        return PreparedFile(named, "image/jpeg", target, temporary = true)
    }
}
