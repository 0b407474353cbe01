// `--proxy` on the commands that connect (call, subscribe, mine, conformance), against the regtest world through a
// SOCKS5 proxy on 127.0.0.1: every connection a command makes goes through it, the wrong-server probe included.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../../src/regtest/world.js';
import { runCli } from '../helpers/cli.js';
import { startSocks5Server, type Socks5Server } from '../helpers/socks5-server.js';

let world: World;
let proxy: Socks5Server;
beforeAll(async () => {
  world = await startWorld({ ports: { electrumTcp: 0, electrumWs: 0, stratum: 0 } });
  proxy = await startSocks5Server();
});
afterAll(async () => {
  await proxy.close();
  await world.close();
});

const hostPort = (url: string) => new URL(url.replace(/^[a-z+]+:/, 'http:')).host;

describe('--proxy', () => {
  it('is in the help of every command that connects', async () => {
    for (const command of ['call', 'subscribe', 'mine', 'conformance']) {
      expect((await runCli([command, '--help'])).stdout, command).toMatch(/--proxy <url> +connect through a SOCKS5 proxy: socks5h:\/\/127\.0\.0\.1:9050 for Tor/);
    }
  });

  it('call: Electrum and Stratum through the proxy', async () => {
    const before = proxy.requests.length;
    const banner = await runCli(['call', world.urls.electrumTcp, 'server.banner', '--proxy', proxy.url]);
    expect(banner.code).toBe(0);
    expect(JSON.parse(banner.stdout)).toEqual(expect.any(String));
    const subscribe = await runCli(['call', world.urls.stratum, 'mining.subscribe', '--proxy', proxy.url]);
    expect(subscribe.code).toBe(0);
    expect(proxy.requests.slice(before).map((r) => `${r.host}:${r.port}`)).toEqual([hostPort(world.urls.electrumTcp), hostPort(world.urls.stratum)]);
  });

  it('the wrong-server probe goes through the proxy too', async () => {
    const before = proxy.requests.length;
    const electrum = hostPort(world.urls.electrumTcp);
    const r = await runCli(['call', `stratum+tcp://${electrum}`, 'mining.subscribe', '--proxy', proxy.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/looks like an Electrum server/);
    // The call and the probe, both to the Electrum server, both through the proxy.
    expect(proxy.requests.slice(before).map((r) => `${r.host}:${r.port}`)).toEqual([electrum, electrum]);
  });

  it('conformance through the proxy: every connection of the run goes through it', async () => {
    const before = proxy.requests.length;
    const r = await runCli(['conformance', world.urls.electrumTcp, '--json', '--proxy', proxy.url]);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { ok: boolean }).ok).toBe(true);
    const seen = proxy.requests.slice(before);
    expect(seen.length).toBeGreaterThanOrEqual(2); // the client and the raw probes
    expect(new Set(seen.map((s) => `${s.host}:${s.port}`))).toEqual(new Set([hostPort(world.urls.electrumTcp)]));
  });

  it('a bad proxy URL is bad usage (exit 2); a proxy that is down is a connection failure (exit 1)', async () => {
    const bad = await runCli(['call', world.urls.electrumTcp, 'server.banner', '--proxy', 'http://127.0.0.1:8080']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--proxy: .*unsupported scheme "http"/);
    const down = await runCli(['call', world.urls.electrumTcp, 'server.banner', '--proxy', 'socks5h://127.0.0.1:1']);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^CONNECT: .*cannot reach the proxy at 127\.0\.0\.1:1/);
  });
});
