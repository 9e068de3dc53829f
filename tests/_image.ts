/**
 * Helpers for tests that inspect rendered PNG charts.
 *
 * The canvas package is imported lazily, inside {@link decodePng}, so that
 * importing this helper does not load the native library before a test
 * module has set up its environment.
 *
 * @module
 */

/** A decoded image: RGBA bytes, row by row from the top left. */
export interface DecodedImage {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** `width * height * 4` bytes: red, green, blue, alpha per pixel. */
  data: Uint8ClampedArray;
}

/**
 * Decodes PNG bytes into RGBA pixels.
 *
 * @param bytes The PNG file's bytes.
 * @returns The image's size and pixels.
 * @throws {Error} If the bytes are not a PNG image.
 *
 * @example Usage
 * ```ts ignore
 * import { decodePng } from "./_image.ts";
 * const img = await decodePng(await Deno.readFile("chart.png"));
 * console.log(img.width, img.height);
 * ```
 */
export async function decodePng(bytes: Uint8Array): Promise<DecodedImage> {
  // A PNG file starts with these 8 bytes; checking them gives a clear error
  // instead of whatever the image decoder reports for other formats.
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (!signature.every((b, i) => bytes[i] === b)) {
    throw new Error("Not a PNG file: bad signature");
  }
  const { createCanvas, loadImage } = await import("npm:@napi-rs/canvas@^1.1");
  const image = await loadImage(bytes);
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext("2d");
  ctx.drawImage(image, 0, 0);
  const { data } = ctx.getImageData(0, 0, image.width, image.height);
  return { width: image.width, height: image.height, data };
}

/**
 * The share of pixels that are not opaque white, from 0 to 1. A blank chart
 * gives 0; transparent pixels count as not white.
 *
 * @param img A decoded image.
 * @returns Non-white pixels divided by all pixels.
 *
 * @example Usage
 * ```ts
 * import { nonWhiteShare } from "./_image.ts";
 * const img = { width: 2, height: 1, data: new Uint8ClampedArray([255, 255, 255, 255, 0, 0, 0, 255]) };
 * if (nonWhiteShare(img) !== 0.5) throw new Error("expected half");
 * ```
 */
export function nonWhiteShare(img: DecodedImage): number {
  const pixels = img.width * img.height;
  if (pixels === 0) return 0;
  let count = 0;
  for (let i = 0; i < img.data.length; i += 4) {
    const d = img.data;
    if (
      d[i] !== 255 || d[i + 1] !== 255 || d[i + 2] !== 255 || d[i + 3] !== 255
    ) {
      count++;
    }
  }
  return count / pixels;
}

/**
 * Counts pixels whose colour is within `tolerance` (per channel) of a
 * `#rrggbb` colour, e.g. to check that a series' line was drawn.
 *
 * @param img A decoded image.
 * @param hex The colour as `#rrggbb`.
 * @param tolerance Largest allowed difference per channel (default 8).
 * @returns The number of matching pixels.
 *
 * @example Usage
 * ```ts
 * import { countColor } from "./_image.ts";
 * const img = { width: 1, height: 1, data: new Uint8ClampedArray([0, 114, 178, 255]) };
 * if (countColor(img, "#0072b2") !== 1) throw new Error("expected one pixel");
 * ```
 */
export function countColor(
  img: DecodedImage,
  hex: string,
  tolerance = 8,
): number {
  const n = parseInt(hex.slice(1), 16);
  const r = (n >> 16) & 255, g = (n >> 8) & 255, b = n & 255;
  let count = 0;
  for (let i = 0; i < img.data.length; i += 4) {
    const d = img.data;
    if (
      Math.abs(d[i] - r) <= tolerance && Math.abs(d[i + 1] - g) <= tolerance &&
      Math.abs(d[i + 2] - b) <= tolerance && d[i + 3] === 255
    ) {
      count++;
    }
  }
  return count;
}

/**
 * Counts pixels that differ between two images of the same size, within the
 * rows `[fromRow, toRow)` (default: all rows).
 *
 * @param a One image.
 * @param b Another image of the same size.
 * @param fromRow First row to compare (default 0).
 * @param toRow Row after the last to compare (default the height).
 * @returns The number of pixels whose RGBA values differ.
 * @throws {RangeError} If the images differ in size.
 *
 * @example Usage
 * ```ts
 * import { countDifferentPixels } from "./_image.ts";
 * const a = { width: 1, height: 2, data: new Uint8ClampedArray([0, 0, 0, 255, 9, 9, 9, 255]) };
 * const b = { width: 1, height: 2, data: new Uint8ClampedArray([0, 0, 0, 255, 0, 0, 0, 255]) };
 * if (countDifferentPixels(a, b) !== 1) throw new Error("expected one");
 * if (countDifferentPixels(a, b, 0, 1) !== 0) throw new Error("expected none");
 * ```
 */
export function countDifferentPixels(
  a: DecodedImage,
  b: DecodedImage,
  fromRow = 0,
  toRow: number = a.height,
): number {
  if (a.width !== b.width || a.height !== b.height) {
    throw new RangeError(
      `Image sizes differ: ${a.width}x${a.height} vs ${b.width}x${b.height}`,
    );
  }
  let count = 0;
  const end = Math.min(toRow, a.height) * a.width * 4;
  for (let i = Math.max(0, fromRow) * a.width * 4; i < end; i += 4) {
    if (
      a.data[i] !== b.data[i] || a.data[i + 1] !== b.data[i + 1] ||
      a.data[i + 2] !== b.data[i + 2] || a.data[i + 3] !== b.data[i + 3]
    ) {
      count++;
    }
  }
  return count;
}
