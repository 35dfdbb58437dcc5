package org.wild3d.viz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GridTest {
  @TempDir Path dir;

  @Test
  void tilesLandAtTheirCellsWithPaddingAndValuesMapToBytes() throws Exception {
    float[] red = new float[2 * 3 * 3];
    float[] grey = new float[2 * 3];
    for (int i = 0; i < 6; i++) {
      red[i * 3] = 1f;
      red[i * 3 + 1] = -1f;
      red[i * 3 + 2] = -1f;
      grey[i] = 0f;
    }
    BufferedImage img = Grid.assemble(new float[][] {red, red, red, red}, 2, 2, 2, 3, 3, 1);
    assertThat(img.getWidth()).isEqualTo(2 * 3 + 1);
    assertThat(img.getHeight()).isEqualTo(2 * 2 + 1);
    assertThat(img.getRGB(0, 0) & 0xffffff).isEqualTo(0xff0000);
    assertThat(img.getRGB(3, 0) & 0xffffff).isEqualTo(0x000000); // padding column
    assertThat(img.getRGB(4, 3) & 0xffffff).isEqualTo(0xff0000);
    BufferedImage g = Grid.assemble(new float[][] {grey}, 1, 1, 2, 3, 1, 0);
    assertThat(g.getRGB(1, 1) & 0xffffff).isEqualTo(0x808080); // 0 → 127.5 → 128
    Path png = dir.resolve("a/grid.png");
    Grid.writePng(img, png);
    BufferedImage back = ImageIO.read(png.toFile());
    assertThat(back.getRGB(4, 3) & 0xffffff).isEqualTo(0xff0000);
    assertThatThrownBy(() -> Grid.assemble(new float[][] {red}, 2, 2, 2, 3, 3, 0))
        .hasMessageContaining("expected 4 tiles, found 1");
  }

  @Test
  void gifHasAllFramesInOrder() throws Exception {
    BufferedImage a = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
    BufferedImage b = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 8; x++) {
        b.setRGB(x, y, 0xffffff);
      }
    }
    Path gif = dir.resolve("orbit.gif");
    Gif.write(List.of(a, b, a), 100, gif);
    ImageReader r = ImageIO.getImageReadersByFormatName("gif").next();
    try (ImageInputStream in = ImageIO.createImageInputStream(gif.toFile())) {
      r.setInput(in);
      assertThat(r.getNumImages(true)).isEqualTo(3);
      assertThat(r.read(1).getRGB(1, 1) & 0xf0f0f0).isEqualTo(0xf0f0f0);
      assertThat(r.read(0).getRGB(1, 1) & 0xffffff).isEqualTo(0);
    }
  }
}
