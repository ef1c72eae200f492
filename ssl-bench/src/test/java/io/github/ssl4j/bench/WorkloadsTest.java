package io.github.ssl4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.ssl4j.tasks.contrastive.augment.ColorJitter;
import io.github.ssl4j.tasks.contrastive.augment.Compose;
import io.github.ssl4j.tasks.contrastive.augment.ImageAugmentation;
import io.github.ssl4j.tasks.contrastive.augment.RandomResizedCrop;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkloadsTest {

  @Test
  void subPixelViewsDifferFromSimclrOnlyInCropPlacementAndJitterOrder() {
    List<ImageAugmentation> simclr = Compose.simclr().steps();
    assertEquals(List.of(
        new RandomResizedCrop(0.5, 1.0, 0.75, 4.0 / 3.0, RandomResizedCrop.Placement.SUB_PIXEL),
        simclr.get(1),
        new ColorJitter(0.4, 0.4, 0.8, false),
        simclr.get(3)), Workloads.w1SubPixelViews().steps());
  }

  @Test
  void w1IsSimclrOnTheSmallCnn() {
    assertEquals(0.5, Workloads.w1Task().temperature());
    assertEquals(128, Workloads.w1Encoder().outputType().arrayElementsPerExample());
  }

  @Test
  void unknownWorkloadIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> Workloads.of("W5", null, 0));
  }
}
