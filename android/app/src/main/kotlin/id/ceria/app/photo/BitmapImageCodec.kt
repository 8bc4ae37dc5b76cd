/*
 * Android's implementation of the photo codec: decodes subsampled (a 48 MP photo never sits
 * whole in memory), applies the EXIF rotation, scales and writes JPEG.
 */
package id.ceria.app.photo

import android.graphics.Bitmap
import android.graphics.BitmapFactory
import android.graphics.Matrix
import androidx.exifinterface.media.ExifInterface
import id.ceria.ui.photo.ImageCodec
import id.ceria.ui.photo.PhotoPolicy
import id.ceria.ui.photo.PixelSize
import java.io.File
import java.io.IOException

/** [ImageCodec] over BitmapFactory and ExifInterface. */
class BitmapImageCodec : ImageCodec {
    override fun size(file: File): PixelSize? {
        val bounds = BitmapFactory.Options().apply { inJustDecodeBounds = true }
        BitmapFactory.decodeFile(file.path, bounds)
        if (bounds.outWidth <= 0 || bounds.outHeight <= 0) return null
        return if (quarterTurns(file) % 2 == 1) {
            PixelSize(bounds.outHeight, bounds.outWidth)
        } else {
            PixelSize(bounds.outWidth, bounds.outHeight)
        }
    }

    override fun writeJpeg(source: File, target: File, size: PixelSize, quality: Int) {
        val original = size(source) ?: throw IOException("not a picture: ${source.name}")
        val options = BitmapFactory.Options().apply { inSampleSize = PhotoPolicy.sampleSize(original) }
        val decoded = BitmapFactory.decodeFile(source.path, options) ?: throw IOException("cannot decode ${source.name}")
        val turns = quarterTurns(source)
        val upright = if (turns == 0) {
            decoded
        } else {
            val m = Matrix().apply { postRotate(90f * turns) }
            Bitmap.createBitmap(decoded, 0, 0, decoded.width, decoded.height, m, true).also {
                if (it !== decoded) decoded.recycle()
            }
        }
        val scaled = Bitmap.createScaledBitmap(upright, size.width, size.height, true)
        if (scaled !== upright) upright.recycle()
        try {
            target.outputStream().use { out ->
                if (!scaled.compress(Bitmap.CompressFormat.JPEG, quality, out)) {
                    throw IOException("cannot write ${target.name}")
                }
            }
        } finally {
            scaled.recycle()
        }
    }

    private fun quarterTurns(file: File): Int = try {
        when (ExifInterface(file.path).getAttributeInt(ExifInterface.TAG_ORIENTATION, ExifInterface.ORIENTATION_NORMAL)) {
            ExifInterface.ORIENTATION_ROTATE_90 -> 1
            ExifInterface.ORIENTATION_ROTATE_180 -> 2
            ExifInterface.ORIENTATION_ROTATE_270 -> 3
            else -> 0
        }
    } catch (e: IOException) {
        0
    }
}
