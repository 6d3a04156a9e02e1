package org.maskprop.dataprep.custom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.IndexColorModel;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskprop.InputException;

class IdMaskTest {
  @TempDir Path tmp;

  @Test
  void paletteMasksGiveTheRawIndexNotTheColour() throws Exception {
    Path p = tmp.resolve("m.png");
    int[] ids = CustomTree.walk(1);
    CustomTree.writeIndexed(p, CustomTree.W, CustomTree.H, ids, 8);
    // the file really is a palette PNG whose index 2 is drawn black like the background
    var img = ImageIO.read(p.toFile());
    assertTrue(img.getColorModel() instanceof IndexColorModel);
    assertEquals(img.getRGB(0, 0), img.getRGB(6, 4));
    IdMask m = IdMask.read(p);
    assertEquals(CustomTree.W, m.width());
    assertEquals(CustomTree.H, m.height());
    assertArrayEquals(ids, m.ids());
  }

  @Test
  void fourBitPaletteAndGrayscale() throws Exception {
    int[] ids = CustomTree.swim(0);
    ids[0] = 15; // the largest 4-bit index
    CustomTree.writeIndexed(tmp.resolve("p4.png"), CustomTree.W, CustomTree.H, ids, 4);
    assertArrayEquals(ids, IdMask.read(tmp.resolve("p4.png")).ids());
    int[] gray = CustomTree.walk(2);
    gray[3] = 200;
    CustomTree.writeGray(tmp.resolve("g.png"), CustomTree.W, CustomTree.H, gray);
    assertArrayEquals(gray, IdMask.read(tmp.resolve("g.png")).ids());
  }

  @Test
  void rgbMissingAndUnreadableMasksAreInputErrors() throws Exception {
    CustomTree.writeRgb(tmp.resolve("rgb.png"), 4, 3);
    InputException rgb = assertThrows(InputException.class, () -> IdMask.read(tmp.resolve("rgb.png")));
    assertTrue(rgb.getMessage().startsWith(tmp.resolve("rgb.png") + ": mask has 3 channels"),
        rgb.getMessage());
    InputException missing = assertThrows(InputException.class,
        () -> IdMask.read(tmp.resolve("none.png")));
    assertTrue(missing.getMessage().endsWith("none.png: mask file not found"));
    Files.writeString(tmp.resolve("junk.png"), "junk");
    InputException junk = assertThrows(InputException.class, () -> IdMask.read(tmp.resolve("junk.png")));
    assertTrue(junk.getMessage().contains("junk.png: not a readable image"), junk.getMessage());
  }
}
