#!/usr/bin/env node
// The executable: real stdout, stderr and Ctrl-C around main().
import { main } from './main.js';

const controller = new AbortController();
let interrupts = 0;
process.on('SIGINT', () => {
  // The first Ctrl-C stops the command cleanly; a second one gives up waiting.
  if (++interrupts > 1) process.exit(130);
  controller.abort();
});
process.on('SIGTERM', () => controller.abort());

const code = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
  interrupt: controller.signal,
  isTty: process.stderr.isTTY === true,
});
process.exitCode = code;
