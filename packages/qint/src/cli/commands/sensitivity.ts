import { DEFAULT_CANDIDATE_SCHEMES, measureSensitivity, SEARCH_CANDIDATE_SCHEMES, type DamageMetric } from '@qint/mixed-precision';
import type { Command } from 'commander';
import { resolveBackend } from '../../backends';
import { UsageError } from '../usage-error';
import { loadModel } from '../../load-model';
import { summarizeModel } from '../../model-summary';
import { calibrationFeeds } from '../../quantize';
import type { CliContext } from '../cli-context';
import { writeFileAtomic } from '../../write-file-atomic';
import { readNpyArg } from '../npy-arg';
import { sensitivityReport } from '../sensitivity-report';

/** `qint sensitivity <model> --calibration x.npy`: per-layer damage of each candidate bit width. */
export function registerSensitivity(program: Command, ctx: CliContext): void {
  program
    .command('sensitivity')
    .description('per-layer sensitivity: the output damage when only that layer is quantized, for each candidate')
    .argument('<model>', 'an .onnx file')
    .option('--calibration <x.npy>', 'samples [N, ...]; without them the data-free weight-error proxy is used')
    .option('--bits <list>', 'candidate bit widths', '2,3,4,8')
    .option('--candidates <default|search>', 'default: per channel and block 32; search: also blocks 64/128 and MSE-clipped weights', 'default')
    .option('--metric <kl|mse|top1>', 'damage metric on the first output', 'kl')
    .option('--samples <n>', 'calibration samples to use', '128')
    .option('-b, --backend <js|wasm>', 'kernel backend', 'wasm')
    .option('--report <out.html>', 'also write an HTML report')
    .option('--json', 'print machine-readable JSON')
    .addHelpText('after', '\nExamples:\n  qint sensitivity mnist-8.onnx --calibration x.npy\n  qint sensitivity model.onnx --bits 4,8 --json')
    .action(async (path: string, o: { calibration?: string; bits: string; candidates: string; metric: string; samples: string; backend: string; report?: string; json?: boolean }) => {
      const bits = o.bits.split(',').map((b) => Number(b.trim()));
      for (const b of bits) if (![2, 3, 4, 8].includes(b)) throw new UsageError(`--bits takes 2, 3, 4 and 8, got ${JSON.stringify(o.bits)}`);
      if (o.candidates !== 'default' && o.candidates !== 'search') throw new UsageError(`--candidates must be default or search, got ${o.candidates}`);
      if (!['mse', 'kl', 'top1'].includes(o.metric)) throw new UsageError(`--metric must be kl, mse or top1, got ${o.metric}`);
      const model = await loadModel(path);
      const calibration = o.calibration ? calibrationFeeds(model, await readNpyArg(o.calibration, '--calibration'), Number(o.samples)) : undefined;
      let bar: ReturnType<CliContext['progress']> | undefined;
      const { table, cost } = measureSensitivity(model, {
        calibration,
        metric: o.metric as DamageMetric,
        candidates: (o.candidates === 'search' ? SEARCH_CANDIDATE_SCHEMES : DEFAULT_CANDIDATE_SCHEMES).filter((c) => bits.includes(c.bits)),
        backend: await resolveBackend(o.backend),
        onProgress: (done, total) => {
          bar ??= ctx.progress('sensitivity', total, o.json);
          bar.tick();
          if (done === total) bar.stop();
        },
      });
      if (o.report) await writeFileAtomic(o.report, sensitivityReport({ title: `qint sensitivity ${path}`, floatBytes: summarizeModel(model).parameterBytes, table }));
      if (o.json) {
        ctx.out(JSON.stringify({ metric: table.metric, cost, layers: table.layers }, null, 2));
        return;
      }
      const ids = [...new Set(table.layers.flatMap((l) => l.candidates.map((c) => c.id)))].filter((id) => id !== 'float');
      const width = Math.max(5, ...table.layers.map((l) => l.name.length));
      ctx.out(`damage (${table.metric}) when only that layer is quantized; bytes as stored`);
      ctx.out(`${'layer'.padEnd(width)}  ${'weights'.padStart(9)}  ${ids.map((id) => id.padStart(18)).join('')}`);
      for (const layer of table.layers) {
        const cells = ids.map((id) => {
          const c = layer.candidates.find((x) => x.id === id);
          return (c ? `${c.damage.toPrecision(3)} / ${c.bytes}` : '–').padStart(18);
        });
        ctx.out(`${layer.name.padEnd(width)}  ${String(layer.weightCount).padStart(9)}  ${cells.join('')}`);
      }
      ctx.out(`measured with ${cost.quantizations} quantizations and ${cost.modelRuns} model runs in ${(cost.ms / 1000).toFixed(1)} s`);
    });
}
