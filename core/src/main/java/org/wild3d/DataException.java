package org.wild3d;

/** A bad or incompatible dataset, image or checkpoint (exit code 4). */
public class DataException extends Wild3dException {
  public DataException(String message) {
    super(EXIT_DATA, message);
  }

  public DataException(String message, Throwable cause) {
    super(EXIT_DATA, message, cause);
  }
}
