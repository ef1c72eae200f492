/**
 * Built-in pretext tasks of the core module: small tasks that need nothing beyond DL4J layers and
 * serve to test the trainer end to end. The larger tasks live in {@code ssl-tasks}.
 */
package io.github.ssl4j.core.tasks;
