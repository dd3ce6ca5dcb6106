#!/usr/bin/env node
// npm install hook (npm 11 runs it only once the user approves it): nothing to do when the
// loader (dist/, lib/addon_choice.ts) finds an addon that loads here, a prebuilt one for the
// libtorch found or an earlier build; otherwise build from source with `resnet-native doctor
// --build`, which finds libtorch and fetches cmake-js if it is not installed. In a clone of
// the repository (lib/ holds the sources; the package ships none), cmake-js, a devDependency,
// builds: dist/ there may be missing or older than the sources (`npm run setup` rebuilds it).
'use strict';
const { execFileSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const index = path.join(root, 'dist', 'index.cjs');
const cli = path.join(root, 'dist', 'cli.js');
const checkout = existsSync(path.join(root, 'lib', 'index.ts'));

function loads() {
  try {
    // A child process, so that a failing dlopen cannot take this one down.
    execFileSync(process.execPath, ['-e', `require(${JSON.stringify(index)})`], { stdio: 'pipe' });
    return true;
  } catch (error) {
    const why = String(error.stderr || error.message)
      .trim()
      .split('\n')[0];
    console.warn(`resnet-native: no prebuilt addon loads here (${why})`);
    return false;
  }
}

if (process.env.RESNET_NATIVE_BUILD_FROM_SOURCE !== '1' && existsSync(index) && loads()) process.exit(0);
console.log(
  'resnet-native: building the native addon from source (needs libtorch, cmake and g++; see README)',
);
try {
  if (!checkout && existsSync(cli)) {
    execFileSync(process.execPath, [cli, 'doctor', '--build'], { cwd: root, stdio: 'inherit' });
  } else {
    const cmakeJs = path.join(path.dirname(require.resolve('cmake-js/package.json')), 'bin', 'cmake-js');
    execFileSync(process.execPath, [cmakeJs, 'build', '--out', 'build', '--log-level', 'warn'], {
      cwd: root,
      stdio: 'inherit',
    });
  }
} catch {
  console.error(
    'resnet-native: the build failed. Install libtorch (Debian/Ubuntu: apt-get install libtorch-dev cmake g++) ' +
      'or set LIBTORCH to a libtorch folder, then run `npx resnet-native doctor --build` (`npx resnet-native doctor` shows what it finds).',
  );
  process.exit(1);
}
