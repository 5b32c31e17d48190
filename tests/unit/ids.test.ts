import { describe, expect, it } from 'vitest';
import { ID_LENGTH, ID_PATTERN, isId, newId } from '../../shared/schema/ids';
import { idSchema } from '../../shared/schema/common';

describe('newId', () => {
  it('is 16 characters of [0-9A-Za-z]', () => {
    expect(ID_LENGTH).toBe(16);
    for (let i = 0; i < 200; i++) {
      const id = newId();
      expect(id).toHaveLength(16);
      expect(id).toMatch(/^[0-9A-Za-z]{16}$/);
      expect(ID_PATTERN.test(id)).toBe(true);
      expect(isId(id)).toBe(true);
      expect(idSchema.safeParse(id).success).toBe(true);
    }
  });

  it('does not repeat over many draws', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newId()));
    expect(ids.size).toBe(10_000);
  });

  it('uses more than a handful of characters (is actually random)', () => {
    const chars = new Set(Array.from({ length: 100 }, () => newId()).join(''));
    expect(chars.size).toBeGreaterThan(40);
  });
});

describe('isId', () => {
  it.each([
    ['abcdefghijklmnop', true],
    ['0123456789ABCDEF', true],
    ['abcdefghijklmno', false], // 15
    ['abcdefghijklmnopq', false], // 17
    ['abcdefghijklmn-p', false],
    ['abcdefghijklmn_p', false],
    ['abcdefghijklmnö1', false],
    ['', false],
  ])('%j → %s', (value, expected) => {
    expect(isId(value)).toBe(expected);
  });

  it('refuses non-strings', () => {
    expect(isId(1234567890123456)).toBe(false);
    expect(isId(null)).toBe(false);
    expect(isId(undefined)).toBe(false);
  });
});
