/*
 * The photo codec on a plain JVM (ImageIO), so the tests downscale real pictures with the same
 * PhotoPolicy arithmetic the phone uses.
 */
package id.ceria.ui.support

import id.ceria.ui.photo.ImageCodec
import id.ceria.ui.photo.PixelSize
import java.awt.RenderingHints
import java.awt.image.BufferedImage
import java.io.File
import java.io.IOException
import javax.imageio.IIOImage
import javax.imageio.ImageIO
import javax.imageio.ImageWriteParam

/** [ImageCodec] over ImageIO (no EXIF rotation: test pictures are upright). */
class JvmImageCodec : ImageCodec {
    override fun size(file: File): PixelSize? {
        val image = try {
            ImageIO.read(file)
        } catch (e: IOException) {
            null
        } ?: return null
        return PixelSize(image.width, image.height)
    }

    override fun writeJpeg(source: File, target: File, size: PixelSize, quality: Int) {
        val image = ImageIO.read(source) ?: throw IOException("not a picture: ${source.name}")
        val scaled = BufferedImage(size.width, size.height, BufferedImage.TYPE_INT_RGB)
        val g = scaled.createGraphics()
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR)
        g.drawImage(image, 0, 0, size.width, size.height, null)
        g.dispose()
        val writer = ImageIO.getImageWritersByFormatName("jpeg").next()
        try {
            ImageIO.createImageOutputStream(target).use { out ->
                writer.output = out
                val param = writer.defaultWriteParam.apply {
                    compressionMode = ImageWriteParam.MODE_EXPLICIT
                    compressionQuality = quality / 100f
                }
                writer.write(null, IIOImage(scaled, null, null), param)
            }
        } finally {
            writer.dispose()
        }
    }
}
