// :app: the Compose shell. Screens render the state of :ui-logic's models; sync runs in a
// WorkManager worker. The Rust core and its bindings come from :core-bindings.
plugins {
    alias(libs.plugins.android.application)
    alias(libs.plugins.kotlin.android)
    alias(libs.plugins.kotlin.compose)
}

android {
    namespace = "id.ceria.app"
    compileSdk = 36

    defaultConfig {
        applicationId = "id.go.padangpariamankab.ceria"
        // 26 (Android 8.0): java.time and notification channels without shims, adaptive icons,
        // and still every phone the registry's 2025 survey saw in use in the regency's nagari.
        minSdk = 26
        targetSdk = 36
        versionCode = 1
        versionName = "0.1.0"
        // The registry server; override per build type or with -Pceria.serverUrl=...
        val serverUrl = providers.gradleProperty("ceria.serverUrl")
            .getOrElse("https://ceria.padangpariamankab.go.id")
        buildConfigField("String", "SERVER_URL", "\"$serverUrl\"")
        ndk { abiFilters += listOf("arm64-v8a", "armeabi-v7a", "x86_64") }
    }

    buildTypes {
        release {
            isMinifyEnabled = true
            isShrinkResources = true
            proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"), "proguard-rules.pro")
        }
    }
    buildFeatures {
        compose = true
        buildConfig = true
    }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    sourceSets { getByName("main") { java.srcDir("src/main/kotlin") } }
    packaging {
        // libjnidispatch.so comes from JNA's AAR, libceria_ffi.so from :core-bindings.
        jniLibs.useLegacyPackaging = false
    }
}

kotlin { jvmToolchain(17) }

dependencies {
    implementation(project(":ui-logic"))
    implementation(libs.androidx.core.ktx)
    implementation(libs.androidx.activity.compose)
    implementation(libs.androidx.lifecycle.viewmodel.compose)
    implementation(libs.androidx.lifecycle.runtime.compose)
    implementation(libs.androidx.navigation.compose)
    implementation(libs.androidx.work.runtime.ktx)
    implementation(libs.androidx.exifinterface)
    implementation(libs.kotlinx.coroutines.android)
    implementation(platform(libs.compose.bom))
    implementation(libs.compose.ui)
    implementation(libs.compose.material3)
    implementation(libs.compose.material.icons)
    implementation(libs.compose.ui.tooling.preview)
    debugImplementation(libs.compose.ui.tooling)
}
