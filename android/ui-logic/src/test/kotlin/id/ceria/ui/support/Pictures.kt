/*
 * Pictures for the tests: a phone-camera-sized "photo of a document" (text lines on paper with
 * sensor-like noise, so JPEG sizes are realistic) written with ImageIO.
 */
package id.ceria.ui.support

import java.awt.Color
import java.awt.Font
import java.awt.image.BufferedImage
import java.io.File
import java.util.Random
import javax.imageio.ImageIO

/** Makes test pictures. */
object Pictures {
    /** Writes a [width] x [height] document photo as JPEG (or PNG for a `.png` [file]). */
    fun documentPhoto(file: File, width: Int, height: Int, seed: Long = 7): File {
        val image = BufferedImage(width, height, BufferedImage.TYPE_INT_RGB)
        val g = image.createGraphics()
        g.color = Color(236, 232, 220)
        g.fillRect(0, 0, width, height)
        g.color = Color(30, 30, 60)
        g.font = Font(Font.SANS_SERIF, Font.PLAIN, maxOf(12, height / 40))
        val line = maxOf(14, height / 30)
        var y = line * 2
        var row = 1
        while (y < height - line) {
            g.drawString("KARTU KELUARGA  No. 1305020101090001  baris $row  NAGARI LUBUK ALUNG", width / 20, y)
            y += line
            row++
        }
        g.dispose()
        // Sensor noise: what makes real photos large.
        val random = Random(seed)
        for (i in 0 until width * height / 8) {
            val x = random.nextInt(width)
            val yy = random.nextInt(height)
            val v = 200 + random.nextInt(56)
            image.setRGB(x, yy, Color(v, v - 10, v - 20).rgb)
        }
        val format = if (file.name.endsWith(".png")) "png" else "jpeg"
        check(ImageIO.write(image, format, file)) { "no ImageIO writer for $format" }
        return file
    }
}
