import type { Command } from 'commander';
import type { WeightBitWidth } from '@qint/dynamic';
import type { Tensor } from '@qint/tensor';
import { UsageError } from '../usage-error';
import { loadModel } from '../../load-model';
import { formatBytes, summarizeModel } from '../../model-summary';
import { quantize, type QuantizeOptions, type WeightGranularity } from '../../quantize';
import { openQintFile } from '@qint/format/node';
import { saveModel } from '../../save-model';
import { benchmarkModel } from '../../benchmark-model';
import { evaluate } from '../../evaluate';
import type { CliContext } from '../cli-context';
import { writeFileAtomic } from '../../write-file-atomic';
import { readNpyArg } from '../npy-arg';
import { sensitivityReport } from '../sensitivity-report';

interface QuantizeCliOptions {
  output: string;
  mode: string;
  observer?: string;
  staticFormat?: string;
  weightBits: string;
  perChannel?: boolean;
  perTensor?: boolean;
  blockSize?: string;
  budget?: string;
  calibration?: string;
  samples: string;
  exclude?: string;
  perRow?: boolean;
  rounding: string;
  onnxFlavour?: string;
  bits?: string;
  candidates?: string;
  onnxWeights?: string;
  report?: string;
  labels?: string;
  backend: string;
  json?: boolean;
}

function parseBits(value: string): WeightBitWidth {
  const bits = Number(value);
  if (bits !== 8 && bits !== 4 && bits !== 3 && bits !== 2) throw new UsageError(`--weight-bits must be 8, 4, 3 or 2, got ${JSON.stringify(value)}`);
  return bits;
}

/** `qint quantize <model> -o <out>`: dynamic quantization, uniform or mixed precision under a budget. */
export function registerQuantize(program: Command, ctx: CliContext): void {
  program
    .command('quantize')
    .description('quantize a float model (dynamic; uniform bits, or mixed precision under --budget) and write .qint or .onnx')
    .argument('<model>', 'an .onnx file')
    .requiredOption('-o, --output <out>', 'output file: .qint, or .onnx for onnxruntime')
    .option('--mode <dynamic|static>', 'dynamic (activation ranges at run time) or static (calibrated int8)', 'dynamic')
    .option('--observer <method>', 'static: minmax (default), moving_average, histogram, percentile, entropy or mse')
    .option('--static-format <qdq|qoperator>', 'static: QuantizeLinear/DequantizeLinear pairs (default) or QLinearConv/QLinearMatMul')
    .option('--weight-bits <8|4|3|2>', 'weight bits for every layer', '8')
    .option('--per-channel', 'one scale per output channel (the default)')
    .option('--per-tensor', 'one scale per weight tensor')
    .option('--block-size <n>', 'one scale per block of n along K (e.g. 32, 64, 128)')
    .option('--budget <size>', 'mixed precision: weight budget as bytes, KB/MB, a ratio of the int8 model (0.5x) or bits per weight (4.5bits)')
    .option('--calibration <inputs.npy>', 'samples [N, ...]: layer sensitivity for --budget, activation ranges for --mode static')
    .option('--samples <n>', 'calibration samples to use', '128')
    .option('--exclude <node,...>', 'node names or op types to keep in float')
    .option('--per-row', 'quantize activations per row (token) instead of per tensor')
    .option('--rounding <nearest|gptq>', 'weight rounding: nearest, or gptq (error feedback over each layer\'s inputs on --calibration; same size)', 'nearest')
    .option('--onnx-flavour <standard|matmulnbits>', 'ops used for .onnx output (default standard; with --budget, matmulnbits, which holds 4/2-bit MatMul blocks)')
    .option('--bits <list>', 'with --budget: only these weight bit widths, e.g. 4,8 (float stays a choice)')
    .option('--candidates <set|ids>', 'with --budget: search (blocks 32/64/128, MSE clipping; default with --calibration), default, or a list of candidate ids such as int8-per-channel,int4-block32')
    .option('--onnx-weights <u8|s8>', '8-bit weight storage in .onnx output: u8 (exact in onnxruntime on every CPU) or s8 (full-range u8×s8: wrong results in onnxruntime on x86 CPUs without AVX-512 VNNI); default u8')
    .option('--report <out.html>', 'also write an HTML report (latency of float and quantized measured; accuracy with --labels)')
    .option('--labels <y.npy>', 'with --report: labels of the --calibration samples, to measure float and quantized accuracy')
    .option('-b, --backend <js|wasm>', 'backend for calibration runs', 'wasm')
    .option('--json', 'print machine-readable JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  qint quantize mnist-8.onnx -o mnist-int8.qint\n  qint quantize model.onnx -o model-q4.qint --weight-bits 4 --block-size 32\n' +
        '  qint quantize model.onnx -o mixed.qint --budget 0.5x --calibration x.npy --report report.html\n' +
        '  qint quantize model.onnx -o model-q3.qint --weight-bits 3 --rounding gptq --calibration x.npy\n  qint quantize model.onnx -o model.int8.onnx   # runs in onnxruntime',
    )
    .action(async (path: string, o: QuantizeCliOptions) => {
      if (o.mode !== 'dynamic' && o.mode !== 'static') throw new UsageError(`--mode must be dynamic or static, got ${JSON.stringify(o.mode)}`);
      if (o.mode === 'static' && !o.calibration) throw new UsageError('--mode static needs --calibration <inputs.npy> to measure activation ranges');
      if (o.mode !== 'static' && (o.observer || o.staticFormat)) throw new UsageError('--observer and --static-format need --mode static');
      if (o.perTensor && (o.perChannel || o.blockSize)) throw new UsageError('--per-tensor cannot be combined with --per-channel or --block-size');
      if (o.perChannel && o.blockSize) throw new UsageError('--per-channel cannot be combined with --block-size');
      if (o.rounding !== 'nearest' && o.rounding !== 'gptq') throw new UsageError(`--rounding must be nearest or gptq, got ${JSON.stringify(o.rounding)}`);
      if (o.rounding === 'gptq' && !o.calibration) throw new UsageError('--rounding gptq needs --calibration <inputs.npy>: each layer\'s inputs on those samples decide the rounding');
      if (o.rounding === 'gptq' && o.mode === 'static') throw new UsageError('--rounding gptq is for --mode dynamic');
      if (o.onnxFlavour !== undefined && o.onnxFlavour !== 'standard' && o.onnxFlavour !== 'matmulnbits') throw new UsageError(`--onnx-flavour must be standard or matmulnbits, got ${o.onnxFlavour}`);
      // The format is told by the extension: anything else would be a .qint under a misleading name.
      const ext = /\.(qint|onnx)$/i.exec(o.output)?.[1]?.toLowerCase();
      if (!ext) throw new UsageError(`-o ${o.output}: the output must end in .qint (qint's file) or .onnx (for onnxruntime); the format is told by the extension`);
      if ((o.bits || o.candidates) && !o.budget) throw new UsageError('--bits and --candidates restrict the --budget search; without --budget use --weight-bits');
      const searchBits = o.bits === undefined ? undefined : o.bits.split(',').map((b) => Number(b.trim()));
      if (searchBits && searchBits.some((b) => ![2, 3, 4, 8].includes(b))) throw new UsageError(`--bits takes 2, 3, 4 and 8, got ${JSON.stringify(o.bits)}`);
      const candidateList = o.candidates === undefined ? undefined : o.candidates === 'search' || o.candidates === 'default' ? o.candidates : o.candidates.split(',').map((c) => c.trim()).filter(Boolean);
      // A plan is searched only among what the output can hold; for .onnx that is the flavour with the most room.
      let onnxFlavour = o.onnxFlavour as 'standard' | 'matmulnbits' | undefined;
      if (ext === 'onnx' && o.budget && onnxFlavour === undefined) {
        onnxFlavour = 'matmulnbits';
        ctx.err('qint: note: --budget with .onnx output searches what com.microsoft MatMulNBits holds (8-bit, and 4/2-bit MatMul weights in blocks of 32/64/128; Conv 8-bit); --onnx-flavour standard allows 8-bit only, a .qint output every candidate');
      }
      const target = ext === 'qint' ? ('qint' as const) : onnxFlavour === 'matmulnbits' ? ('onnx-matmulnbits' as const) : ('onnx-standard' as const);
      if (o.onnxWeights !== undefined && o.onnxWeights !== 'u8' && o.onnxWeights !== 's8') throw new UsageError(`--onnx-weights must be u8 or s8, got ${JSON.stringify(o.onnxWeights)}`);
      const onnxOut = o.output.toLowerCase().endsWith('.onnx');
      if (o.onnxWeights !== undefined && !onnxOut && o.mode === 'dynamic') throw new UsageError('--onnx-weights is for .onnx output (a dynamic .qint model keeps qint\'s own integer ops, exact on every CPU)');
      const onnxWeightType = o.onnxWeights === 's8' ? 'int8' : 'uint8';
      if (o.onnxWeights === 's8') {
        ctx.err('qint: warning: --onnx-weights s8 writes u8 × s8 integer ops, which onnxruntime computes wrong (int16 saturation) on x86 CPUs without AVX-512 VNNI / AVX-VNNI; the default u8 is exact everywhere');
      }
      const blockSize = o.blockSize === undefined ? undefined : Number(o.blockSize);
      if (blockSize !== undefined && !(Number.isInteger(blockSize) && blockSize > 0)) throw new UsageError(`--block-size must be a positive integer, got ${o.blockSize}`);
      const samples = Number(o.samples);
      if (!(Number.isInteger(samples) && samples > 0)) throw new UsageError(`--samples must be a positive integer, got ${o.samples}`);
      const granularity: WeightGranularity = o.perTensor ? 'per-tensor' : blockSize ? 'per-block' : 'per-channel';
      const model = await loadModel(path);
      let calibration: Tensor | undefined;
      if (o.calibration) calibration = await readNpyArg(o.calibration, '--calibration');
      if (o.calibration && !o.budget && o.mode === 'dynamic' && o.rounding !== 'gptq') ctx.err('qint: note: --calibration is only used with --budget, --rounding gptq or --mode static');
      let bar: ReturnType<CliContext['progress']> | undefined;
      const result = await quantize(model, {
        mode: o.mode as 'dynamic' | 'static',
        observer: o.observer as QuantizeOptions['observer'],
        staticFormat: o.staticFormat as QuantizeOptions['staticFormat'],
        ...(o.mode === 'static' ? { onnxWeightType } : {}),
        weightBits: parseBits(o.weightBits),
        granularity,
        blockSize,
        perRow: o.perRow,
        rounding: o.rounding as 'nearest' | 'gptq',
        exclude: o.exclude ? o.exclude.split(',').map((s) => s.trim()).filter(Boolean) : undefined,
        budget: o.budget,
        ...(o.budget ? { target, ...(searchBits ? { bits: searchBits } : {}), ...(candidateList ? { candidates: candidateList } : {}) } : {}),
        calibration,
        calibrationSamples: samples,
        backend: o.backend as 'js' | 'wasm',
        onProgress: (done, total) => {
          bar ??= ctx.progress(o.mode === 'static' ? 'calibration' : 'sensitivity', total, o.json);
          bar.tick();
          if (done === total) bar.stop();
        },
      });
      const fileBytes = await saveModel(result.model, o.output, {
        onnxFlavour,
        onnxWeightType,
        metadata: { recipe: { tool: 'qint quantize', args: { mode: o.mode, weightBits: o.weightBits, granularity, blockSize: blockSize ?? null, budget: o.budget ?? null, ...(o.rounding === 'gptq' ? { rounding: 'gptq' } : {}), ...(o.mode === 'static' ? { observer: o.observer ?? 'minmax', staticFormat: o.staticFormat ?? 'qdq' } : {}) } }, ...(result.mixedPrecision ? { plan: result.mixedPrecision.plan as never } : {}) },
      });
      const { report } = result;
      if (o.report) {
        // Measured, not left as dashes: latency always (random inputs of the model's shapes, on --backend), accuracy
        // when labels come with the samples; what is missing is said, with the flag that gives it.
        const missing: string[] = [];
        const lat = async (m: typeof model) => ({ [o.backend]: (await benchmarkModel(m, { backend: o.backend as 'js' | 'wasm', iterations: 10, warmup: 2 })).medianMs });
        const acc = async (m: typeof model) => (labels && calibration ? (await evaluate(m, calibration, labels, { backend: o.backend as 'js' | 'wasm' })).accuracy : undefined);
        const labels = o.labels ? await readNpyArg(o.labels, '--labels') : undefined;
        if (!labels) missing.push('Accuracy not measured: give --labels y.npy for the --calibration samples (or run qint eval on both models).');
        if (labels && !calibration) missing.push('Accuracy not measured: --labels needs --calibration x.npy (the samples they label).');
        const measured = {
          float: { latencyMs: await lat(model), ...(labels && calibration ? { accuracy: await acc(model) } : {}) },
          quantized: { latencyMs: await lat(result.model), ...(labels && calibration ? { accuracy: await acc(result.model) } : {}) },
          ...(labels && calibration ? { samples: calibration.shape[0] } : {}),
          missing: [...missing, `Latency: median of 10 runs on random inputs, ${o.backend} backend (the other backend: qint bench --backend ${o.backend === 'wasm' ? 'js' : 'wasm'}).`],
        };
        const html = sensitivityReport({
          measured,
          title: `qint quantize ${path}`,
          floatBytes: summarizeModel(model).parameterBytes,
          quantBytes: summarizeModel(result.model).parameterBytes,
          fileBytes,
          report,
          mixed: result.mixedPrecision,
        });
        await writeFileAtomic(o.report, html);
      }
      // The graph's share of the file (the .qint JSON header: nodes, attributes, tensor table), beside the weights':
      // for a small model it is most of the file.
      let graphBytes: number;
      if (ext === 'qint') {
        const reader = await openQintFile(o.output, { verifyChecksums: false });
        graphBytes = reader.info.headerByteLength;
        await reader.close();
      } else graphBytes = Math.max(0, fileBytes - report.weightBytesAfter);
      const summary = {
        output: o.output,
        fileBytes,
        graphBytes,
        weightBytesBefore: report.weightBytesBefore,
        weightBytesAfter: report.weightBytesAfter,
        quantized: report.quantized,
        skipped: report.skipped,
        warnings: report.warnings,
        ...(result.mixedPrecision ? { plan: result.mixedPrecision.plan } : {}),
      };
      if (o.json) {
        ctx.out(JSON.stringify(summary, null, 2));
        return;
      }
      for (const q of report.quantized) ctx.out(`  ${q.node.padEnd(24)} ${q.opType.padEnd(8)} -> ${q.as} ${q.bits}-bit ${q.granularity}${q.blockSize ? ` ${q.blockSize}` : ''}  ${formatBytes(q.weightBytesBefore)} -> ${formatBytes(q.weightBytesAfter)}`);
      for (const s of report.skipped) ctx.out(`  ${s.node.padEnd(24)} ${s.opType.padEnd(8)} kept float: ${s.reason}`);
      for (const w of report.warnings) ctx.err(`qint: warning: ${w}`);
      ctx.out(
        `wrote ${o.output} (${formatBytes(fileBytes)}: graph ${formatBytes(graphBytes)}, weights ${formatBytes(report.weightBytesAfter)}); weights ${formatBytes(report.weightBytesBefore)} -> ${formatBytes(report.weightBytesAfter)} (${(report.weightBytesBefore / report.weightBytesAfter).toFixed(2)}x smaller)`,
      );
      if (result.mixedPrecision) {
        const p = result.mixedPrecision.plan;
        ctx.out(`plan for budget ${o.budget}: ${formatBytes(p.predicted.bytes)} of quantized weights, ${p.predicted.avgBitsPerWeight.toFixed(2)} bits/weight, predicted damage ${p.predicted.damage.toPrecision(3)}`);
      }
    });
}
