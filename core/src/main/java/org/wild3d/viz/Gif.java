package org.wild3d.viz;

import static com.google.common.base.Preconditions.checkArgument;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import org.wild3d.AtomicFiles;

/** Looping animated GIFs (orbits) through javax.imageio's GIF writer and its metadata. */
public final class Gif {
  private Gif() {}

  /** Writes {@code frames} as a looping GIF with {@code delayMs} per frame, atomically. */
  public static void write(List<BufferedImage> frames, int delayMs, Path file) {
    checkArgument(!frames.isEmpty(), "gif: expected at least one frame, found none");
    try {
      AtomicFiles.write(file, stream -> {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(stream)) {
          writer.setOutput(out);
          writer.prepareWriteSequence(null);
          for (BufferedImage frame : frames) {
            // Index against the standard 256-colour palette ourselves: the JDK's palette builder
            // loses colours on small images.
            BufferedImage rgb =
                new BufferedImage(frame.getWidth(), frame.getHeight(), BufferedImage.TYPE_BYTE_INDEXED);
            rgb.getGraphics().drawImage(frame, 0, 0, null);
            IIOMetadata meta =
                writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(rgb), null);
            String format = meta.getNativeMetadataFormatName();
            IIOMetadataNode root = (IIOMetadataNode) meta.getAsTree(format);
            IIOMetadataNode gce = child(root, "GraphicControlExtension");
            gce.setAttribute("disposalMethod", "none");
            gce.setAttribute("userInputFlag", "FALSE");
            gce.setAttribute("transparentColorFlag", "FALSE");
            gce.setAttribute("delayTime", Integer.toString(Math.max(1, delayMs / 10)));
            gce.setAttribute("transparentColorIndex", "0");
            IIOMetadataNode apps = child(root, "ApplicationExtensions");
            IIOMetadataNode app = new IIOMetadataNode("ApplicationExtension");
            app.setAttribute("applicationID", "NETSCAPE");
            app.setAttribute("authenticationCode", "2.0");
            app.setUserObject(new byte[] {1, 0, 0}); // loop forever
            apps.appendChild(app);
            meta.setFromTree(format, root);
            writer.writeToSequence(new IIOImage(rgb, null, meta), null);
          }
          writer.endWriteSequence();
        } finally {
          writer.dispose();
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + file, e);
    }
  }

  private static IIOMetadataNode child(IIOMetadataNode root, String name) {
    for (int i = 0; i < root.getLength(); i++) {
      if (root.item(i).getNodeName().equalsIgnoreCase(name)) {
        return (IIOMetadataNode) root.item(i);
      }
    }
    IIOMetadataNode node = new IIOMetadataNode(name);
    root.appendChild(node);
    return node;
  }
}
