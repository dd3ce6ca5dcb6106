#!/usr/bin/env node
// npm install hook: use the prebuilt addon when it loads here (right platform, Node-API,
// and the libtorch it was linked against), otherwise build from source with cmake-js.
'use strict';
const { execFileSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const prebuilt = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'resnet-native.node');

function loads(file) {
  try {
    // A child process, so that a failing dlopen cannot take this one down.
    execFileSync(process.execPath, ['-e', `require(${JSON.stringify(file)})`], { stdio: 'pipe' });
    return true;
  } catch (error) {
    console.warn(
      `resnet-native: the prebuilt addon does not load here (${
        String(error.stderr || error.message)
          .trim()
          .split('\n')[0]
      })`,
    );
    return false;
  }
}

if (process.env.RESNET_NATIVE_BUILD_FROM_SOURCE !== '1' && existsSync(prebuilt) && loads(prebuilt)) {
  process.exit(0);
}
console.log(
  'resnet-native: building the native addon from source (needs libtorch, cmake and g++; see README)',
);
const cmakeJs = path.join(path.dirname(require.resolve('cmake-js/package.json')), 'bin', 'cmake-js');
try {
  execFileSync(process.execPath, [cmakeJs, 'build', '--out', 'build', '--log-level', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  });
} catch {
  console.error(
    'resnet-native: the build failed. Install libtorch (Debian/Ubuntu: apt-get install libtorch-dev cmake g++) ' +
      'or set LIBTORCH to a libtorch folder, then run `npx resnet-native doctor --build` (`npx resnet-native doctor` shows what it finds).',
  );
  process.exit(1);
}
