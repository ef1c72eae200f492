/**
 * Runnable examples on real data; each exposes {@code run(String...)} returning what it measured,
 * so smoke tests can call it with tiny limits. Run from the project root with
 * {@code mvn -B -q -pl ssl-examples -am package -DskipTests exec:java}.
 */
package io.github.ssl4j.examples;
