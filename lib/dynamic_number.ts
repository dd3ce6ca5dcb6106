/**
 * A number that changes between replays of a captured program (a learning rate, a bias
 * correction). While a capture records, an op given one uses its value now and, in a replay,
 * reads `numbers[dynamicSlot]` of that replay instead. Outside a capture the addon refuses it.
 */
export interface DynamicNumber {
  readonly dynamicSlot: number;
  readonly value: number;
}

/** @internal */
export function isDynamicNumber(value: unknown): value is DynamicNumber {
  return typeof value === 'object' && value !== null && 'dynamicSlot' in value && 'value' in value;
}

/**
 * @internal A per-call number for slot `slot`, typed as a number so that it passes through the
 * tensor methods' number arguments unchanged (validators accept it; the addon reads it).
 */
export function dynamicNumber(slot: number, value: number): number {
  return { dynamicSlot: slot, value } as unknown as number;
}
