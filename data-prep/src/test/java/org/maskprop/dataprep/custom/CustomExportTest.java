package org.maskprop.dataprep.custom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.IndexColorModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskprop.data.YtvisDataset;
import org.maskprop.data.YtvisDataset.Annotation;
import org.maskprop.dataprep.synth.SynthPreset;
import org.maskprop.dataprep.synth.SynthVis;
import org.maskprop.dataprep.synth.SynthVisSpec;

class CustomExportTest {
  @TempDir Path tmp;

  /** Export then {@link CustomConverter#convert} gives back the same videos, masks and categories. */
  @Test
  void roundTripThroughTheConverterKeepsMasksAndCategories() throws Exception {
    SynthVisSpec spec = new SynthVisSpec(SynthPreset.CROWDED, 3, 1, 1, 4, 32, 48, 5, 1);
    SynthVis.generate(spec, tmp.resolve("synth"), false);
    Path imageRoot = tmp.resolve("synth/train/JPEGImages");
    YtvisDataset d = YtvisDataset.read(tmp.resolve("synth/train.json"), imageRoot);
    Path in = tmp.resolve("custom");

    Path csv = CustomExport.write(d, imageRoot, List.of(2, 3), in);

    assertEquals(in.resolve("categories.csv"), csv);
    assertTrue(ImageIO.read(in.resolve("Annotations/00001/00000.png").toFile()).getColorModel()
        instanceof IndexColorModel, "masks are palette PNGs");
    assertTrue(Files.isRegularFile(in.resolve("JPEGImages/00002/00003.jpg")));
    List<String> warnings = new ArrayList<>();
    YtvisDataset back = CustomConverter.convert(
        in, InstanceCategories.read(csv, SynthVis.categories()), warnings, false);
    assertTrue(warnings.isEmpty(), warnings.toString());
    assertEquals(2, back.videos().size());
    for (int k = 0; k < 2; k++) {
      YtvisDataset.Video orig = d.videoById(k + 2);
      YtvisDataset.Video conv = back.videoById(k + 1);
      assertEquals(orig.fileNames(), conv.fileNames());
      assertEquals(orig.width(), conv.width());
      List<Annotation> a = d.annotationsOf(orig.id());
      List<Annotation> b = back.annotationsOf(conv.id());
      assertEquals(a.size(), b.size(), "instances of video " + orig.id());
      assertTrue(a.size() >= 2, "crowded videos have several instances");
      for (int i = 0; i < a.size(); i++) {
        assertEquals(a.get(i).categoryId(), b.get(i).categoryId());
        assertEquals(a.get(i).segmentations(), b.get(i).segmentations(), "masks of instance " + (i + 1));
      }
    }
  }

  /** The palette is PASCAL VOC's: index 1 dark red, 2 dark green, 3 olive, 0 black. */
  @Test
  void paletteIsTheVocOne() throws Exception {
    Path png = tmp.resolve("m.png");
    CustomExport.writePalettePng(png, new byte[] {0, 1, 2, 3}, 2, 2);
    IndexColorModel cm = (IndexColorModel) ImageIO.read(png.toFile()).getColorModel();
    assertEquals(0x000000, cm.getRGB(0) & 0xffffff);
    assertEquals(0x800000, cm.getRGB(1) & 0xffffff);
    assertEquals(0x008000, cm.getRGB(2) & 0xffffff);
    assertEquals(0x808000, cm.getRGB(3) & 0xffffff);
    assertEquals(List.of(0, 1, 2, 3), java.util.Arrays.stream(IdMask.read(png).ids()).boxed().toList());
  }
}
