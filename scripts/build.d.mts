/** The project's folder. */
export const root: string;
/** Where the compiled copy goes: dist/ under the project's folder. */
export const outdir: string;
/** Compiles src/, views/ and the benchmarks' measured programs to dist/; resolves with dist/'s path. */
export function build(): Promise<string>;
/** How a package.json script that starts compiled code runs node. */
export function nodeArgumentsOf(script: string): { options: string[]; file: string; args: string[] };
