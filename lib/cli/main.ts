#!/usr/bin/env node
/** The `resnet-native` command line. */
import { Command } from 'commander';
import { cuda, getNumThreads, version } from '../index.js';

const program = new Command()
  .name('resnet-native')
  .description('Train, evaluate and run ResNets on libtorch from Node.js')
  .version(version.resnetNative);

program
  .command('info')
  .description('versions, threads and devices')
  .action(() => {
    const lines = [
      `resnet-native ${version.resnetNative}`,
      `libtorch      ${version.libtorch}`,
      `cuda          ${version.cuda ?? 'not available'}`,
      `cudnn         ${version.cudnn ?? 'not available'}`,
      `threads       ${getNumThreads()}`,
      `cuda devices  ${cuda.isAvailable() ? cuda.deviceCount() : 0}`,
    ];
    console.log(lines.join('\n'));
  });

program.parse();
