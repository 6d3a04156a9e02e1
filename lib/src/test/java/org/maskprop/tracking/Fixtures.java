package org.maskprop.tracking;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** The MLflow 2.17.2 fixtures copied from /work/shared/mlflow-fixtures into test resources. */
final class Fixtures {
  private Fixtures() {}

  static Path resource(String name) {
    try {
      return Path.of(Fixtures.class.getResource("/mlflow/" + name).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("missing test resource mlflow/" + name, e);
    }
  }

  /** mlruns/ written by MLflow 2.17.2 (see file-store-2.17.2.how.py). */
  static Path fileStore() {
    return resource("file-store-2.17.2");
  }

  static Path restTranscript() {
    return resource("rest-transcript-2.17.2.txt");
  }

  static final String FIXTURE_ROOT_URI = "file:///home/researcher/project/mlruns";
  static final String FIXTURE_EXPERIMENT = "899323017893091499";
  static final String FIXTURE_PARENT = "d31659d201c046b0989ec02342d56e7c";
  static final String FIXTURE_CHILD = "e4db6b050c964e1fbaf0c26743ed6e23";
}
