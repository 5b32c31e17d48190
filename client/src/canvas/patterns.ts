import type { PaletteColor } from '../../../shared/templates/palette';

/**
 * The actor's pattern (shared/templates/palette.ts) drawn over its header band, so that colour is
 * never the only cue. Plain canvas path drawing: call with a context already clipped to the band.
 */
type Pattern = PaletteColor['pattern'];

export function drawPattern(ctx: CanvasRenderingContext2D, pattern: Pattern, width: number, height: number, ink: string): void {
  if (pattern === 'none') return;
  const step = 18;
  ctx.save();
  ctx.strokeStyle = ink;
  ctx.fillStyle = ink;
  ctx.lineWidth = 2.5;
  ctx.beginPath();
  switch (pattern) {
    case 'dots':
      for (let y = step / 2; y < height; y += step) for (let x = step / 2; x < width; x += step) circle(ctx, x, y, 2.6);
      ctx.fill();
      break;
    case 'stripes':
      for (let y = step / 2; y < height; y += step / 1.5) line(ctx, 0, y, width, y);
      ctx.stroke();
      break;
    case 'grid':
      for (let y = step / 2; y < height; y += step) line(ctx, 0, y, width, y);
      for (let x = step / 2; x < width; x += step) line(ctx, x, 0, x, height);
      ctx.lineWidth = 1.5;
      ctx.stroke();
      break;
    case 'diagonal':
      for (let x = -height; x < width; x += step / 1.4) line(ctx, x, height, x + height, 0);
      ctx.stroke();
      break;
    case 'waves':
      for (let y = step / 2; y < height + step; y += step) {
        ctx.moveTo(0, y);
        for (let x = 0; x <= width; x += 6) ctx.lineTo(x, y + Math.sin((x / step) * Math.PI) * 4);
      }
      ctx.stroke();
      break;
    case 'cross':
      for (let y = step / 2; y < height; y += step) {
        for (let x = step / 2; x < width; x += step) {
          line(ctx, x - 4, y, x + 4, y);
          line(ctx, x, y - 4, x, y + 4);
        }
      }
      ctx.stroke();
      break;
    case 'rings':
      for (let y = step / 2; y < height; y += step) {
        for (let x = step / 2; x < width; x += step) {
          ctx.moveTo(x + 4.5, y);
          ctx.arc(x, y, 4.5, 0, Math.PI * 2);
        }
      }
      ctx.lineWidth = 1.8;
      ctx.stroke();
      break;
    case 'zigzag':
      for (let y = step / 2; y < height + step; y += step) {
        ctx.moveTo(0, y);
        for (let x = 0, up = true; x <= width; x += step / 2, up = !up) ctx.lineTo(x, y + (up ? -4 : 4));
      }
      ctx.stroke();
      break;
  }
  ctx.restore();
}

function circle(ctx: CanvasRenderingContext2D, x: number, y: number, r: number) {
  ctx.moveTo(x + r, y);
  ctx.arc(x, y, r, 0, Math.PI * 2);
}

function line(ctx: CanvasRenderingContext2D, x1: number, y1: number, x2: number, y2: number) {
  ctx.moveTo(x1, y1);
  ctx.lineTo(x2, y2);
}

const images = new Map<string, HTMLCanvasElement>();

/**
 * The pattern on its own transparent canvas, fading in from the left, cached per pattern and
 * colour. Null when there is nothing to draw (the plain colour) or no DOM.
 */
export function patternImage(pattern: Pattern, width: number, height: number, ink: string): HTMLCanvasElement | null {
  if (pattern === 'none' || typeof document === 'undefined') return null;
  const key = `${pattern}|${width}|${height}|${ink}`;
  const cached = images.get(key);
  if (cached) return cached;
  const ratio = 2;
  const canvas = document.createElement('canvas');
  canvas.width = Math.ceil(width * ratio);
  canvas.height = Math.ceil(height * ratio);
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  ctx.scale(ratio, ratio);
  drawPattern(ctx, pattern, width, height, ink);
  // Fade in from the left so the pattern does not cut a hard edge into the band.
  const fade = ctx.createLinearGradient(0, 0, width, 0);
  fade.addColorStop(0, 'rgba(0,0,0,0)');
  fade.addColorStop(0.4, 'rgba(0,0,0,1)');
  ctx.globalCompositeOperation = 'destination-in';
  ctx.fillStyle = fade;
  ctx.fillRect(0, 0, width, height);
  images.set(key, canvas);
  return canvas;
}
