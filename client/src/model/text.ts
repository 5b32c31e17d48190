/**
 * Text fitting for notes drawn on the canvas: word wrapping with a measuring function, and the
 * largest font size at which a note's text fits its box. When no canvas is available to measure
 * (tests, a failing context), `approximateMeasure` estimates widths from character classes.
 */
export type Measure = (text: string, fontSize: number) => number;

export const approximateMeasure: Measure = (text, fontSize) => {
  let units = 0;
  for (const ch of text) units += /[ilj.,:;'!|]/.test(ch) ? 0.3 : /[mwMW@]/.test(ch) ? 0.85 : /[A-ZÅÄÖ0-9]/.test(ch) ? 0.65 : 0.55;
  return units * fontSize;
};

/**
 * Canvas-based measuring when a 2D context exists, the approximation otherwise. `font(size)` is
 * the CSS font for a size (weight included).
 *
 * Measuring is most of what laying out a wall's notes costs, so: the context's font is set only
 * when the size changes (assigning `font` makes the browser parse it, every time), and the widths
 * of short strings — words, which repeat across thousands of notes — are kept.
 */
export function contextMeasure(font: (fontSize: number) => string): Measure | null {
  const context = typeof document !== 'undefined' ? document.createElement('canvas').getContext('2d') : null;
  if (!context) return null;
  const widths = new Map<string, number>();
  let currentSize = NaN;
  return (text, fontSize) => {
    const key = text.length <= 48 ? `${fontSize}|${text}` : null;
    const known = key === null ? undefined : widths.get(key);
    if (known !== undefined) return known;
    if (fontSize !== currentSize) {
      context.font = font(fontSize);
      currentSize = fontSize;
    }
    const width = context.measureText(text).width;
    if (key !== null) {
      if (widths.size >= 50_000) widths.clear();
      widths.set(key, width);
    }
    return width;
  };
}

export function canvasMeasure(fontFamily: string): Measure {
  return contextMeasure((fontSize) => `${fontSize}px ${fontFamily}`) ?? approximateMeasure;
}

/**
 * Wraps at spaces; a word longer than the line is broken by characters. A line's width is the sum
 * of its words' and spaces' widths (each word measured once, and cached by the measure); only a
 * line within a pixel of the limit, where kerning could tip it, is measured whole.
 */
export function wrapText(text: string, maxWidth: number, fontSize: number, measure: Measure): string[] {
  const lines: string[] = [];
  const space = measure(' ', fontSize);
  for (const paragraph of text.split('\n')) {
    let line = '';
    let lineWidth = 0;
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      const wordWidth = measure(word, fontSize);
      if (line) {
        let width = lineWidth + space + wordWidth;
        if (Math.abs(width - maxWidth) <= 1) width = measure(`${line} ${word}`, fontSize);
        if (width <= maxWidth) {
          line = `${line} ${word}`;
          lineWidth = width;
          continue;
        }
        lines.push(line);
      } else if (wordWidth <= maxWidth) {
        line = word;
        lineWidth = wordWidth;
        continue;
      }
      let rest = word;
      let restWidth = wordWidth;
      while (restWidth > maxWidth && rest.length > 1) {
        let cut = rest.length - 1;
        while (cut > 1 && measure(rest.slice(0, cut), fontSize) > maxWidth) cut--;
        lines.push(rest.slice(0, cut));
        rest = rest.slice(cut);
        restWidth = measure(rest, fontSize);
      }
      line = rest;
      lineWidth = restWidth;
    }
    lines.push(line);
  }
  return lines;
}

export interface FittedText {
  fontSize: number;
  lines: string[];
  /** True when even the smallest size could not show everything (the last line ends with …). */
  truncated: boolean;
}

export function fitText(text: string, box: { width: number; height: number }, measure: Measure, sizes = [20, 18, 16, 14, 12, 11], lineHeight = 1.2): FittedText {
  for (const fontSize of sizes) {
    const lines = wrapText(text, box.width, fontSize, measure);
    if (lines.length * fontSize * lineHeight <= box.height) return { fontSize, lines, truncated: false };
  }
  const fontSize = sizes[sizes.length - 1]!;
  const maxLines = Math.max(1, Math.floor(box.height / (fontSize * lineHeight)));
  const lines = wrapText(text, box.width, fontSize, measure).slice(0, maxLines);
  let last = lines[maxLines - 1] ?? '';
  while (last.length > 0 && measure(`${last}…`, fontSize) > box.width) last = last.slice(0, -1);
  lines[maxLines - 1] = `${last}…`;
  return { fontSize, lines, truncated: true };
}
