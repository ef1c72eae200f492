/**
 * The reference workloads W1–W4 and the tools that compare ssl4j with a PyTorch implementation of
 * them: {@link io.github.ssl4j.bench.Workloads} maps each workload onto the library's public
 * presets, {@link io.github.ssl4j.bench.WorkloadBenchmark} measures training throughput, and the
 * step-for-step and data-order checks reproduce the PyTorch side exactly. Not part of the library.
 */
package io.github.ssl4j.bench;
