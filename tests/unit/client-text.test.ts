import { describe, expect, it } from 'vitest';
import { approximateMeasure, canvasMeasure, fitText, wrapText, type Measure } from '../../client/src/model/text';

/** Every character is 10px wide at size 10 (scales with the font size): easy arithmetic. */
const mono: Measure = (text, fontSize) => [...text].length * fontSize;

describe('approximateMeasure', () => {
  it('is wider for wide letters and capitals, scales with the size, zero for nothing', () => {
    expect(approximateMeasure('', 16)).toBe(0);
    expect(approximateMeasure('mmm', 10)).toBeGreaterThan(approximateMeasure('iii', 10));
    expect(approximateMeasure('ÄÖ', 10)).toBeGreaterThan(approximateMeasure('äö', 10));
    expect(approximateMeasure('abc', 20)).toBeCloseTo(2 * approximateMeasure('abc', 10));
  });

  it('is what canvasMeasure falls back to without a DOM', () => {
    expect(canvasMeasure('sans-serif')).toBe(approximateMeasure);
  });
});

describe('wrapText', () => {
  it('keeps a short text on one line', () => {
    expect(wrapText('hello world', 200, 10, mono)).toEqual(['hello world']);
  });

  it('wraps at spaces, never exceeding the width', () => {
    const lines = wrapText('one two three four five six', 100, 10, mono);
    expect(lines).toEqual(['one two', 'three four', 'five six']);
    for (const line of lines) expect(mono(line, 10)).toBeLessThanOrEqual(100);
  });

  it('breaks a word longer than the line by characters', () => {
    const lines = wrapText('a verylongwordthatdoesnotfit end', 60, 10, mono);
    for (const line of lines) expect(mono(line, 10)).toBeLessThanOrEqual(60);
    expect(lines.join('').replace(/ /g, '')).toBe('averylongwordthatdoesnotfitend');
    expect(lines[0]).toBe('a');
    expect(lines[lines.length - 1]).toContain('end');
  });

  it('keeps explicit line breaks, collapses runs of spaces, keeps empty paragraphs', () => {
    expect(wrapText('first\n\nthird   line', 1000, 10, mono)).toEqual(['first', '', 'third line']);
  });

  it('breaks a Finnish compound with the approximate measure too', () => {
    const lines = wrapText('Kuntayhteistyöneuvottelukunta kokoontuu', 120, 16, approximateMeasure);
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(approximateMeasure(line, 16)).toBeLessThanOrEqual(120);
  });
});

describe('fitText', () => {
  const box = { width: 160, height: 80 };

  it('uses the largest size at which everything fits', () => {
    const fitted = fitText('short', box, mono, [20, 16, 12]);
    expect(fitted).toEqual({ fontSize: 20, lines: ['short'], truncated: false });
  });

  it('steps down in size for longer text, still fitting the box', () => {
    const text = 'a text that needs a few lines';
    const fitted = fitText(text, box, mono, [20, 16, 12, 10]);
    expect(fitted.truncated).toBe(false);
    expect(fitted.fontSize).toBeLessThan(20);
    expect(fitted.lines.length * fitted.fontSize * 1.2).toBeLessThanOrEqual(box.height);
    for (const line of fitted.lines) expect(mono(line, fitted.fontSize)).toBeLessThanOrEqual(box.width);
    expect(fitted.lines.join(' ')).toBe(text);
  });

  it('truncates with … at the smallest size when nothing fits', () => {
    const text = 'word '.repeat(200).trim();
    const fitted = fitText(text, box, mono, [20, 12, 10]);
    expect(fitted.truncated).toBe(true);
    expect(fitted.fontSize).toBe(10);
    const maxLines = Math.floor(box.height / (10 * 1.2));
    expect(fitted.lines).toHaveLength(maxLines);
    const last = fitted.lines[fitted.lines.length - 1]!;
    expect(last.endsWith('…')).toBe(true);
    expect(mono(last, 10)).toBeLessThanOrEqual(box.width);
  });

  it('truncates a single enormous word', () => {
    const fitted = fitText('x'.repeat(500), { width: 100, height: 30 }, approximateMeasure, [14, 11]);
    expect(fitted.truncated).toBe(true);
    for (const line of fitted.lines) expect(approximateMeasure(line, 11)).toBeLessThanOrEqual(100);
    expect(fitted.lines[fitted.lines.length - 1]!.endsWith('…')).toBe(true);
  });

  it('fits a full 500-character note in a note-sized box with the approximate measure', () => {
    const text = 'Yhteistyö vaatii aikaa ja luottamusta. '.repeat(13).slice(0, 500);
    const fitted = fitText(text, { width: 160, height: 82 }, approximateMeasure);
    expect(fitted.lines.length * fitted.fontSize * 1.2).toBeLessThanOrEqual(82);
    for (const line of fitted.lines) expect(approximateMeasure(line, fitted.fontSize)).toBeLessThanOrEqual(160);
  });

  it('handles empty text', () => {
    expect(fitText('', box, mono)).toMatchObject({ lines: [''], truncated: false });
  });
});
