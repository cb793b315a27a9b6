/**
 * Compiles the TypeScript of src/ and views/, and the two benchmark programs that run as the
 * app's processes do, to JavaScript under dist/, file for file and in the same layout (no
 * bundle, no type check: `npm run typecheck` does that), so that the server, the worker and
 * the benchmarks' measured processes run on plain Node.js without a TypeScript loader in
 * memory (decision 0013). Takes well under a second.
 * Usage: node scripts/build.mjs   (also exported as build() for the smoke test and benchmarks)
 */
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const outdir = join(root, 'dist');
const folders = ['src', 'views'];
/** The benchmarks' measured processes: the tray's server, its bare HTTP floor and the files benchmark's measurements. */
const benchPrograms = ['test/bench/tray-server.ts', 'test/bench/http-floor.ts', 'test/bench/files.ts'];

function sources(folder) {
  return readdirSync(join(root, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts'))
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name));
}

export async function build() {
  rmSync(outdir, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: [...folders.flatMap(sources), ...benchPrograms.map((file) => join(root, file))],
    outdir,
    outbase: root,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    jsx: 'automatic',
    jsxImportSource: 'hono/jsx',
    logLevel: 'warning',
    sourcemap: 'linked',
  });
  return outdir;
}

/**
 * How one of package.json's scripts that starts compiled code (`start`, `worker`,
 * `worker:exports`) runs `node`: its options, the file it runs and that file's arguments,
 * so that tests and benchmarks start a process exactly as the script does.
 */
export function nodeArgumentsOf(script) {
  const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const launch = /(?:^|&& )node ((?:--[\w-]+(?:=\S+)? )*)(dist\/\S+\.js)((?: \S+)*)$/.exec(scripts[script] ?? '');
  if (!launch) throw new Error(`package.json: the ${script} script does not end by starting dist/….js with node`);
  const words = (text) => text.trim().split(/\s+/).filter(Boolean);
  return { options: words(launch[1]), file: join(root, launch[2]), args: words(launch[3]) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await build();
}
