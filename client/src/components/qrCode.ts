import QRCode from 'qrcode';

/**
 * A join link as a QR code image (an SVG data URL), made in the browser: no request leaves the
 * room. Dark ink on white whatever the theme, so every phone camera reads it; `margin` is the quiet
 * zone in modules (the invite panel's code stands alone, the room screen's sits in a white frame).
 */
export async function qrImage(link: string, margin: number): Promise<string> {
  const svg = await QRCode.toString(link, { type: 'svg', margin, errorCorrectionLevel: 'M', color: { dark: '#1b2733', light: '#ffffff' } });
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}
