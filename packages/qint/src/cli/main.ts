// The `qint` command-line tool. Each command lives in ./commands/<name>.ts and registers itself on the program.
import { QintError } from '@qint/tensor';
import { Command, CommanderError } from 'commander';
import { createProcessContext, type CliContext } from './cli-context';
import { buildProgram } from './program';

/**
 * Runs the CLI with `argv` (without the node and script entries) and returns the exit code.
 * Errors become one line on stderr (`qint: <message>`), with the stack only under `--verbose`.
 */
export async function runCli(argv: string[], ctx: CliContext = createProcessContext()): Promise<number> {
  const program: Command = buildProgram(ctx);
  const verbose = argv.includes('--verbose');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ctx.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander already printed help/version or the usage problem
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    const prefix = error instanceof QintError ? '' : 'internal error: ';
    ctx.err(`qint: ${prefix}${message}`);
    if (verbose && error instanceof Error && error.stack) ctx.err(error.stack);
    return 1;
  }
}

