package org.maskprop.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "demo", mixinStandardHelpOptions = true, description = "(being built in the foundation issue)")
final class DemoCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.err.println("maskprop demo: not built yet");
    return 1;
  }
}
