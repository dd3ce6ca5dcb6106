#!/usr/bin/env node
/**
 * The `resnet-native` entry: `doctor` runs without loading the addon (it is the command for when
 * the addon does not load), every other command imports the full CLI, which loads it.
 */
import type { Command } from 'commander';

async function main(): Promise<void> {
  let program: Command;
  if (process.argv[2] === 'doctor') {
    const [{ Command }, { doctorCommand }] = await Promise.all([
      import('commander'),
      import('./doctor/command.js'),
    ]);
    program = new Command().name('resnet-native').addCommand(doctorCommand());
  } else {
    program = (await import('./program.js')).program;
  }
  await program.parseAsync();
}

// One line for any failure, the addon's failed load included (its message names the remedy).
main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  console.error(message.startsWith('resnet-native:') ? message : `resnet-native: ${message}`);
  process.exitCode = 1;
});
