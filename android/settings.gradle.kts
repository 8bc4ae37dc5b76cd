// The Ceria Android app: a thin Compose shell over the Rust core.
//
// Modules:
//   :core-bindings  the Rust core (cargo-ndk, three ABIs) and its generated Kotlin bindings
//   :ui-logic       pure-Kotlin screen logic (no android.* imports); also built by Maven on CI
//   :app            Compose screens, WorkManager sync, notifications
pluginManagement {
    repositories {
        google {
            content {
                includeGroupByRegex("com\\.android.*")
                includeGroupByRegex("com\\.google.*")
                includeGroupByRegex("androidx.*")
            }
        }
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}

rootProject.name = "ceria-android"
include(":core-bindings", ":ui-logic", ":app")
