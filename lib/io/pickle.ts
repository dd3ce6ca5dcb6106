/**
 * A restricted pickle virtual machine: it decodes the opcodes that torch.save emits (protocol 2,
 * plus the protocol 3-5 forms of the same data) into plain JS values and NEVER runs anything.
 * Python's pickle imports and calls whatever the stream names (GLOBAL + REDUCE is how a
 * malicious checkpoint runs `os.system`); here every GLOBAL goes through `findGlobal`, which
 * returns a JS stand-in for the few callables a state dict needs, or throws.
 * Values come out as py_values.ts describes (dicts as Maps: they keep insertion order and
 * non-string keys).
 */
import { FormatError } from './errors.js';
import { isGlobal, isTuple, latin1, aTypeName, typeName, type PyGlobal } from './py_values.js';

export { isTuple, typeName, type PyGlobal };

export interface UnpickleHooks {
  /** Resolves `module.name` or throws a FormatError refusing it. */
  findGlobal(module: string, name: string): PyGlobal;
  /** Resolves a BINPERSID id (torch: a storage reference). */
  persistentLoad(pid: unknown): unknown;
  /** Applies BUILD's state to `obj`, or throws. */
  build(obj: unknown, state: unknown): void;
  /**
   * How Python 2 `str` (BINSTRING, SHORT_BINSTRING) comes out, as Python 3's `encoding`
   * argument: 'latin1' (the default) decodes to a string, 'bytes' keeps a Uint8Array.
   */
  readonly encoding?: 'latin1' | 'bytes';
}

/** The pickle ended before STOP; a caller reading a stream can retry with more bytes. */
export class PickleTruncatedError extends FormatError {}

/** Protocol 2 spells some Python 3 modules the Python 2 way; Python's fix_imports renames them. */
const PY2_MODULES: Readonly<Record<string, string>> = { __builtin__: 'builtins', copy_reg: 'copyreg' };

const decoder = new TextDecoder('utf-8', { fatal: true });
/** Python ints in checkpoints are small; a huge LONG4 would only cost quadratic time. */
const MAX_LONG_BYTES = 1024;

/** Unpickles one pickle starting at `start`; returns the value and the offset just past STOP. */
export function unpickle(data: Uint8Array, hooks: UnpickleHooks, start = 0): { value: unknown; end: number } {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let stack: unknown[] = [];
  const metastack: unknown[][] = [];
  const memo = new Map<number, unknown>();
  let pos = start;
  let opAt = start;

  const fail = (message: string): never => {
    const op = data[opAt] ?? 0;
    throw new FormatError(`pickle: ${message} (opcode 0x${op.toString(16)} at byte ${opAt})`);
  };
  const need = (n: number): number => {
    if (n < 0) fail(`negative length ${n}`);
    if (pos + n > data.byteLength) {
      throw new PickleTruncatedError(
        `pickle: expected ${n} more bytes at byte ${pos} but the pickle ends at byte ${data.byteLength} (truncated?)`,
      );
    }
    const at = pos;
    pos += n;
    return at;
  };
  const bytes = (n: number): Uint8Array => data.subarray(need(n), pos);
  const pop = (): unknown => {
    if (stack.length === 0) fail('stack underflow');
    return stack.pop();
  };
  const top = (): unknown => (stack.length === 0 ? fail('stack underflow') : stack[stack.length - 1]);
  const popMark = (): unknown[] => {
    const items = stack;
    const outer = metastack.pop();
    if (outer === undefined) fail('no MARK on the stack');
    stack = outer ?? [];
    return items;
  };
  const text = (b: Uint8Array): string => {
    try {
      return decoder.decode(b);
    } catch {
      return fail('string is not valid UTF-8');
    }
  };
  const py2str = (b: Uint8Array): string | Uint8Array => (hooks.encoding === 'bytes' ? b.slice() : latin1(b));
  const line = (): string => {
    const nl = data.indexOf(0x0a, pos);
    if (nl < 0) throw new PickleTruncatedError(`pickle: unterminated line at byte ${pos} (truncated?)`);
    const s = latin1(data.subarray(pos, nl));
    pos = nl + 1;
    return s;
  };
  const setItems = (dict: unknown, items: unknown[]): void => {
    if (!(dict instanceof Map)) fail(`SETITEM(S) on ${aTypeName(dict)}, expected a dict`);
    if (items.length % 2 !== 0) fail('SETITEMS with an odd number of items');
    for (let i = 0; i < items.length; i += 2) (dict as Map<unknown, unknown>).set(items[i], items[i + 1]);
  };
  const append = (list: unknown, items: unknown[]): void => {
    if (!Array.isArray(list) || Object.isFrozen(list))
      fail(`APPEND(S) on ${aTypeName(list)}, expected a list`);
    for (const item of items) (list as unknown[]).push(item);
  };
  const call = (fn: unknown, args: unknown): unknown => {
    if (!isGlobal(fn) || fn.call === undefined) fail(`cannot call ${aTypeName(fn)}`);
    if (!isTuple(args)) fail(`call arguments must be a tuple, received ${aTypeName(args)}`);
    return (fn as PyGlobal).call?.(args as readonly unknown[]);
  };
  const long = (b: Uint8Array): number | bigint => {
    if (b.byteLength > MAX_LONG_BYTES) fail(`integer of ${b.byteLength} bytes is too large`);
    let v = 0n;
    for (let i = b.byteLength - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i] ?? 0);
    if (b.byteLength > 0 && ((b[b.byteLength - 1] ?? 0) & 0x80) !== 0) v -= 1n << BigInt(8 * b.byteLength);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };
  const u64 = (): number => {
    const v = dv.getBigUint64(need(8), true);
    return v > BigInt(data.byteLength)
      ? fail(`length ${v} exceeds the pickle's ${data.byteLength} bytes`)
      : Number(v);
  };

  for (;;) {
    opAt = pos;
    const op = data[need(1)];
    switch (op) {
      case 0x80: // PROTO
        if ((data[need(1)] ?? 0) > 5) fail('unsupported pickle protocol');
        break;
      case 0x95: // FRAME: a length hint only
        u64();
        break;
      case 0x2e: // STOP
        return { value: pop(), end: pos };
      case 0x28: // MARK
        metastack.push(stack);
        stack = [];
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(Object.freeze([]));
        break;
      case 0x74: {
        // TUPLE. (Not `stack.push(popMark())`: that would push onto the array popMark replaces.)
        const items = Object.freeze(popMark());
        stack.push(items);
        break;
      }
      case 0x85: // TUPLE1
      case 0x86: // TUPLE2
      case 0x87: {
        // TUPLE3
        const n = op - 0x84;
        if (stack.length < n) fail('stack underflow');
        stack.push(Object.freeze(stack.splice(stack.length - n, n)));
        break;
      }
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x6c: {
        // LIST
        const items = popMark();
        stack.push(items);
        break;
      }
      case 0x61: {
        // APPEND
        const item = pop();
        append(top(), [item]);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        append(top(), items);
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x64: {
        // DICT
        const dict = new Map();
        setItems(dict, popMark());
        stack.push(dict);
        break;
      }
      case 0x73: {
        // SETITEM
        const value = pop();
        const key = pop();
        setItems(top(), [key, value]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
      case 0x89: // NEWFALSE
        stack.push(op === 0x88);
        break;
      case 0x4a: // BININT
        stack.push(dv.getInt32(need(4), true));
        break;
      case 0x4b: // BININT1
        stack.push(data[need(1)]);
        break;
      case 0x4d: // BININT2
        stack.push(dv.getUint16(need(2), true));
        break;
      case 0x8a: // LONG1
        stack.push(long(bytes(data[need(1)] ?? 0)));
        break;
      case 0x8b: // LONG4
        stack.push(long(bytes(dv.getInt32(need(4), true))));
        break;
      case 0x47: // BINFLOAT (big-endian)
        stack.push(dv.getFloat64(need(8), false));
        break;
      case 0x58: // BINUNICODE
        stack.push(text(bytes(dv.getUint32(need(4), true))));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(text(bytes(data[need(1)] ?? 0)));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(text(bytes(u64())));
        break;
      case 0x54: // BINSTRING (Python 2 str)
        stack.push(py2str(bytes(dv.getInt32(need(4), true))));
        break;
      case 0x55: // SHORT_BINSTRING
        stack.push(py2str(bytes(data[need(1)] ?? 0)));
        break;
      case 0x42: // BINBYTES
        stack.push(bytes(dv.getUint32(need(4), true)).slice());
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(bytes(data[need(1)] ?? 0).slice());
        break;
      case 0x8e: // BINBYTES8
        stack.push(bytes(u64()).slice());
        break;
      case 0x71: // BINPUT
        memo.set(data[need(1)] ?? 0, top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(dv.getUint32(need(4), true), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const key = op === 0x68 ? (data[need(1)] ?? 0) : dv.getUint32(need(4), true);
        if (!memo.has(key)) fail(`memo entry ${key} is missing`);
        stack.push(memo.get(key));
        break;
      }
      case 0x63: {
        // GLOBAL
        const module = line();
        stack.push(hooks.findGlobal(PY2_MODULES[module] ?? module, line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        stack.push(hooks.findGlobal(PY2_MODULES[module as string] ?? (module as string), name as string));
        break;
      }
      case 0x52: // REDUCE
      case 0x81: {
        // NEWOBJ: cls.__new__(cls, *args); only ever reached for allowed stand-ins
        const args = pop();
        stack.push(call(pop(), args));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        hooks.build(top(), state);
        break;
      }
      case 0x51: // BINPERSID
        stack.push(hooks.persistentLoad(pop()));
        break;
      case 0x30: // POP
        if (stack.length > 0) stack.pop();
        else popMark(); // CPython: POP with an empty stack discards the mark
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      default:
        fail(`unsupported opcode (only the opcodes of plain data are allowed)`);
    }
  }
}
