// :ui-logic in Android Studio: the screen logic the Compose screens render. Its sources import
// nothing from android.* or androidx.*, so the same files also build and are tested on a plain
// JVM with Maven (pom.xml; see README "Android app"). Here it is an Android library only
// because it compiles against the Android flavour of the generated bindings (:core-bindings).
plugins {
    alias(libs.plugins.android.library)
    alias(libs.plugins.kotlin.android)
}

android {
    namespace = "id.ceria.ui"
    compileSdk = 36
    defaultConfig { minSdk = 26 }
    sourceSets {
        getByName("main") { java.srcDir("src/main/kotlin") }
        // The tests need the host-built core and a ceria-server: they run with Maven.
        getByName("test") { java.setSrcDirs(emptyList<String>()) }
    }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
}

kotlin { jvmToolchain(17) }

dependencies {
    api(project(":core-bindings"))
    api(libs.kotlinx.coroutines.core)
    implementation(libs.kotlinx.serialization.json)
}
