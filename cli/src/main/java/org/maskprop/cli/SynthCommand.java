package org.maskprop.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "synth", mixinStandardHelpOptions = true, description = "(being built in the foundation issue)")
final class SynthCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.err.println("maskprop synth: not built yet");
    return 1;
  }
}
