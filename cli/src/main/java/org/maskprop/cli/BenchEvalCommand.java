package org.maskprop.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "eval", mixinStandardHelpOptions = true, description = "(being built)")
final class BenchEvalCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.err.println("maskprop bench eval: not built yet");
    return 1;
  }
}
