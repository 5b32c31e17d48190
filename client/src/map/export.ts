/**
 * Downloads of the map: the standalone SVG text as it is, and a PNG drawn from that same SVG on
 * a canvas at twice its size (sharp on paper and in a memo).
 */
export function fileSlug(text: string): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return slug || 'value-map';
}

function download(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Any text as a downloaded file (the memo's Markdown, HTML, CSV, JSON). */
export function downloadText(text: string, filename: string, type: string): void {
  download(new Blob([text], { type: `${type};charset=utf-8` }), filename);
}

export function downloadSvg(svg: string, filename: string): void {
  download(new Blob([`<?xml version="1.0" encoding="UTF-8"?>\n${svg}`], { type: 'image/svg+xml;charset=utf-8' }), filename);
}

/** Draws the SVG on a canvas at `scale`× and resolves with PNG bytes. */
export function svgToPng(svg: string, scale = 2): Promise<Blob> {
  return new Promise((resolve, reject) => {
    const width = Number(/\swidth="([\d.]+)"/.exec(svg)?.[1] ?? 1000);
    const height = Number(/\sheight="([\d.]+)"/.exec(svg)?.[1] ?? 700);
    const image = new Image();
    image.onload = () => {
      const canvas = document.createElement('canvas');
      canvas.width = Math.round(width * scale);
      canvas.height = Math.round(height * scale);
      const context = canvas.getContext('2d');
      if (!context) return reject(new Error('no 2D canvas'));
      context.fillStyle = '#ffffff';
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
      canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('the PNG could not be made'))), 'image/png');
    };
    image.onerror = () => reject(new Error('the SVG could not be drawn'));
    image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  });
}

export async function downloadPng(svg: string, filename: string): Promise<void> {
  download(await svgToPng(svg, 2), filename);
}
