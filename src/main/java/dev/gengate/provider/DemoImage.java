package dev.gengate.provider;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Renders the demo provider's picture of a prompt: a gradient in the prompt's colours, one translucent shape per
 * character, and a strip encoding the prompt's bytes, so different prompts visibly differ and the same prompt
 * always gives the same picture. Pure Java2D shapes, no fonts: works headless on a bare JDK. Blocking (CPU):
 * call it from a worker thread.
 */
final class DemoImage {
  static {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  private static final int MAX_SHAPES = 64;
  private static final float FAST_COMPRESSION = 0.9f;

  private DemoImage() {}

  static byte[] png(String prompt, int variant, int width, int height) {
    byte[] seed = sha256(prompt + "\u0000" + variant);
    Random random = new Random(ByteBuffer.wrap(seed).getLong());
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setPaint(new GradientPaint(0, 0, color(seed, 8), width, height, color(seed, 16)));
      g.fillRect(0, 0, width, height);
      int[] codePoints = prompt.codePoints().limit(MAX_SHAPES).toArray();
      int side = Math.min(width, height);
      for (int i = 0; i < codePoints.length; i++) {
        int cp = codePoints[i];
        float hue = (float) ((cp * 0.618034 + i * 0.037) % 1.0);
        Color base = Color.getHSBColor(hue, 0.55f + (cp % 5) * 0.08f, 0.95f);
        g.setColor(new Color(base.getRed(), base.getGreen(), base.getBlue(), 150));
        int size = (int) (side * (0.06 + (cp % 13) / 60.0));
        int x = random.nextInt(Math.max(1, width - size / 2)) - size / 4;
        int y = random.nextInt(Math.max(1, height * 9 / 10 - size / 2)) - size / 4;
        switch (cp % 3) {
          case 0 -> g.fillOval(x, y, size, size);
          case 1 -> g.fillRoundRect(x, y, size, size * 2 / 3, size / 5, size / 5);
          default -> g.fillPolygon(new int[] {x, x + size, x + size / 2}, new int[] {y + size, y + size, y}, 3);
        }
      }
      drawStrip(g, prompt.getBytes(StandardCharsets.UTF_8), width, height);
    } finally {
      g.dispose();
    }
    return encode(image);
  }

  /**
   * PNG with the fastest deflate level that still compresses (quality 0.9): ImageIO's default level took most of
   * the service's CPU in the benchmark, at twice the time for a file only a third smaller.
   */
  private static byte[] encode(BufferedImage image) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
    ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
    try (ImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(FAST_COMPRESSION);
      writer.setOutput(stream);
      writer.write(null, new IIOImage(image, null, null), param);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      writer.dispose();
    }
    return out.toByteArray();
  }

  /** The prompt's bytes as grey bars along the bottom: similar prompts still look different. */
  private static void drawStrip(Graphics2D g, byte[] bytes, int width, int height) {
    int top = height - Math.max(4, height / 12);
    int bars = Math.min(bytes.length, 128);
    g.setColor(Color.BLACK);
    g.fillRect(0, top, width, height - top);
    if (bars == 0) {
      return;
    }
    float barWidth = (float) width / bars;
    g.setStroke(new BasicStroke(1));
    for (int i = 0; i < bars; i++) {
      int shade = bytes[i] & 0xff;
      g.setColor(new Color(shade, 255 - shade, (shade * 7) & 0xff));
      g.fillRect(Math.round(i * barWidth), top + 1, Math.max(1, Math.round(barWidth) - 1), height - top - 2);
    }
  }

  private static Color color(byte[] seed, int offset) {
    return new Color(seed[offset] & 0xff, seed[offset + 1] & 0xff, seed[offset + 2] & 0xff);
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
