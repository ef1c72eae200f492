/**
 * The {@code ssl4j} command line ({@link io.github.ssl4j.cli.Ssl4j}): {@code pretrain} on an image
 * folder or IDX file, {@code embed} to CSV or NPY, {@code evaluate} with labelled folders. New
 * pretraining methods are registered in {@link io.github.ssl4j.cli.Methods}.
 */
package io.github.ssl4j.cli;
