/**
 * Identifiers: 16 characters of a URL-safe alphabet (about 95 bits), safe in document names,
 * URLs and file names. Generated from the Web Crypto API, which Node 20 and browsers share.
 */
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const ID_LENGTH = 16;
export const ID_PATTERN = /^[0-9A-Za-z]{16}$/;

export function newId(): string {
  const bytes = new Uint8Array(ID_LENGTH);
  globalThis.crypto.getRandomValues(bytes);
  let id = '';
  // 256 % 62 bias is negligible for identifiers that only need to be unique, not uniform.
  for (const byte of bytes) id += ALPHABET[byte % ALPHABET.length];
  return id;
}

export function isId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}
