/** Pretext tasks built on the ssl4j core API; one sub-package per task family. */
package io.github.ssl4j.tasks;
