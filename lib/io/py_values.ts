/**
 * The JS shapes of unpickled Python values, and helpers to recognise and name them in errors.
 * None → null, bool → boolean, int → number (bigint beyond 2**53), float → number,
 * str → string, bytes → Uint8Array, list → array, tuple → frozen array, dict → Map.
 */

/** A resolved GLOBAL: REDUCE and NEWOBJ call `call`; a global without `call` is data only. */
export interface PyGlobal {
  readonly qualifiedName: string;
  call?(args: readonly unknown[]): unknown;
}

export function isTuple(v: unknown): v is readonly unknown[] {
  return Array.isArray(v) && Object.isFrozen(v);
}

/** Latin-1 decoding in chunks (spreading a big array into fromCharCode overflows the stack). */
export function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.byteLength; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
  return s;
}

export function isGlobal(v: unknown): v is PyGlobal {
  return typeof v === 'object' && v !== null && typeof (v as PyGlobal).qualifiedName === 'string';
}

/** Python-ish type names for error messages. */
export function typeName(v: unknown): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'string') return 'str';
  if (v instanceof Uint8Array) return 'bytes';
  if (v instanceof Map) return 'dict';
  if (Array.isArray(v)) return Object.isFrozen(v) ? 'tuple' : 'list';
  if (isGlobal(v)) return `global ${v.qualifiedName}`;
  return typeof v === 'object' && 'dtype' in v && 'bytes' in v ? 'tensor' : 'object';
}

/** The type name with its article, for "expected a tensor but received an int". */
export function aTypeName(v: unknown): string {
  const name = typeName(v);
  return /^[aeiou]/.test(name) ? `an ${name}` : `a ${name}`;
}
