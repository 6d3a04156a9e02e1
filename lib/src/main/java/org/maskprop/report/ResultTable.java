package org.maskprop.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * A results table in the paper's layout: a text row-label column (methods, backbones, clip
 * lengths), possibly other text columns, then metric columns holding percentages (one decimal when
 * rendered; NaN = not available). The caption lines travel with the table into Markdown and HTML.
 *
 * @param title one line shown above the table
 * @param table the Tablesaw data: string columns, then double columns in percent
 * @param caption notes under the table (units, stand-ins, comparability)
 */
public record ResultTable(String title, Table table, List<String> caption) {
  /** Shown for a missing number. */
  public static final String NOT_AVAILABLE = "n/a";

  public ResultTable {
    caption = List.copyOf(caption);
  }

  /** A cell as rendered: a percentage with one decimal, or the text. */
  public String cell(int row, int column) {
    Column<?> c = table.column(column);
    if (c instanceof tech.tablesaw.api.DoubleColumn d) {
      double v = d.getDouble(row);
      return Double.isNaN(v) ? NOT_AVAILABLE : String.format(Locale.ROOT, "%.1f", v);
    }
    return c.getString(row);
  }

  private boolean numeric(int column) {
    return table.column(column) instanceof tech.tablesaw.api.NumericColumn<?>;
  }

  /**
   * GitHub/CommonMark Markdown: a bold title, a pipe table (numbers right-aligned) and the caption
   * as a bullet list. Cell text is escaped so that no value can break the table or inject markup.
   */
  public String toMarkdown() {
    StringBuilder sb = new StringBuilder();
    sb.append("**").append(Escape.markdown(title)).append("**\n\n|");
    for (String name : table.columnNames()) {
      sb.append(' ').append(Escape.markdown(name)).append(" |");
    }
    sb.append("\n|");
    for (int c = 0; c < table.columnCount(); c++) {
      sb.append(numeric(c) ? "---:|" : "---|");
    }
    sb.append('\n');
    for (int r = 0; r < table.rowCount(); r++) {
      sb.append('|');
      for (int c = 0; c < table.columnCount(); c++) {
        sb.append(' ').append(Escape.markdown(cell(r, c))).append(" |");
      }
      sb.append('\n');
    }
    if (!caption.isEmpty()) {
      sb.append('\n');
      for (String line : caption) {
        sb.append("- ").append(Escape.markdown(line)).append('\n');
      }
    }
    return sb.toString();
  }

  /** An HTML fragment: {@code <table>} with caption, header and body, then the notes as a list. */
  public String toHtml() {
    StringBuilder sb = new StringBuilder();
    sb.append("<table class=\"maskprop-results\">\n<caption>").append(Escape.html(title)).append("</caption>\n");
    sb.append("<thead><tr>");
    for (int c = 0; c < table.columnCount(); c++) {
      sb.append(numeric(c) ? "<th class=\"num\">" : "<th>").append(Escape.html(table.column(c).name())).append("</th>");
    }
    sb.append("</tr></thead>\n<tbody>\n");
    for (int r = 0; r < table.rowCount(); r++) {
      sb.append("<tr>");
      for (int c = 0; c < table.columnCount(); c++) {
        sb.append(numeric(c) ? "<td class=\"num\">" : "<td>").append(Escape.html(cell(r, c))).append("</td>");
      }
      sb.append("</tr>\n");
    }
    sb.append("</tbody>\n</table>\n");
    if (!caption.isEmpty()) {
      sb.append("<ul class=\"notes\">\n");
      for (String line : caption) {
        sb.append("<li>").append(Escape.html(line)).append("</li>\n");
      }
      sb.append("</ul>\n");
    }
    return sb.toString();
  }

  /** The rendered cells of one column (for tests and notebooks). */
  public List<String> columnCells(String name) {
    int c = table.columnIndex(name);
    List<String> out = new ArrayList<>();
    for (int r = 0; r < table.rowCount(); r++) {
      out.add(cell(r, c));
    }
    return out;
  }

  /** Escaping for the two output languages. */
  static final class Escape {
    private Escape() {}

    /** CommonMark backslash escapes for every character that could start markup or end a cell. */
    static String markdown(String s) {
      StringBuilder sb = new StringBuilder(s.length() + 8);
      for (int i = 0; i < s.length(); i++) {
        char ch = s.charAt(i);
        switch (ch) {
          case '\\', '|', '*', '_', '`', '[', ']', '<', '>', '#', '!' -> sb.append('\\').append(ch);
          case '\n', '\r', '\t' -> sb.append(' ');
          default -> sb.append(ch);
        }
      }
      return sb.toString();
    }

    static String html(String s) {
      StringBuilder sb = new StringBuilder(s.length() + 8);
      for (int i = 0; i < s.length(); i++) {
        char ch = s.charAt(i);
        switch (ch) {
          case '&' -> sb.append("&amp;");
          case '<' -> sb.append("&lt;");
          case '>' -> sb.append("&gt;");
          case '"' -> sb.append("&quot;");
          case '\'' -> sb.append("&#39;");
          default -> sb.append(ch);
        }
      }
      return sb.toString();
    }
  }
}
