/** ONNX export of the ResNet family. */
export { exportOnnx, toOnnx } from './export.js';
export type { ExportOnnxOptions } from './export.js';
