// onnxruntime-node's graph optimizer (level 'extended': no hardware-specific layouts) on bert.onnx from make-bert.py;
// writes the fused model as ms_bert_ort_optimized/model.onnx and deletes bert.onnx.
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const ort = createRequire(join(here, '..', '..', '..', 'package.json'))('onnxruntime-node');
await ort.InferenceSession.create(join(here, 'bert.onnx'), { graphOptimizationLevel: 'extended', optimizedModelFilePath: join(here, 'ms_bert_ort_optimized', 'model.onnx') });
rmSync(join(here, 'bert.onnx'));
