// The `qint` executable (package.json "bin"): always runs the CLI. Kept apart from main.ts so that importing the CLI
// in tests never starts it, and so that it runs however it is invoked (npm links bins as symlinks, pnpm as shims).
import { runCli } from './main';

runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
