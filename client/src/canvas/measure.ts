import { approximateMeasure, canvasMeasure, contextMeasure, type Measure } from '../model/text';
import { FONT } from './theme';

/**
 * Text measuring for the canvas, per font weight: headings are drawn semi-bold and must be
 * measured so, or a line that "fits" overflows its flipchart. Normal weight is model/text's
 * canvasMeasure, as the notes use.
 */
const cache = new Map<string, Measure>();

export function measureFor(weight: 'normal' | '600' | 'bold' = 'normal'): Measure {
  const cached = cache.get(weight);
  if (cached) return cached;
  const measure =
    weight === 'normal'
      ? canvasMeasure(FONT)
      : (contextMeasure((size) => `${weight} ${size}px ${FONT}`) ?? ((text: string, size: number) => approximateMeasure(text, size) * 1.1));
  cache.set(weight, measure);
  return measure;
}

/** The largest of `sizes` at which the longest word of `text` fits `width` (hints never break mid-word). */
export function sizeForWords(text: string, width: number, sizes: readonly number[], measure: Measure): number {
  const longest = text.split(/\s+/).reduce((a, b) => (b.length > a.length ? b : a), '');
  return sizes.find((size) => measure(longest, size) <= width) ?? sizes[sizes.length - 1]!;
}
