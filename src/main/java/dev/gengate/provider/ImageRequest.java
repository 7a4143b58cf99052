package dev.gengate.provider;

import java.time.Duration;
import java.util.UUID;

/** One generation to run: {@code timeout} is the time left until its deadline. */
public record ImageRequest(UUID generationId, String prompt, ImageParams params, Duration timeout) {}
