#!/usr/bin/env node
// Issue 15 item 3: the latency `stratum-sdk proxy` adds. One request at a time (blockchain.scripthash.get_balance,
// a round trip each) straight to bench/electrum-echo-server.mjs, and the same through the proxy, which runs as
// the built command in its own process (as a user runs it) and checks every message on the way. Rounds are
// interleaved (direct, proxied, direct, ...) so that the machine's load moves both alike; each round reports its
// median round trip, and the ratio proxied/direct is printed as min / median / max over the rounds.
//
// Run: npm run build && node bench/proxy-latency.mjs [--rounds 10] [--requests 500]
import { spawn } from 'node:child_process';
import { bareConnection, median, scripthashes, startServer } from './server-process.mjs';

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  if (at === -1) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`--${name} must be a positive integer`);
  return value;
}

const ROUNDS = option('rounds', 10);
const REQUESTS = option('requests', 500);
const BIN = new URL('../dist/cli/bin.js', import.meta.url).pathname;

function startProxy(upstreamPort) {
  const child = spawn(process.execPath, [BIN, 'proxy', '--listen', 'tcp://127.0.0.1:0', '--upstream', `tcp://127.0.0.1:${upstreamPort}`, '--protocol', 'electrum'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (t) => {
    // Connection lines are expected; a VIOLATION would mean the bench traffic itself is off-spec.
    stderr += t;
  });
  const port = new Promise((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (t) => {
      out += t;
      const m = /proxy tcp:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`the proxy exited (code ${code}): ${stderr}`)));
  });
  return {
    port,
    stderr: () => stderr,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGINT');
      }),
  };
}

async function roundTrips(connection, keys) {
  const times = [];
  for (let i = 0; i < REQUESTS; i++) {
    const start = process.hrtime.bigint();
    await connection.call('blockchain.scripthash.get_balance', [keys[i % keys.length]]);
    times.push(Number(process.hrtime.bigint() - start) / 1e3);
  }
  return median(times);
}

async function main() {
  const server = await startServer();
  const proxy = startProxy(server.port);
  try {
    const keys = scripthashes(64);
    const direct = await bareConnection(server.port, { name: 'direct' });
    const proxied = await bareConnection(await proxy.port, { name: 'proxied' });
    // Warm-up: JIT on both paths, the proxy's validators compiled.
    await roundTrips(direct, keys);
    await roundTrips(proxied, keys);
    const ratios = [];
    const d = [];
    const p = [];
    for (let r = 0; r < ROUNDS; r++) {
      const a = await roundTrips(direct, keys);
      const b = await roundTrips(proxied, keys);
      d.push(a);
      p.push(b);
      ratios.push(b / a);
    }
    direct.close();
    proxied.close();
    const sorted = [...ratios].sort((x, y) => x - y);
    const us = (v) => `${v.toFixed(0)} µs`;
    console.log(`proxy latency: ${ROUNDS} interleaved rounds of ${REQUESTS} sequential get_balance round trips`);
    console.log(`  direct   median round trip ${us(median(d))} (rounds ${us(Math.min(...d))} - ${us(Math.max(...d))})`);
    console.log(`  proxied  median round trip ${us(median(p))} (rounds ${us(Math.min(...p))} - ${us(Math.max(...p))}), every message checked`);
    console.log(`  proxied / direct: min ${sorted[0].toFixed(2)}x, median ${median(ratios).toFixed(2)}x, max ${sorted[sorted.length - 1].toFixed(2)}x; added ≈ ${us(median(p) - median(d))} per round trip`);
    if (/VIOLATION/.test(proxy.stderr())) console.log(`  note: the proxy reported violations in the bench traffic:\n${proxy.stderr()}`);
  } finally {
    await proxy.stop();
    await server.stop();
  }
}

await main();
