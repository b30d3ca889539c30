// Writes a Brotli (.br, quality 11) and a gzip (.gz, level 9) twin next to every content-hashed file in a
// folder, for the server to send as they are (ServeDir's precompressed_br/precompressed_gzip) instead of
// compressing on every request. Run by post-build.sh on Trunk's staging folder.
//
// Node, because the build already needs it (wasm-opt comes from npm's binaryen) and its zlib has both
// Brotli and gzip built in: no Debian package to install, the same output on every machine.
//
// A twin is written only when it is smaller than the file. Files without a Trunk hash (index.html,
// sw.js, the manifest, the icon) keep one name across builds and are left alone.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

// Trunk writes its 64-bit hash in hex without leading zeros: one build in sixteen has 15 digits.
const HASHED = /-[0-9a-f]{8,16}[._]/;
const COMPRESSIBLE = /\.(js|wasm|css|html|svg|json|webmanifest)$/;

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node compress.mjs <folder>');
  process.exit(2);
}

let count = 0;
for (const name of readdirSync(dir, { recursive: true }).sort()) {
  const path = join(dir, name);
  if (!statSync(path).isFile() || !HASHED.test(name) || !COMPRESSIBLE.test(name)) continue;
  const raw = readFileSync(path);
  const br = brotliCompressSync(raw, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_LGWIN]: constants.BROTLI_MAX_WINDOW_BITS,
      [constants.BROTLI_PARAM_MODE]: name.endsWith('.wasm') ? constants.BROTLI_MODE_GENERIC : constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
    },
  });
  const gz = gzipSync(raw, { level: 9 });
  for (const [ext, bytes] of [['br', br], ['gz', gz]]) {
    if (bytes.length < raw.length) {
      writeFileSync(`${path}.${ext}`, bytes);
      count += 1;
    }
  }
  console.log(`compress: ${name} ${raw.length} B, br ${br.length} B, gzip ${gz.length} B`);
}
console.log(`compress: ${count} twins written`);
