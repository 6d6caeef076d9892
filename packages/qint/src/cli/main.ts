// The `qint` command-line tool. Each command lives in ./commands/<name>.ts and registers itself on the program.
import { maxTensorBytes, QintError, setMaxTensorBytes } from '@qint/tensor';
import { Command, CommanderError } from 'commander';
import { setWarningHandler } from '../warnings';
import { createProcessContext, type CliContext } from './cli-context';
import { EXIT_CODES, type FailureKind } from './exit-codes';
import { buildProgram } from './program';
import { UsageError } from './usage-error';

/**
 * Runs the CLI with `argv` (without the node and script entries) and returns the exit code ({@link EXIT_CODES}).
 * Errors become one line on stderr (`qint: <message>`), with the stack only under `--verbose`; with `--json` they
 * are also printed on stdout as `{ "error": { "kind", "code", "message", "exitCode" } }`.
 */
export async function runCli(argv: string[], ctx: CliContext = createProcessContext()): Promise<number> {
  const program: Command = buildProgram(ctx);
  const verbose = argv.includes('--verbose');
  const json = argv.includes('--json');
  // Process-wide settings of this run, restored afterwards (tests run many CLIs in one process).
  const previousWarnings = setWarningHandler((message) => ctx.err(`qint: warning: ${message}`));
  const previousLimit = maxTensorBytes();
  const fail = (kind: FailureKind, code: string, message: string, exitCode: number): number => {
    if (json) ctx.out(JSON.stringify({ error: { kind, code, message, exitCode } }, null, 2));
    return exitCode;
  };
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ctx.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander already printed help/version or the usage problem
      if (error.exitCode === 0) return 0;
      return fail('usage', error.code, error.message.replace(/^error: /, ''), EXIT_CODES.usage);
    }
    const message = error instanceof Error ? error.message : String(error);
    const known = error instanceof QintError;
    ctx.err(`qint: ${known ? '' : 'internal error: '}${message}`);
    if (verbose && error instanceof Error && error.stack) ctx.err(error.stack);
    if (error instanceof UsageError) return fail('usage', error.code, message, EXIT_CODES.usage);
    if (known) return fail('input', error.code, message, EXIT_CODES.badInput);
    return fail('internal', 'ERR_INTERNAL', message, EXIT_CODES.internal);
  } finally {
    setWarningHandler(previousWarnings);
    setMaxTensorBytes(previousLimit);
  }
}
