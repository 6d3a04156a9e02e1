package org.maskprop.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "ops", mixinStandardHelpOptions = true, description = "(being built)")
final class BenchOpsCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.err.println("maskprop bench ops: not built yet");
    return 1;
  }
}
