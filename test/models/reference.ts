/**
 * Kept only because test/models/architectures.test.ts (owned by another change) imports from
 * here; the harness itself is test/helpers/reference.ts. Remove once that file imports it.
 */
export { loadReference as loadModelReference, tick, type Json } from '../helpers/reference.js';
