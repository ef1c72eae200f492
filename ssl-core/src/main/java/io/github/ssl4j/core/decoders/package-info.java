/** Reference {@link io.github.ssl4j.core.Decoder} implementations. */
package io.github.ssl4j.core.decoders;
