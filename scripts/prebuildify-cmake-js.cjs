#!/usr/bin/env node
// prebuildify drives node-gyp; this stands in for it (`--node-gyp`) and builds with cmake-js
// instead. Node-API builds do not depend on the Node version, so `--target` is ignored.
'use strict';
const { execFileSync } = require('node:child_process');
const path = require('node:path');

const args = process.argv.slice(2);
if (args[0] !== 'rebuild') {
  console.error(`prebuildify-cmake-js: unsupported command ${args[0]}`);
  process.exit(1);
}
const debug = args.includes('--debug');
const cmakeJs = path.join(path.dirname(require.resolve('cmake-js/package.json')), 'bin', 'cmake-js');
execFileSync(process.execPath, [cmakeJs, 'rebuild', '--out', 'build', ...(debug ? ['--debug'] : [])], {
  stdio: 'inherit',
});
