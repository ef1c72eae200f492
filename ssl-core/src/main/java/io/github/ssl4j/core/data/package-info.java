/**
 * Unlabelled data for the trainer: the random-access {@link io.github.ssl4j.core.data.ExampleSource}
 * (reproducible shuffling and mid-epoch resume), an in-memory {@link
 * io.github.ssl4j.core.data.ArraySource}, the {@link io.github.ssl4j.core.data.IdxReader} for
 * MNIST-style files, the {@link io.github.ssl4j.core.data.ImageFolderSource} for folders of images
 * decoded from disk, and {@link io.github.ssl4j.core.data.Rows} for picking examples out of arrays.
 */
package io.github.ssl4j.core.data;
