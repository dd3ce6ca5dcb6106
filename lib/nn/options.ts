/** Reading layer options: a value when given, the default when absent, checked either way. */
import { checkBool, checkFinite, checkInt, checkIntList } from '../validate.js';

export type Pair = number | readonly [number, number];

export function option<T>(
  o: Record<string, unknown>,
  key: string,
  fallback: T,
  check: (name: string, v: unknown) => T,
): T {
  const v = o[key];
  return v === undefined ? fallback : check(key, v);
}

export const bool = (o: Record<string, unknown>, key: string, fallback: boolean): boolean =>
  option(o, key, fallback, checkBool);
export const finite = (o: Record<string, unknown>, key: string, fallback: number): number =>
  option(o, key, fallback, checkFinite);
export const int = (o: Record<string, unknown>, key: string, fallback: number, min: number): number =>
  option(o, key, fallback, (n, v) => checkInt(n, v, min));

/** A pair of integers >= min (a single number is used for both, as PyTorch's `_pair`). */
export function pair(name: string, value: unknown, min: number): [number, number] {
  const [a, b] = checkIntList(name, value, 2, min);
  return [a as number, b as number];
}

export const pairOption = (
  o: Record<string, unknown>,
  key: string,
  fallback: [number, number],
  min: number,
): [number, number] => option(o, key, fallback, (n, v) => pair(n, v, min));
