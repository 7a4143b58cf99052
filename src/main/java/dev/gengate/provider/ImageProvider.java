package dev.gengate.provider;

/**
 * A back end that turns a prompt into images. {@link #generate} starts the work and returns at once; the call's
 * future ends with the images or an {@link dev.gengate.common.AppError} (PROVIDER_ERROR for the back end's own
 * failures), and {@link ProviderCall#cancel()} aborts it (timer, worker result or HTTP request alike).
 * Implementations are used from one event loop and never block it.
 */
public interface ImageProvider {
  ProviderCall generate(ImageRequest request);
}
