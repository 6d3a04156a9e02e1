package org.maskprop;

/**
 * Bad user input: a malformed file, a missing frame, an RLE that disagrees with its video, a config
 * key that does not exist. The message is one line naming the file, the field, the id and the frame
 * where they apply; the CLI prints it as is and exits with code 2 (no stack trace).
 */
public class InputException extends RuntimeException {
  public InputException(String message) {
    super(message);
  }

  public InputException(String message, Throwable cause) {
    super(message, cause);
  }
}
