package org.wild3d.image;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResizeTest {
  private static RgbImage constant(int w, int h, int v) {
    byte[] px = new byte[w * h * 3];
    java.util.Arrays.fill(px, (byte) v);
    return new RgbImage(w, h, px);
  }

  @Test
  void constantImagesStayConstantAtAnySize() {
    RgbImage out = Resize.lanczos(constant(37, 23, 173), 8, 5);
    for (byte b : out.rgb()) {
      assertThat(b & 0xff).isEqualTo(173);
    }
    assertThat(Resize.lanczos(constant(5, 5, 9), 16, 16).get(7, 7, 1)).isEqualTo(9);
  }

  /** A 1-pixel checkerboard halved is flat grey: the filter removes what cannot be represented. */
  @Test
  void minificationIsAntiAliased() {
    byte[] px = new byte[64 * 64 * 3];
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        java.util.Arrays.fill(px, (y * 64 + x) * 3, (y * 64 + x) * 3 + 3,
            (byte) (((x + y) & 1) == 0 ? 255 : 0));
      }
    }
    RgbImage out = Resize.lanczos(new RgbImage(64, 64, px), 16, 16);
    for (int y = 2; y < 14; y++) {
      for (int x = 2; x < 14; x++) {
        assertThat(out.get(y, x, 0)).isBetween(126, 129);
      }
    }
  }

  @Test
  void centreCropTakesTheMiddleSquare() {
    byte[] px = new byte[6 * 2 * 3];
    for (int x = 0; x < 6; x++) {
      px[x * 3] = (byte) x;
      px[(6 + x) * 3] = (byte) x;
    }
    RgbImage c = Resize.centerCropSquare(new RgbImage(6, 2, px));
    assertThat(c.width()).isEqualTo(2);
    assertThat(c.get(0, 0, 0)).isEqualTo(2);
    assertThat(c.get(1, 1, 0)).isEqualTo(3);
  }

  @Test
  void pngEncoderRoundTripsThroughImageIo() throws Exception {
    byte[] px = new byte[13 * 7 * 3];
    new java.util.Random(4).nextBytes(px);
    RgbImage img = new RgbImage(13, 7, px);
    byte[] png = Images.encodePng(img);
    java.awt.image.BufferedImage read =
        javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png));
    assertThat(Images.toRgb(read, "x")).isEqualTo(img);
    assertThat(Images.pngSize(png)).containsExactly(13, 7);
  }
}
