/**
 * Runnable examples on real data, one self-supervised recipe each: data, pretext task and encoder,
 * {@link io.github.ssl4j.core.train.Trainer}, the pretrained encoder, its evaluation. Options and
 * reporting are shared ({@code ExampleOptions}, {@code ExampleReport}). Each example exposes {@code
 * run(String...)} returning what it measured, so smoke tests can call it with tiny limits. Run one
 * from the project root with {@code mvn -B -q -pl ssl-examples -am package -DskipTests exec:java
 * -Dexec.mainClass=io.github.ssl4j.examples.ContrastiveFashionMnist -Dexec.args="--help"} (without
 * {@code -Dexec.mainClass}: {@link io.github.ssl4j.examples.DenoisingFashionMnist}).
 */
package io.github.ssl4j.examples;
