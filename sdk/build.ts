import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/**
 * Builds the browser SDK into sdk/dist:
 *   huaxiang.min.js   the script-tag build (IIFE, minified): what the server serves at /sdk/v1/huaxiang.min.js
 *   index.js          the ES module for `npm install @huaxiang/sdk` (minified, no dependencies)
 *   (its index.d.ts … come from `tsc -p sdk/tsconfig.json`, run by the package's own build before publishing)
 * and fails when the script-tag build is over its budget: 6 KB min+gzip.
 *
 *   node bin/run-ts.js sdk/build.ts [--max-bytes N] [--out DIR]
 */

export const sdkDir = path.dirname(fileURLToPath(import.meta.url));
export const defaultOut = path.join(sdkDir, 'dist');
export const BUDGET = 6 * 1024;
/** ES2019: every browser since 2019 (fetch keepalive, sendBeacon, URLSearchParams); newer syntax is lowered */
const target = ['es2019'];

export interface SdkBuild {
  file: string;
  minBytes: number;
  gzipBytes: number;
}

export async function buildSdk(o: { out?: string; maxBytes?: number } = {}): Promise<SdkBuild> {
  const out = o.out ?? defaultOut;
  const { version } = JSON.parse(fs.readFileSync(path.join(sdkDir, 'package.json'), 'utf8')) as { version: string };
  const common = { bundle: true, minify: true, target, define: { __HX_VERSION__: JSON.stringify(version) }, legalComments: 'none' as const, logLevel: 'error' as const };
  fs.mkdirSync(out, { recursive: true });
  const file = path.join(out, 'huaxiang.min.js');
  await build({ ...common, entryPoints: [path.join(sdkDir, 'src', 'browser.ts')], format: 'iife', outfile: file });
  await build({ ...common, entryPoints: [path.join(sdkDir, 'src', 'index.ts')], format: 'esm', outfile: path.join(out, 'index.js') });
  const code = fs.readFileSync(file);
  const gzipBytes = gzipSync(code, { level: 9 }).length;
  const max = o.maxBytes ?? BUDGET;
  if (gzipBytes > max) {
    fs.rmSync(file);
    throw new Error(`the SDK is ${gzipBytes} bytes min+gzip, over its budget of ${max} bytes (${(max / 1024).toFixed(1)} KB)`);
  }
  return { file, minBytes: code.length, gzipBytes };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const out = arg('--out') ?? defaultOut;
  try {
    const r = await buildSdk({ out, maxBytes: arg('--max-bytes') ? Number(arg('--max-bytes')) : undefined });
    console.log(`sdk: ${path.relative(process.cwd(), r.file)} ${r.minBytes} bytes minified, ${r.gzipBytes} bytes min+gzip (budget ${BUDGET})`);
  } catch (err) {
    console.error(`sdk build failed: ${(err as Error).message}`);
    process.exit(1);
  }
}
