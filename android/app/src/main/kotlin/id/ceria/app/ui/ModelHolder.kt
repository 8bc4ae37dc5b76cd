/*
 * Keeps a :ui-logic screen model alive across configuration changes, scoped to an androidx
 * ViewModel (its coroutines end when the screen leaves the back stack).
 */
package id.ceria.app.ui

import androidx.compose.runtime.Composable
import androidx.lifecycle.ViewModel
import androidx.lifecycle.viewModelScope
import androidx.lifecycle.viewmodel.compose.viewModel
import kotlinx.coroutines.CoroutineScope

/** Holds one model created with the ViewModel's scope (the main thread). */
class ModelHolder<T : Any>(create: (CoroutineScope) -> T) : ViewModel() {
    /** The model. */
    val model: T = create(viewModelScope)
}

/** The model for [key] in the current navigation entry, created once with [create]. */
@Composable
fun <T : Any> rememberModel(key: String, create: (CoroutineScope) -> T): T =
    viewModel<ModelHolder<T>>(key = key) { ModelHolder(create) }.model
