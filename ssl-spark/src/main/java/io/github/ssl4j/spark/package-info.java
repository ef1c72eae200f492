/**
 * Data-parallel pretraining on Apache Spark: {@link io.github.ssl4j.spark.SparkPretrainer} trains
 * any {@link io.github.ssl4j.core.PretextTask} and {@link io.github.ssl4j.core.Encoder} on a
 * {@code JavaRDD} of examples, one worker per partition, with parameter averaging or synchronous
 * gradient sharing ({@link io.github.ssl4j.spark.SparkTraining}), checkpoints between rounds on any
 * Hadoop-compatible path, and returns the same {@link io.github.ssl4j.core.train.TrainingResult} as
 * the single-JVM {@link io.github.ssl4j.core.train.Trainer}. Spark is a {@code provided}
 * dependency. See docs/scaling-out.md.
 */
package io.github.ssl4j.spark;
