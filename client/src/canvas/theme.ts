/**
 * Colours, fonts and sizes of the canvas. Board units are the layout's (model/layout.ts); the
 * room screen uses larger type for reading across a room.
 */
export const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif";

export const INK = '#1b2733';
export const MUTED = '#5b6b7b';
export const ACCENT = '#1f3a5f';
export const PAPER = '#ffffff';
export const BODY_FILL = '#f6f8fa';
export const BODY_STROKE = '#c3ccd6';
export const FOCUS = '#ffb000';

export const NOTE_PADDING = 10;
export const NOTE_AUTHOR_HEIGHT = 18;

export interface Typography {
  actorName: number;
  question: number[];
  subArea: number;
  noteSizes: number[];
}

export const WALL_TYPE: Typography = { actorName: 34, question: [19, 18, 17, 16, 15, 14], subArea: 15, noteSizes: [20, 18, 16, 14, 12, 11] };
export const SCREEN_TYPE: Typography = { actorName: 46, question: [22, 21, 20, 19, 18, 17, 16, 15, 14], subArea: 18, noteSizes: [26, 24, 22, 20, 18, 16, 14, 12, 11] };

/** `#rrggbb` mixed towards black (amount < 0) or white (amount > 0). */
export function shade(color: string, amount: number): string {
  const n = Number.parseInt(color.slice(1), 16);
  const channel = (shift: number) => {
    const c = (n >> shift) & 0xff;
    const target = amount < 0 ? 0 : 255;
    return Math.round(c + (target - c) * Math.abs(amount));
  };
  return `#${[16, 8, 0].map((s) => channel(s).toString(16).padStart(2, '0')).join('')}`;
}
