import { mkdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { InferenceSession, OptionalValue, TensorSequence } from '@qint/graph';
import type { Tensor } from '@qint/tensor';
import type { Command } from 'commander';
import { resolveBackend } from '../../backends';
import { UsageError } from '../usage-error';
import { loadModel } from '../../load-model';
import { writeNpy } from '../../npy';
import type { CliContext } from '../cli-context';
import { readNpyArg } from '../npy-arg';
import { outputFileNames } from '../output-file-names';
import { writeFileAtomic } from '../../write-file-atomic';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}


async function readInput(spec: string, session: InferenceSession, feedNames: string[]): Promise<[string, Tensor, string]> {
  const eq = spec.indexOf('=');
  let name: string;
  let file: string;
  if (eq > 0) {
    name = spec.slice(0, eq);
    file = spec.slice(eq + 1);
  } else if (feedNames.length === 1) {
    name = feedNames[0];
    file = spec;
  } else {
    throw new UsageError(`--input ${spec}: say which input it feeds as <name>=<file.npy>; the model has inputs ${feedNames.join(', ')}`);
  }
  if (!session.inputNames.includes(name)) {
    throw new UsageError(`--input ${spec}: the model has no input named "${name}"; its inputs are ${feedNames.join(', ')}`);
  }
  return [name, await readNpyArg(file, '--input'), file];
}

/** `qint run <model> --input name=file.npy ...`: runs a model and writes each output as `<name>.npy`. */
export function registerRun(program: Command, ctx: CliContext): void {
  program
    .command('run')
    .description('run a model (.onnx or .qint) on .npy inputs and write each output as <name>.npy')
    .argument('<model>', 'an .onnx or .qint file')
    .option('-i, --input <name=file.npy>', 'an input (repeat for several; the name may be left out for a one-input model)', collect, [])
    .option('-b, --backend <js|wasm>', 'kernel backend', 'wasm')
    .option('-o, --output-dir <dir>', 'where to write the outputs', '.')
    .option('--json', 'print machine-readable JSON')
    .addHelpText('after', '\nExamples:\n  qint run mnist-8/model.onnx --input Input3=digit.npy --output-dir out\n  qint run model.onnx -i x.npy --backend js --json\n  qint run model.qint -i x.npy')
    .action(async (path: string, options: { input: string[]; backend: string; outputDir: string; json?: boolean }) => {
      const backend = await resolveBackend(options.backend);
      const model = await loadModel(path);
      const session = InferenceSession.create(model, { backend });
      const feedNames = session.inputs.filter((vi) => !model.graph.initializers.has(vi.name)).map((vi) => vi.name);
      const feeds: Record<string, Tensor> = {};
      const inputFiles: string[] = [];
      for (const spec of options.input) {
        const [name, tensor, file] = await readInput(spec, session, feedNames);
        feeds[name] = tensor;
        inputFiles.push(resolve(file));
      }
      const missing = feedNames.filter((n) => !(n in feeds));
      if (missing.length > 0) throw new UsageError(`missing --input for ${missing.join(', ')} (give each as <name>=<file.npy>)`);
      const started = performance.now();
      const outputs = session.runValues(feeds);
      const ms = performance.now() - started;
      await mkdir(options.outputDir, { recursive: true });
      const written = [];
      // A sequence output is written one file per element (`<name>.<i>.npy`); an optional as its element, if any.
      const tensors = new Map<string, Tensor>();
      for (const [output, value] of Object.entries(outputs)) {
        const v = value instanceof OptionalValue ? value.value : value;
        if (v === undefined) continue;
        if (v instanceof TensorSequence) v.items.forEach((t, i) => tensors.set(`${output}.${i}`, t));
        else tensors.set(output, v as Tensor);
      }
      // Input files in the output folder are never overwritten by an output of the same name.
      const outDir = resolve(options.outputDir);
      const taken = new Set(inputFiles.filter((f) => resolve(f, '..') === outDir).map((f) => basename(f).toLowerCase()));
      const files = outputFileNames([...tensors.keys()], taken);
      for (const f of files) {
        const tensor = tensors.get(f.name)!;
        const file = join(options.outputDir, f.file);
        if (f.note) ctx.err(`qint: note: output ${JSON.stringify(f.name)} is written as ${f.file} (${f.note})`);
        await writeFileAtomic(file, writeNpy(tensor));
        written.push({ name: f.name, dtype: tensor.dtype, shape: [...tensor.shape], file });
      }
      if (options.json) ctx.out(JSON.stringify({ backend: options.backend, ms, outputs: written }, null, 2));
      else {
        for (const w of written) ctx.out(`${w.name}: ${w.dtype} [${w.shape.join(', ')}] -> ${w.file}`);
        ctx.out(`ran in ${ms.toFixed(2)} ms on ${options.backend}`);
      }
    });
}
