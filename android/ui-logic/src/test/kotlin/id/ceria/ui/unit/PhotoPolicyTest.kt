/*
 * The downscaling rules and the preparer on real pictures (ImageIO on the JVM).
 */
package id.ceria.ui.unit

import id.ceria.ui.photo.PhotoPolicy
import id.ceria.ui.photo.PhotoPreparer
import id.ceria.ui.photo.PixelSize
import id.ceria.ui.support.JvmImageCodec
import id.ceria.ui.support.Pictures
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertSame
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir
import java.io.File
import java.io.IOException
import javax.imageio.ImageIO

class PhotoPolicyTest {
    @Test
    fun `a 12 MP photo comes down to a long edge of 1600 keeping its aspect`() {
        assertEquals(PixelSize(1600, 1200), PhotoPolicy.target(PixelSize(4000, 3000)))
        assertEquals(PixelSize(1200, 1600), PhotoPolicy.target(PixelSize(3000, 4000)))
        // 48 MP, 4:3.
        assertEquals(PixelSize(1600, 1200), PhotoPolicy.target(PixelSize(8000, 6000)))
        // A long receipt-like scan keeps its shape.
        assertEquals(PixelSize(400, 1600), PhotoPolicy.target(PixelSize(1000, 4000)))
    }

    @Test
    fun `small pictures are never enlarged and extreme shapes keep one pixel`() {
        assertEquals(PixelSize(1600, 900), PhotoPolicy.target(PixelSize(1600, 900)))
        assertEquals(PixelSize(640, 480), PhotoPolicy.target(PixelSize(640, 480)))
        assertEquals(PixelSize(1600, 1), PhotoPolicy.target(PixelSize(10000, 2)))
        assertThrows<IllegalArgumentException> { PhotoPolicy.target(PixelSize(0, 10)) }
    }

    @Test
    fun `decoding subsamples by powers of two but never below the target`() {
        assertEquals(1, PhotoPolicy.sampleSize(PixelSize(1600, 1200)))
        assertEquals(1, PhotoPolicy.sampleSize(PixelSize(3199, 2000)))
        assertEquals(2, PhotoPolicy.sampleSize(PixelSize(3200, 2400)))
        assertEquals(4, PhotoPolicy.sampleSize(PixelSize(8000, 6000)))
        assertEquals(1, PhotoPolicy.sampleSize(PixelSize(100, 100)))
    }

    @Test
    fun `the preparer downscales a camera photo to a much smaller JPEG`(@TempDir dir: File) {
        val photo = Pictures.documentPhoto(File(dir, "kk.jpg"), 4000, 3000)
        val preparer = PhotoPreparer(JvmImageCodec(), File(dir, "work"))
        val prepared = preparer.prepare(photo, "image/jpeg")
        assertEquals("image/jpeg", prepared.mediaType)
        assertEquals("kk.jpg", prepared.file.name)
        val written = ImageIO.read(prepared.file)
        assertEquals(1600, written.width)
        assertEquals(1200, written.height)
        assertTrue(prepared.file.length() * 3 < photo.length(), "${prepared.file.length()} vs ${photo.length()}")
        prepared.release()
        assertFalse(prepared.file.exists(), "the temporary copy is deleted after attaching")
        assertTrue(photo.exists(), "the person's own photo is never deleted")
    }

    @Test
    fun `a PNG screenshot becomes JPEG, a small JPEG and a PDF pass unchanged`(@TempDir dir: File) {
        val preparer = PhotoPreparer(JvmImageCodec(), File(dir, "work"))
        val png = Pictures.documentPhoto(File(dir, "scan.png"), 1200, 1700)
        val fromPng = preparer.prepare(png, "image/png")
        assertEquals("image/jpeg", fromPng.mediaType)
        assertEquals("scan.jpg", fromPng.file.name)
        assertEquals(PixelSize(1129, 1600), fromPng.size)

        val small = Pictures.documentPhoto(File(dir, "small.jpg"), 800, 600)
        assertSame(small, preparer.prepare(small, "IMAGE/JPEG").file)

        val pdf = File(dir, "akta.pdf").apply { writeBytes("%PDF-1.4\n%%EOF\n".toByteArray()) }
        val passed = preparer.prepare(pdf, "application/pdf")
        assertSame(pdf, passed.file)
        passed.release()
        assertTrue(pdf.exists())
    }

    @Test
    fun `a broken picture is refused with an IOException`(@TempDir dir: File) {
        val junk = File(dir, "rusak.jpg").apply { writeBytes(ByteArray(64) { it.toByte() }) }
        val preparer = PhotoPreparer(JvmImageCodec(), File(dir, "work"))
        assertThrows<IOException> { preparer.prepare(junk, "image/jpeg") }
        assertEquals(0, File(dir, "work").listFiles()?.size ?: 0, "nothing left behind")
    }
}
