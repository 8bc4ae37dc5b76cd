// :core-bindings: the Rust core as an Android library.
//
// - `cargoNdkBuild` builds `ceria-ffi` (crate in ../bindings) for arm64-v8a, armeabi-v7a and
//   x86_64 with cargo-ndk into build/generated/jniLibs (packaged as the AAR's jniLibs).
// - `generateBindings` runs scripts/gen-bindings --android --lang kotlin, which writes the
//   UniFFI Kotlin sources (packages id.ceria.core and id.ceria.core.model, android = true)
//   into build/generated/uniffi/kotlin, compiled here.
// JNA comes as its @aar (it carries libjnidispatch.so for every ABI).
import org.gradle.api.tasks.Exec

plugins {
    alias(libs.plugins.android.library)
    alias(libs.plugins.kotlin.android)
}

val rustRoot: File = rootProject.file(providers.gradleProperty("ceria.rustRoot").get())
val cargoProfile: String = providers.gradleProperty("ceria.cargoProfile").get()
val abis = listOf("arm64-v8a", "armeabi-v7a", "x86_64")
val jniOut = layout.buildDirectory.dir("generated/jniLibs")
val uniffiOut = layout.buildDirectory.dir("generated/uniffi")
val minSdkLevel = 26

android {
    namespace = "id.ceria.core"
    compileSdk = 36
    defaultConfig {
        minSdk = minSdkLevel
        consumerProguardFiles("consumer-rules.pro")
        ndk { abiFilters += abis }
    }
    sourceSets {
        getByName("main") {
            java.srcDir(uniffiOut.map { it.dir("kotlin") })
            jniLibs.srcDir(jniOut)
        }
    }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
}

kotlin { jvmToolchain(17) }

dependencies {
    // The AAR flavour of JNA carries libjnidispatch.so for every ABI.
    api(libs.jna) { artifact { type = "aar" } }
    // The Android bindings use @RequiresApi (Android's cleaner on API 33+, JNA's below).
    implementation(libs.androidx.annotation)
}

/** The Rust sources the native library is built from: rebuilt when one changes. */
val rustInputs = fileTree(rustRoot) {
    include("Cargo.toml", "Cargo.lock", "core/**", "bindings/**")
    exclude("**/target/**", "bindings/generated/**")
}

val cargoNdkBuild by tasks.registering(Exec::class) {
    group = "rust"
    description = "Builds libceria_ffi.so for ${abis.joinToString()} with cargo-ndk."
    inputs.files(rustInputs)
    outputs.dir(jniOut)
    workingDir = rustRoot
    val targets = abis.flatMap { listOf("-t", it) }
    commandLine(
        listOf("cargo", "ndk") + targets +
            listOf("--platform", minSdkLevel.toString(), "-o", jniOut.get().asFile.path) +
            listOf("build", "-p", "ceria-ffi", "--lib", "--profile", cargoProfile),
    )
}

val generateBindings by tasks.registering(Exec::class) {
    group = "rust"
    description = "Generates the UniFFI Kotlin bindings (android = true)."
    inputs.files(rustInputs)
    outputs.dir(uniffiOut)
    workingDir = rustRoot
    // Also builds the host library (the generator reads the API from it): needs the host toolchain.
    commandLine("scripts/gen-bindings", "--android", "--lang", "kotlin", "--out", uniffiOut.get().asFile.path)
}

tasks.named("preBuild") { dependsOn(cargoNdkBuild, generateBindings) }
