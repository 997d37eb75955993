import { createCanvas, loadImage } from '@napi-rs/canvas';

/** A PNG's pixels as RGBA bytes, row by row. */
export interface Pixels {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/** Decodes a PNG as a viewer would, so the chart tests look at what a reader sees. */
export async function decode(png: Buffer): Promise<Pixels> {
  const image = await loadImage(png);
  const ctx = createCanvas(image.width, image.height).getContext('2d');
  ctx.drawImage(image, 0, 0);
  const { data, width, height } = ctx.getImageData(0, 0, image.width, image.height);
  return { data, width, height };
}
