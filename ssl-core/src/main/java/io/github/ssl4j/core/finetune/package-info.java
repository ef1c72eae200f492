/**
 * Fine-tuning a {@link io.github.ssl4j.core.PretrainedEncoder} on a labelled downstream task, on
 * top of DL4J's {@code TransferLearning.GraphBuilder}: a linear probe on frozen representations,
 * partial fine-tuning of the last encoder blocks, or full fine-tuning.
 *
 * <pre>{@code
 * FineTuned probe = FineTuneAdapter.builder(pretrained)
 *     .classification(10)
 *     .mode(FineTuneMode.LINEAR_PROBE)
 *     .epochs(10).batchSize(256).seed(42)
 *     .build()
 *     .fit(trainData);
 * double acc = probe.accuracy(testData);
 * }</pre>
 *
 * <p>Fine-tuning never modifies the pretrained encoder's graph: every fit works on a new graph with
 * copied parameters.
 */
package io.github.ssl4j.core.finetune;
