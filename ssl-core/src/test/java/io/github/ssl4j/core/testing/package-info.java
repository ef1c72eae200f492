/**
 * Shared test support, published in the ssl-core test-jar: {@link
 * io.github.ssl4j.core.testing.PretextTaskContract} (the contract every pretext task's test
 * extends), {@link io.github.ssl4j.core.testing.TestData} (generated data) and tiny encoders.
 */
package io.github.ssl4j.core.testing;
