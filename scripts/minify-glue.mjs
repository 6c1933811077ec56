// Trunk's post_build hook: minifies the wasm-bindgen glue of a release build with terser
// and updates the glue's integrity hash in index.html to match.
//
// Trunk's own JS minifier cannot parse the glue (it warns and copies it unchanged);
// terser can, and the glue is then about 2 kB smaller gzipped. Exported names stay, so
// the page's loader and `bindings` see the same module.

import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const staging = process.env.TRUNK_STAGING_DIR;
if (process.env.TRUNK_PROFILE !== 'release' || !staging) {
  process.exit(0);
}

// Imported here, after the check: a debug build needs nothing from npm.
const { minify } = await import('terser');

const integrity = (text) => `sha384-${createHash('sha384').update(text).digest('base64')}`;

const glue = (await readdir(staging)).filter((name) => /^stackwright-app-[0-9a-f]+\.js$/.test(name));
if (glue.length !== 1) {
  throw new Error(`expected one wasm-bindgen glue file in ${staging}, found ${glue.length}`);
}
const path = join(staging, glue[0]);
const original = await readFile(path, 'utf8');
const { code } = await minify(original, {
  module: true,
  compress: { passes: 2 },
  mangle: true,
  format: { comments: false },
});
const html = join(staging, 'index.html');
const page = await readFile(html, 'utf8');
const before = integrity(original);
if (!page.includes(before)) {
  throw new Error(`index.html does not carry the glue's integrity hash ${before}`);
}
await writeFile(path, code);
await writeFile(html, page.replaceAll(before, integrity(code)));
console.log(`minify-glue: ${glue[0]} ${original.length} -> ${code.length} bytes`);
