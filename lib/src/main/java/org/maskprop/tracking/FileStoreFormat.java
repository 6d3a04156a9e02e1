package org.maskprop.tracking;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The text forms MLflow 2.17.2's file store writes, so that our trees match its own byte for byte
 * where it matters: meta.yaml as PyYAML's {@code safe_dump(default_flow_style=False,
 * sort_keys=True)} writes a flat map, metric values as Python's {@code str(float)}, and artifact
 * locations as {@code pathlib.Path.as_uri()}.
 */
final class FileStoreFormat {
  private FileStoreFormat() {}

  // PyYAML's implicit resolvers (YAML 1.1): a plain scalar matching one of these would read back as a
  // non-string, so PyYAML single-quotes such strings (hence experiment_id: '0').
  private static final Pattern YAML_BOOL = Pattern.compile(
      "yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF");
  private static final Pattern YAML_NULL = Pattern.compile("~|null|Null|NULL");
  private static final Pattern YAML_INT = Pattern.compile(
      "[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+"
          + "|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+");
  private static final Pattern YAML_FLOAT = Pattern.compile(
      "[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?|\\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
          + "|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN)");
  private static final Pattern YAML_TIMESTAMP = Pattern.compile("[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?.*");
  private static final String YAML_INDICATORS = "-?:,[]{}#&*!|>'\"%@`";

  /**
   * A flat map as PyYAML's block style writes it, keys sorted. Values: String, Integer/Long, null
   * or an empty List (MLflow keeps {@code tags: []} in run meta.yaml for old readers).
   */
  static String yaml(Map<String, ?> map) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, ?> e : new TreeMap<>(map).entrySet()) {
      String prefix = e.getKey() + ": ";
      Object v = e.getValue();
      sb.append(prefix).append(v instanceof String str ? folded(str, prefix.length()) : yamlValue(v)).append('\n');
    }
    return sb.toString();
  }

  private static String yamlValue(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof Integer || v instanceof Long) {
      return v.toString();
    }
    if (v instanceof List<?> list && list.isEmpty()) {
      return "[]";
    }
    if (v instanceof String s) {
      return yamlString(s);
    }
    throw new IllegalArgumentException("meta.yaml value of unsupported type " + v.getClass());
  }

  static String yamlString(String s) {
    boolean printable = s.codePoints().allMatch(c -> c >= 0x20 && c != 0x7f);
    if (!printable) {
      return doubleQuoted(s);
    }
    boolean plain = !s.isEmpty()
        && !YAML_BOOL.matcher(s).matches()
        && !YAML_NULL.matcher(s).matches()
        && !YAML_INT.matcher(s).matches()
        && !YAML_FLOAT.matcher(s).matches()
        && !YAML_TIMESTAMP.matcher(s).matches()
        && !s.equals("<<") && !s.equals("=")
        && !startsWithIndicator(s)
        && !Character.isWhitespace(s.charAt(0))
        && !Character.isWhitespace(s.charAt(s.length() - 1))
        && !s.contains(": ") && !s.contains(" #") && !s.endsWith(":");
    return plain ? s : "'" + s.replace("'", "''") + "'";
  }

  /** PyYAML: '-', '?' and ':' start a plain scalar unless a space (or the end) follows; the others never do. */
  private static boolean startsWithIndicator(String s) {
    char c = s.charAt(0);
    if (c == '-' || c == '?' || c == ':') {
      return s.length() == 1 || Character.isWhitespace(s.charAt(1));
    }
    return YAML_INDICATORS.indexOf(c) >= 0;
  }

  /** PyYAML's emitter width: plain and single-quoted scalars break at a single space past this column. */
  private static final int YAML_WIDTH = 80;

  /**
   * A string value as PyYAML writes it after {@code prefixColumns} characters of {@code key: }:
   * plain or single-quoted as {@link #yamlString}, folded like PyYAML's {@code write_plain} and
   * {@code write_single_quoted}: a lone space met when the column is past 80 becomes a line break
   * and a two-space indent (the value reads back unchanged).
   */
  static String folded(String s, int prefixColumns) {
    String form = yamlString(s);
    boolean quoted = form.startsWith("'");
    if (form.startsWith("\"") || (!quoted && !form.equals(s))) {
      return form; // double-quoted (control characters): not folded here
    }
    StringBuilder out = new StringBuilder();
    int column = prefixColumns;
    if (quoted) {
      out.append('\'');
      column++;
    }
    int i = 0;
    while (i < s.length()) {
      int j = i;
      if (s.charAt(i) == ' ') {
        while (j < s.length() && s.charAt(j) == ' ') {
          j++;
        }
        boolean lone = j == i + 1;
        boolean inside = !quoted || (i != 0 && j != s.length());
        if (lone && inside && column > YAML_WIDTH) {
          out.append("\n  ");
          column = 2;
        } else {
          out.append(s, i, j);
          column += j - i;
        }
      } else {
        while (j < s.length() && s.charAt(j) != ' ') {
          j++;
        }
        String word = s.substring(i, j);
        String written = quoted ? word.replace("'", "''") : word;
        out.append(written);
        column += written.codePointCount(0, written.length());
      }
      i = j;
    }
    if (quoted) {
      out.append('\'');
    }
    return out.toString();
  }

  private static String doubleQuoted(String s) {
    StringBuilder sb = new StringBuilder("\"");
    s.codePoints().forEach(c -> {
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            sb.append(String.format("\\x%02X", c));
          } else {
            sb.appendCodePoint(c);
          }
        }
      }
    });
    return sb.append('"').toString();
  }

  /**
   * Python's {@code str(float)} ({@code repr}): the shortest digits that round-trip, fixed notation
   * for decimal exponents in [-4, 16), otherwise {@code d.ddde±XX}; {@code nan}, {@code inf},
   * {@code -inf}. MLflow appends metric lines with it, so {@code 1.0}, {@code 1e-05}.
   */
  static String pythonFloat(double v) {
    if (Double.isNaN(v)) {
      return "nan";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "inf" : "-inf";
    }
    String sign = (v < 0 || (v == 0 && 1 / v < 0)) ? "-" : "";
    if (v == 0) {
      return sign + "0.0";
    }
    // JDK 19+ Double.toString gives the shortest round-trip digits, as Python's repr does.
    BigDecimal d = new BigDecimal(Double.toString(Math.abs(v))).stripTrailingZeros();
    if (d.precision() == 2) {
      // Java prints at least two digits and then picks the closest (4.9E-324); Python may need one (5e-324).
      BigDecimal one = d.round(new java.math.MathContext(1, java.math.RoundingMode.HALF_EVEN));
      if (one.doubleValue() == Math.abs(v)) {
        d = one.stripTrailingZeros();
      }
    }
    String digits = d.unscaledValue().toString();
    int n = digits.length();
    int decpt = n - d.scale(); // value = 0.digits * 10^decpt
    if (decpt <= -4 || decpt > 16) {
      int exp = decpt - 1;
      String mant = n == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
      String e = String.format("%02d", Math.abs(exp));
      return sign + mant + "e" + (exp < 0 ? "-" : "+") + e;
    }
    if (decpt <= 0) {
      return sign + "0." + "0".repeat(-decpt) + digits;
    }
    if (decpt >= n) {
      return sign + digits + "0".repeat(decpt - n) + ".0";
    }
    return sign + digits.substring(0, decpt) + "." + digits.substring(decpt);
  }

  /** Python's {@code pathlib.Path(p).as_uri()} for an absolute POSIX path. */
  static String fileUri(Path path) {
    String p = path.toAbsolutePath().normalize().toString().replace('\\', '/');
    if (!p.startsWith("/")) {
      p = "/" + p; // Windows drive paths
    }
    StringBuilder sb = new StringBuilder("file://");
    for (byte b : p.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '_' || c == '.' || c == '-' || c == '~' || c == '/') {
        sb.append((char) c);
      } else {
        sb.append('%').append(String.format("%02X", c));
      }
    }
    return sb.toString();
  }

  /** Inverse of {@link #fileUri} (also accepts {@code file:/p} and {@code file:p}). */
  static Path pathOfFileUri(String uri) {
    String rest = uri.substring("file:".length());
    if (rest.startsWith("//")) {
      rest = rest.substring(2);
      int slash = rest.indexOf('/');
      rest = slash < 0 ? "/" : rest.substring(slash); // drop an authority such as localhost
    }
    return Path.of(java.net.URLDecoder.decode(rest.replace("+", "%2B"), StandardCharsets.UTF_8));
  }
}
