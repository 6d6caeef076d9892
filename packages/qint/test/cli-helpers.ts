import { runCli } from '../src/cli/main';
import type { CliContext } from '../src/cli/cli-context';

/** Runs the CLI in-process, capturing what it prints. */
export async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const ctx: CliContext = {
    exitCode: 0,
    out: (t) => (out += t.endsWith('\n') ? t : `${t}\n`),
    err: (t) => (err += t.endsWith('\n') ? t : `${t}\n`),
    progress: () => ({ tick() {}, stop() {} }),
  };
  const code = await runCli(argv, ctx);
  return { code, out, err };
}
