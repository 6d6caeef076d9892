import type { Command } from 'commander';
import type { Tensor } from '@qint/tensor';
import { benchmarkModel } from '../../benchmark-model';
import { InputError } from '../../input-error';
import { loadModel } from '../../load-model';
import { formatBytes } from '../../model-summary';
import type { CliContext } from '../cli-context';
import { readNpyArg } from '../npy-arg';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `name=1x576` → ['name', [1, 576]]. */
function parseShape(spec: string): [string, number[]] {
  const eq = spec.lastIndexOf('=');
  const dims = eq > 0 ? spec.slice(eq + 1).split(/[x,]/) : [];
  const shape = dims.map((d) => Number(d));
  if (eq <= 0 || dims.length === 0 || shape.some((d, i) => dims[i].trim() === '' || !Number.isSafeInteger(d) || d < 0)) {
    throw new InputError(`--shape ${spec}: expected <input name>=<dims>, e.g. x=1x576 (non-negative integers separated by x)`);
  }
  return [spec.slice(0, eq), shape];
}

async function parseInput(spec: string): Promise<[string, Tensor]> {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new InputError(`--input ${spec}: expected <input name>=<file.npy>`);
  return [spec.slice(0, eq), await readNpyArg(spec.slice(eq + 1), '--input')];
}

/** `qint bench <model>`: latency and throughput on random inputs of the model's input shapes. */
export function registerBench(program: Command, ctx: CliContext): void {
  program
    .command('bench')
    .description("latency and throughput on random inputs of the model's input shapes")
    .argument('<model>', 'an .onnx or .qint file')
    .option('-b, --backend <js|wasm>', 'kernel backend', 'wasm')
    .option('--batch <n>', 'size of a symbolic batch dim', (v) => Number(v), 1)
    .option('--shape <name=dims>', 'shape of an input with symbolic dims, e.g. x=1x576 (repeatable)', collect, [])
    .option('-i, --input <name=file.npy>', 'feed this .npy file instead of random data (repeatable)', collect, [])
    .option('--iterations <n>', 'timed runs', (v) => Number(v), 30)
    .option('--json', 'print machine-readable JSON')
    .addHelpText('after', '\nExamples:\n  qint bench mnist-8/model.onnx\n  qint bench model.qint --backend js --batch 64 --json\n  qint bench vad.onnx --shape input=1x576 --input state=state.npy')
    .action(async (path: string, options: { backend: string; batch: number; shape: string[]; input: string[]; iterations: number; json?: boolean }) => {
      const shapes = Object.fromEntries(options.shape.map(parseShape));
      const inputs = Object.fromEntries(await Promise.all(options.input.map(parseInput)));
      const model = await loadModel(path);
      const bar = ctx.progress('bench', options.iterations, options.json);
      const result = await benchmarkModel(model, {
        backend: options.backend as 'js' | 'wasm',
        batch: options.batch,
        shapes,
        inputs,
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
