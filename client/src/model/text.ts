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

/** Canvas-based measuring when a 2D context exists, the approximation otherwise. */
export function canvasMeasure(fontFamily: string): Measure {
  const context = typeof document !== 'undefined' ? document.createElement('canvas').getContext('2d') : null;
  if (!context) return approximateMeasure;
  return (text, fontSize) => {
    context.font = `${fontSize}px ${fontFamily}`;
    return context.measureText(text).width;
  };
}

/** Wraps at spaces; a word longer than the line is broken by characters. */
export function wrapText(text: string, maxWidth: number, fontSize: number, measure: Measure): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      const candidate = line ? `${line} ${word}` : word;
      if (measure(candidate, fontSize) <= maxWidth) {
        line = candidate;
        continue;
      }
      if (line) lines.push(line);
      line = '';
      let rest = word;
      while (measure(rest, fontSize) > maxWidth && rest.length > 1) {
        let cut = rest.length - 1;
        while (cut > 1 && measure(rest.slice(0, cut), fontSize) > maxWidth) cut--;
        lines.push(rest.slice(0, cut));
        rest = rest.slice(cut);
      }
      line = rest;
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
