package io.github.ssl4j.tasks.nextframe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssl4j.core.testing.TestData;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class MovingFashionMnistTest {

  private static INDArray pool(int n, long seed) {
    return TestData.images(n, 1, 28, 28, seed);
  }

  @Test
  void sequenceDependsOnlyOnSeedAndIndex() {
    INDArray images = pool(20, 1);
    MovingFashionMnist a = MovingFashionMnist.builder(images).seed(7).sequences(1000).build();
    MovingFashionMnist b = MovingFashionMnist.builder(images.dup()).seed(7).sequences(5).build();
    assertEquals(a.sequence(3), b.sequence(3)); // bit-identical, whatever the data-set size
    assertEquals(a.get(new long[] {3, 4}).get(org.nd4j.linalg.indexing.NDArrayIndex.point(0)), a.sequence(3));
    assertNotEquals(a.sequence(3), a.sequence(4));
    assertNotEquals(a.sequence(3), MovingFashionMnist.builder(images).seed(8).build().sequence(3));
    assertArrayEquals(new long[] {2, 11, 1, 64, 64}, a.get(new long[] {0, 999}).shape());
  }

  /**
   * One 2x2 white square on a 12x12 canvas, followed frame by frame: on each axis its trajectory is
   * the one of a constant speed of 2, 3 or 4 pixels per frame reflected at the borders (p < 0 → −p,
   * p > max → 2·max − p), and it is always fully inside.
   */
  @Test
  void objectsMoveTwoToFourPixelsPerFrameAndReflectInsideTheCanvas() {
    INDArray square = Nd4j.ones(DataType.FLOAT, 1, 1, 2, 2);
    int frames = 30;
    int max = 12 - 2;
    MovingFashionMnist gen = MovingFashionMnist.builder(square).objects(1).canvas(12).frames(frames)
        .sequences(50).build();
    int reflections = 0;
    java.util.Set<Integer> speeds = new java.util.TreeSet<>();
    for (long i = 0; i < 50; i++) {
      INDArray seq = gen.sequence(i);
      int[][] pos = new int[frames][];
      for (int t = 0; t < frames; t++) {
        INDArray frame = seq.get(org.nd4j.linalg.indexing.NDArrayIndex.point(t),
            org.nd4j.linalg.indexing.NDArrayIndex.point(0));
        assertEquals(4.0, frame.sumNumber().doubleValue(), 0.0, "the square is always fully inside");
        pos[t] = topLeft(frame);
      }
      for (int ax = 0; ax < 2; ax++) {
        boolean explained = false;
        for (int speed = 2; speed <= 4 && !explained; speed++) {
          for (int sign : new int[] {-1, 1}) {
            int p = pos[0][ax];
            int v = speed * sign;
            boolean ok = true;
            int flips = 0;
            for (int t = 1; t < frames && ok; t++) {
              p += v;
              if (p < 0 || p > max) {
                p = p < 0 ? -p : 2 * max - p;
                v = -v;
                flips++;
              }
              ok = p == pos[t][ax];
            }
            if (ok) {
              explained = true;
              reflections += flips;
              speeds.add(speed);
              break;
            }
          }
        }
        assertTrue(explained, "sequence " + i + " axis " + ax + " is no reflected 2-4 px/frame motion");
      }
    }
    assertTrue(reflections > 100, "30 frames on a 12-pixel canvas must reflect often, saw " + reflections);
    assertEquals(java.util.Set.of(2, 3, 4), speeds, "all three speeds occur");
  }

  private static int[] topLeft(INDArray frame) {
    for (int r = 0; r < frame.rows(); r++) {
      for (int c = 0; c < frame.columns(); c++) {
        if (frame.getDouble(r, c) > 0.5) {
          return new int[] {r, c};
        }
      }
    }
    throw new AssertionError("no object");
  }

  @Test
  void overlappingObjectsCombineByMaximum() {
    INDArray two = Nd4j.create(new float[] {0.25f, 0.75f}, new long[] {2, 1, 1, 1}, DataType.FLOAT);
    // 1x1 objects on a 3x3 canvas: they meet often; a pixel never exceeds the brighter one
    MovingFashionMnist gen = MovingFashionMnist.builder(two).objects(2).canvas(3).speed(1, 2)
        .frames(5).sequences(200).build();
    INDArray all = gen.get(java.util.stream.LongStream.range(0, 200).toArray());
    assertTrue(all.maxNumber().doubleValue() <= 0.75);
    double[] values = all.data().asDouble();
    for (double v : values) {
      assertTrue(v == 0 || v == 0.25 || v == 0.75, "value " + v);
    }
  }

  /**
   * 1x1 images on a 1x1 canvas, so each frame is the drawn image's value: 8-bit levels k/255 and,
   * in a pool that also holds other values (past the first 1,024 images, where the generator stops
   * storing one byte per pixel), every value comes back exactly.
   */
  @Test
  void everyPixelValueComesBackExactlyWhetherOrNotItIsAnEightBitLevel() {
    for (boolean eightBit : new boolean[] {true, false}) {
      int n = 1500;
      float[] values = new float[n];
      int[] index = new int[n];
      for (int i = 0; i < n; i++) {
        values[i] = (i % 256) / 255f;
        index[i] = i;
      }
      if (!eightBit) {
        values[1400] = 0.3337f;
        values[1401] = 1e-7f;
      }
      MovingFashionMnist gen = MovingFashionMnist.builder(Nd4j.create(values, new long[] {n, 1, 1, 1}, DataType.FLOAT))
          .labels(index).objects(1).canvas(1).speed(0, 0).frames(2).sequences(20_000).build();
      INDArray all = gen.get(java.util.stream.LongStream.range(0, 20_000).toArray());
      boolean sawOddValues = false;
      for (int s = 0; s < 20_000; s++) {
        int drawn = gen.objectClasses(s)[0];
        assertEquals(values[drawn], all.getFloat(s, 0, 0, 0, 0), "sequence " + s + ", image " + drawn);
        sawOddValues |= drawn == 1400 || drawn == 1401;
      }
      assertTrue(eightBit || sawOddValues, "20,000 draws from 1,500 images should include images 1400-1401");
    }
  }

  /** 8-bit pixels given as UBYTE make the same sequences as the same images scaled to floats. */
  @Test
  void eightBitPixelsMakeTheSameSequencesAsScaledImages() {
    java.util.Random r = new java.util.Random(3);
    byte[] bytes = new byte[30 * 28 * 28];
    r.nextBytes(bytes);
    float[] scaled = new float[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      scaled[i] = (bytes[i] & 0xff) / 255f;
    }
    INDArray pixels = Nd4j.create(Nd4j.createTypedBuffer(bytes, DataType.UBYTE), 30, 1, 28, 28);
    INDArray floats = Nd4j.create(scaled, new long[] {30, 1, 28, 28}, DataType.FLOAT);
    long[] idx = {0, 5, 99};
    INDArray fromPixels = MovingFashionMnist.builder(pixels).seed(4).sequences(100).build().get(idx);
    assertEquals(MovingFashionMnist.builder(floats).seed(4).sequences(100).build().get(idx), fromPixels);
    assertEquals(DataType.FLOAT, fromPixels.dataType());
    assertTrue(fromPixels.maxNumber().floatValue() > 0.9f, "bytes read unsigned");
  }

  @Test
  void badInputIsRejectedWithTheValueAndAFix() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> MovingFashionMnist.builder(Nd4j.zeros(DataType.FLOAT, 2, 28, 20)).build());
    assertTrue(e.getMessage().contains("[2, 28, 20]"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> MovingFashionMnist.builder(Nd4j.ones(DataType.FLOAT, 1, 28, 28).muli(255)).build());
    assertTrue(e.getMessage().contains("255"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> MovingFashionMnist.builder(pool(1, 1)).canvas(20).build());
    assertTrue(e.getMessage().contains("canvas") && e.getMessage().contains("20"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> MovingFashionMnist.builder(pool(1, 1)).frames(1).build());
    assertThrows(IndexOutOfBoundsException.class,
        () -> MovingFashionMnist.builder(pool(1, 1)).sequences(3).build().get(new long[] {3}));
  }

  /**
   * Images whose pixel value encodes their index, so the class the generator reports can be checked
   * against the image it actually drew into the first frame.
   */
  @Test
  void objectClassesAreTheClassesOfTheDrawnImages() {
    int n = 7;
    INDArray images = Nd4j.zeros(DataType.FLOAT, n, 1, 4, 4);
    int[] classes = new int[n];
    for (int k = 0; k < n; k++) {
      images.get(org.nd4j.linalg.indexing.NDArrayIndex.point(k)).assign((k + 1) / 10.0);
      classes[k] = (3 * k) % 5;
    }
    MovingFashionMnist gen = MovingFashionMnist.builder(images).labels(classes).objects(1).canvas(8).speed(1, 2)
        .frames(3).sequences(40).build();
    int[] clip = gen.clipClasses();
    assertEquals(40, clip.length);
    java.util.Set<Integer> seen = new java.util.TreeSet<>();
    for (int i = 0; i < 40; i++) {
      double v = gen.sequence(i).maxNumber().doubleValue();
      int drawn = (int) Math.round(v * 10) - 1;
      assertEquals(classes[drawn], clip[i], "sequence " + i);
      assertArrayEquals(new int[] {classes[drawn]}, gen.objectClasses(i));
      seen.add(clip[i]);
    }
    assertTrue(seen.size() >= 4, "classes seen " + seen);
    // with two objects: both classes, in drawing order, first one = clip class
    MovingFashionMnist two = MovingFashionMnist.builder(images).labels(classes).canvas(8).speed(1, 2).build();
    assertEquals(2, two.objectClasses(5).length);
    assertEquals(two.objectClasses(5)[0], two.clipClasses()[5]);
    var e = assertThrows(IllegalStateException.class,
        () -> MovingFashionMnist.builder(images).canvas(8).speed(1, 2).build().clipClasses());
    assertTrue(e.getMessage().contains("labels(classes)"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> MovingFashionMnist.builder(images).labels(new int[3]).build());
  }
}
