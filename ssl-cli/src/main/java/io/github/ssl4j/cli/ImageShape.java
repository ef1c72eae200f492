package io.github.ssl4j.cli;

/**
 * The shape of the images a model was pretrained on, [channels, height, width].
 *
 * @param channels 1 (grey) or 3 (RGB)
 * @param height pixels
 * @param width pixels
 */
public record ImageShape(int channels, int height, int width) {

  /** @throws IllegalArgumentException if a value is out of range */
  public ImageShape {
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("channels must be 1 (grey) or 3 (RGB), got " + channels);
    }
    if (height < 1 || width < 1) {
      throw new IllegalArgumentException("image size must be >= 1 pixel, got " + height + "x" + width);
    }
  }

  /** Values per image: channels x height x width. */
  public int values() {
    return channels * height * width;
  }

  @Override
  public String toString() {
    return channels + "x" + height + "x" + width;
  }
}
