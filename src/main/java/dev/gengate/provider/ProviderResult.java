package dev.gengate.provider;

import java.util.List;

/** What a provider produced: at least one image, each either a URL of its own or bytes for the service to store. */
public record ProviderResult(List<Image> images) {

  /** Exactly one of {@code url} and {@code content} is set. */
  public record Image(String url, String contentType, byte[] content) {
    public static Image remote(String url) {
      return new Image(url, null, null);
    }

    public static Image stored(String contentType, byte[] content) {
      return new Image(null, contentType, content);
    }

    public boolean isStored() {
      return content != null;
    }
  }
}
