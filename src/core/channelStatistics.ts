/**
 * Per-channel mean and standard deviation of 8-bit RGB images, the statistics a dataset is normalised with.
 * Shared by the CIFAR archive import and the image-folder import. Pure.
 */
/** Red, green, blue. */
type Rgb = readonly [number, number, number];

/** Per-channel mean and standard deviation in [0, 1] units, exact, from a histogram of each channel. */
export function channelStatistics(images: Uint8Array): { mean: Rgb; std: Rgb } {
  const histogram = new Float64Array(3 * 256);
  for (let at = 0; at < images.length; at += 3) {
    histogram[images[at]!]!++;
    histogram[256 + images[at + 1]!]!++;
    histogram[512 + images[at + 2]!]!++;
  }
  const pixels = images.length / 3;
  const mean: [number, number, number] = [0, 0, 0];
  const std: [number, number, number] = [0, 0, 0];
  for (let channel = 0; channel < 3; channel++) {
    let sum = 0;
    let squares = 0;
    for (let value = 0; value < 256; value++) {
      const count = histogram[channel * 256 + value]!;
      sum += count * value;
      squares += count * value * value;
    }
    const average = sum / pixels;
    mean[channel] = average / 255;
    // Floored at one grey level: only constant images get there, and normalising divides by it.
    std[channel] = Math.max(Math.sqrt(Math.max(squares / pixels - average * average, 0)), 1) / 255;
  }
  return { mean, std };
}
