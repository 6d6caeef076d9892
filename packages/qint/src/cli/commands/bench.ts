import type { Command } from 'commander';
import { benchmarkModel } from '../../benchmark-model';
import { loadModel } from '../../load-model';
import { formatBytes } from '../../model-summary';
import type { CliContext } from '../cli-context';

/** `qint bench <model>`: latency and throughput on random inputs of the model's input shapes. */
export function registerBench(program: Command, ctx: CliContext): void {
  program
    .command('bench')
    .description("latency and throughput on random inputs of the model's input shapes")
    .argument('<model>', 'an .onnx or .qint file')
    .option('-b, --backend <js|wasm>', 'kernel backend', 'wasm')
    .option('--batch <n>', 'size of a symbolic batch dim', (v) => Number(v), 1)
    .option('--iterations <n>', 'timed runs', (v) => Number(v), 30)
    .option('--json', 'print machine-readable JSON')
    .addHelpText('after', '\nExamples:\n  qint bench mnist-8/model.onnx\n  qint bench model.qint --backend js --batch 64 --json')
    .action(async (path: string, options: { backend: string; batch: number; iterations: number; json?: boolean }) => {
      const model = await loadModel(path);
      const bar = ctx.progress('bench', options.iterations, options.json);
      const result = await benchmarkModel(model, {
        backend: options.backend as 'js' | 'wasm',
        batch: options.batch,
        iterations: options.iterations,
        onProgress: () => bar.tick(),
      });
      bar.stop();
      if (options.json) ctx.out(JSON.stringify(result, null, 2));
      else {
        ctx.out(
          `${path} on ${result.backend}, batch ${result.batch}: median ${result.medianMs.toFixed(3)} ms, p90 ${result.p90Ms.toFixed(3)} ms, ` +
            `${result.throughput.toFixed(1)} samples/s; peak memory ${formatBytes(result.peakLiveBytes)} + constants ${formatBytes(result.constantBytes)}`,
        );
      }
    });
}
