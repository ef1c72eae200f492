package io.github.ssl4j.spark;

import java.io.Serializable;
import java.util.function.Supplier;

/**
 * A recipe that Spark can ship to its executors, e.g. {@code ContrastiveTask::simclr}: each
 * executor calls {@link #get()} to build its own copy of the task. The supplied object itself need
 * not be serialisable; the supplier and anything it captures must be.
 *
 * @param <T> what it builds
 */
@FunctionalInterface
public interface SerializableSupplier<T> extends Supplier<T>, Serializable {}
