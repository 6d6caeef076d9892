// Dev-only: runs ONNX models in onnxruntime-node on float32 inputs and prints each model's first output as JSON.
// The test spawns it under valgrind, whose emulated x86 CPU has AVX2 but no AVX-512 / VNNI, so onnxruntime takes the
// u8 × s8 kernels of such CPUs (vpmaddubsw, int16 pair sums) whatever machine the test runs on.
//   node ort-runner.cjs <input.bin> <shape, e.g. 20x1x1x28x28> <input name> <model.onnx>...
// input.bin holds `count` samples of float32 (the first dim of shape is the sample count, the rest one sample's shape).
const { readFileSync } = require('node:fs');
const ort = require('onnxruntime-node');

async function main() {
  const [file, shapeArg, inputName, ...models] = process.argv.slice(2);
  const [count, ...shape] = shapeArg.split('x').map(Number);
  const bytes = readFileSync(file);
  const data = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const per = shape.reduce((a, b) => a * b, 1);
  const results = [];
  for (const model of models) {
    const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, logSeverityLevel: 3 });
    const outputs = [];
    for (let i = 0; i < count; i++) {
      const feeds = { [inputName]: new ort.Tensor('float32', data.slice(i * per, (i + 1) * per), shape) };
      const out = await session.run(feeds);
      outputs.push(Array.from(out[session.outputNames[0]].data));
    }
    results.push(outputs);
    await session.release();
  }
  process.stdout.write(JSON.stringify(results));
}
main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e));
  process.exit(1);
});
