import type { z } from 'zod';
import { VALUE_LIMITS } from './rules';

/**
 * Checks one plain value (a Yjs `ContentAny` entry) against a field's zod schema. Returns why it
 * is refused, or null. Besides the schema: bounded nesting and size (readers and zod recurse), only
 * plain objects (a `__proto__` key decoded by lib0 gives an object another prototype), no binary,
 * and no keys the schema does not know (zod's objects would silently strip them, so readers would
 * accept what the server then stores and relays forever).
 */
export function checkValue(value: unknown, schema: z.ZodType): string | null {
  const plain = value === null || typeof value !== 'object';
  const shapeProblem = plain ? (typeof value === 'string' && value.length > VALUE_LIMITS.maxStringLength ? `a string longer than ${VALUE_LIMITS.maxStringLength} characters` : null) : checkPlain(value);
  if (shapeProblem) return shapeProblem;
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    return `${where}${issue?.message ?? 'invalid value'}`.slice(0, 120);
  }
  return plain || hasOnlyKnownKeys(value, parsed.data, 0) ? null : 'has keys the schema does not know';
}

/** Iterative, so a hostile value cannot overflow the validator's own stack. */
function checkPlain(value: unknown): string | null {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  let nodes = 0;
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop()!;
    if (typeof current === 'string') {
      if (current.length > VALUE_LIMITS.maxStringLength) return `a string longer than ${VALUE_LIMITS.maxStringLength} characters`;
      continue;
    }
    if (current === null || current === undefined || typeof current === 'number' || typeof current === 'boolean') continue;
    if (typeof current !== 'object') return `a ${typeof current} value`;
    if (depth >= VALUE_LIMITS.maxDepth) return `nested deeper than ${VALUE_LIMITS.maxDepth} levels`;
    let children: unknown[];
    if (Array.isArray(current)) children = current;
    else if (Object.getPrototypeOf(current) === Object.prototype) children = Object.values(current);
    else return current instanceof Uint8Array ? 'binary data' : 'not a plain object';
    nodes += children.length;
    if (nodes > VALUE_LIMITS.maxNodes) return `more than ${VALUE_LIMITS.maxNodes} entries`;
    for (const child of children) stack.push({ value: child, depth: depth + 1 });
  }
  return null;
}

/** Every key of `input` survives parsing (zod keeps known keys and drops unknown ones). */
function hasOnlyKnownKeys(input: unknown, parsed: unknown, depth: number): boolean {
  if (input === null || typeof input !== 'object' || depth > VALUE_LIMITS.maxDepth) return true;
  if (parsed === null || typeof parsed !== 'object') return false;
  if (Array.isArray(input)) {
    if (!Array.isArray(parsed)) return false;
    return input.every((item, i) => hasOnlyKnownKeys(item, parsed[i], depth + 1));
  }
  const out = parsed as Record<string, unknown>;
  return Object.entries(input).every(([key, inner]) => Object.hasOwn(out, key) && hasOnlyKnownKeys(inner, out[key], depth + 1));
}
