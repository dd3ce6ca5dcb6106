/** `resnet-native serve`: the inference server for a weights file that describes itself. */
import { readFile } from 'node:fs/promises';
import { loadModel } from '../model_file/load_model.js';
import { setNumThreads } from '../runtime.js';
import { serve } from '../serve/index.js'; // loads fastify only for this command

export interface ServeFlags {
  weights: string;
  port: number;
  host: string;
  maxBatch: number;
  maxWaitMs: number;
  maxQueue: number;
  timeoutMs: number;
  classes?: string;
  threads?: number;
}

/** Loads the model, serves it until SIGTERM or SIGINT, then returns once in-flight requests are answered. */
export async function serveCommand(f: ServeFlags): Promise<void> {
  if (f.threads !== undefined) setNumThreads(f.threads);
  const { model, metadata } = await loadModel(f.weights);
  let classNames = metadata.classNames;
  if (f.classes !== undefined) {
    classNames = (await readFile(f.classes, 'utf8')).split('\n').filter(Boolean);
    if (classNames.length !== metadata.numClasses)
      throw new Error(
        `--classes ${f.classes} lists ${classNames.length} classes but the model in ${f.weights} has ${metadata.numClasses} (${metadata.arch}); a classifier is replaced only when fine-tuning (train --weights)`,
      );
  }
  const server = await serve(model, {
    port: f.port,
    host: f.host,
    maxBatch: f.maxBatch,
    maxWaitMs: f.maxWaitMs,
    maxQueue: f.maxQueue,
    timeoutMs: f.timeoutMs,
    metadata: { ...metadata, classNames },
    handleSignals: true,
  });
  console.log(
    `serving ${metadata.arch} (${metadata.numClasses} classes, ${metadata.cropSize}px) from ${f.weights} on ${server.url}`,
  );
  await server.closed;
  console.log('server stopped: in-flight requests answered');
}
