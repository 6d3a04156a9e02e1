package org.maskprop.cli;

import static org.maskprop.cli.CliRun.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command's contract: help for every subcommand, exit code 2 with one line on bad input. */
class MaskPropCliTest {
  @TempDir Path dir;



  @Test
  void everySubcommandHasHelp() {
    CommandLine cl = MaskPropCli.commandLine();
    List<String> names = List.copyOf(cl.getSubcommands().keySet());
    assertTrue(names.containsAll(List.of("synth", "eval", "bench", "demo")), names.toString());
    for (String name : names) {
      if (name.equals("help")) {
        continue;
      }
      CliRun r = run(name, "--help");
      assertEquals(0, r.code(), name);
      assertTrue(r.out().contains("Usage: maskprop " + name), name + ": " + r.out());
    }
    CliRun bench = run("bench", "ops", "--help");
    assertEquals(0, bench.code());
    assertTrue(bench.out().contains("Usage: maskprop bench ops"));
  }

  @Test
  void unknownOptionIsExitTwoWithOneLine() {
    CliRun r = run("eval", "--gt", "g.json", "--results", "r.json", "--no-such-option");
    assertEquals(2, r.code());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains("--no-such-option"));
  }

  @Test
  void missingInputFileIsExitTwoNamingTheFile() {
    Path gt = dir.resolve("nope-gt.json");
    CliRun r = run("eval", "--gt", gt.toString(), "--results", dir.resolve("r.json").toString());
    assertEquals(2, r.code(), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains("nope-gt.json"), r.err());
    assertFalse(r.err().contains("\tat "), r.err());
  }
}
