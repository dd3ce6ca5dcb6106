/** An ONNX graph under construction: nodes in topological order, initializers, fresh value names. */
import { AttributeType, DataType } from './schema.js';

/** A node attribute: an int, a float or a list of ints. */
export type Attribute = number | { float: number } | readonly number[];

interface AttributeMessage {
  name: string;
  type: number;
  i?: number;
  f?: number;
  ints?: number[];
}

function attribute(name: string, value: Attribute): AttributeMessage {
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: [...(value as number[])] };
  if (typeof value === 'object')
    return { name, type: AttributeType.FLOAT, f: (value as { float: number }).float };
  return { name, type: AttributeType.INT, i: value as number };
}

/** The bytes of a typed array as ONNX's raw_data stores them (little-endian, as this machine). */
function bytesOf(data: Float32Array | BigInt64Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

export class OnnxGraph {
  readonly nodes: object[] = [];
  readonly initializers: object[] = [];
  #counter = 0;

  /** A fresh value name, `prefix_N`. */
  fresh(prefix: string): string {
    return `${prefix}_${this.#counter++}`;
  }

  /** Adds a float32 constant (a weight) named `name`. */
  float(name: string, data: Float32Array, dims: readonly number[]): string {
    this.initializers.push({ name, data_type: DataType.FLOAT, dims: [...dims], raw_data: bytesOf(data) });
    return name;
  }

  /** Adds an int64 constant (Slice and Pad take their arguments as tensors). */
  int64(prefix: string, values: readonly number[]): string {
    const name = this.fresh(prefix);
    const data = BigInt64Array.from(values, (v) => BigInt(v));
    this.initializers.push({
      name,
      data_type: DataType.INT64,
      dims: [values.length],
      raw_data: bytesOf(data),
    });
    return name;
  }

  /** Appends a node `op(inputs) → output` and returns the output's name. */
  node(
    op: string,
    inputs: readonly string[],
    attributes: Record<string, Attribute> = {},
    output?: string,
  ): string {
    const out = output ?? this.fresh(op.toLowerCase());
    this.nodes.push({
      op_type: op,
      name: `${op}_${this.nodes.length}`,
      input: [...inputs],
      output: [out],
      attribute: Object.entries(attributes).map(([k, v]) => attribute(k, v)),
    });
    return out;
  }
}
