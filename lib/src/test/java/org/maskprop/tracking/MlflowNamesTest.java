package org.maskprop.tracking;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MlflowNamesTest {

  @Test
  void normpathAgreesWithPythonPosixpath() {
    // posixpath.normpath results
    assertEquals("a/b", MlflowNames.posixNormpath("a//b"));
    assertEquals("a", MlflowNames.posixNormpath("./a"));
    assertEquals("../a", MlflowNames.posixNormpath("../a"));
    assertEquals("b", MlflowNames.posixNormpath("a/../b"));
    assertEquals("/a", MlflowNames.posixNormpath("/a"));
    assertEquals("//a", MlflowNames.posixNormpath("//a"));
    assertEquals("/a", MlflowNames.posixNormpath("///a"));
    assertEquals(".", MlflowNames.posixNormpath("a/.."));
    assertEquals("a/b", MlflowNames.posixNormpath("a/b/"));
    assertEquals("..", MlflowNames.posixNormpath(".."));
  }

  @Test
  void keysFollowMlflowRules() {
    assertDoesNotThrow(() -> MlflowNames.checkKey("metric", "loss/mask head.v2-a b_c"));
    assertDoesNotThrow(() -> MlflowNames.checkKey("param", "model.backbone"));
    for (String bad : new String[] {"a:b", "a//b", "./a", "../a", "/a", "a/", "", "x=y", "a\nb"}) {
      assertThrows(TrackingException.class, () -> MlflowNames.checkKey("metric", bad), bad);
    }
    assertDoesNotThrow(() -> MlflowNames.checkKey("tag", "k".repeat(250)));
    assertThrows(TrackingException.class, () -> MlflowNames.checkKey("tag", "k".repeat(251)));
  }

  @Test
  void paramValuesAreLimitedTo6000Characters() {
    assertEquals("v".repeat(6000), MlflowNames.checkParam("p", "v".repeat(6000)));
    TrackingException e = assertThrows(TrackingException.class, () -> MlflowNames.checkParam("p", "v".repeat(6001)));
    assertTrue(e.getMessage().contains("6001") && e.getMessage().contains("6000"), e.getMessage());
    assertDoesNotThrow(() -> MlflowNames.checkTag("t", "v".repeat(5000)));
    assertThrows(TrackingException.class, () -> MlflowNames.checkTag("t", "v".repeat(5001)));
  }

  @Test
  void negativeTimestampsAreRejected() {
    assertThrows(TrackingException.class, () -> new Metric("loss", 1.0, -1, 0));
    assertDoesNotThrow(() -> new Metric("loss", Double.NaN, 0, -3));
  }
}
