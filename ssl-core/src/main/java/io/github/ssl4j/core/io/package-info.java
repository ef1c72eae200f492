/** File helpers shared by checkpoints and saved encoders: one atomic writer. */
package io.github.ssl4j.core.io;
