// The `proxy` option itself: the URLs accepted and refused (and the password kept out of messages), a proxy with
// a connector refused, the `socks` package missing, and the browser platform refusing a proxy. No sockets.
import { describe, expect, it } from 'vitest';
import { MiningClient } from '../../src/clients/mining-client.js';
import { ElectrumClient } from '../../src/electrum.js';
import { openStream, openWebSocket, parseProxy } from '../../src/platform/platform.browser.js';
import { DEFAULT_SOCKS_PORT, isOnion, parseProxyUrl } from '../../src/platform/proxy.js';
import { proxyOption } from '../../src/platform/proxy-option.js';
import { ConnectError } from '../../src/runtime/errors.js';
import { importSocks, socksReplyMeaning } from '../../src/runtime/node/socks.js';
import type { Connector } from '../../src/runtime/transport.js';

describe('parseProxyUrl', () => {
  it('reads socks5h:// and socks5://, with the SOCKS port by default', () => {
    expect(parseProxyUrl('socks5h://127.0.0.1:9050')).toEqual({ url: 'socks5h://127.0.0.1:9050', host: '127.0.0.1', port: 9050, remoteDns: true });
    expect(parseProxyUrl('SOCKS5://proxy.example')).toEqual({ url: 'socks5://proxy.example', host: 'proxy.example', port: DEFAULT_SOCKS_PORT, remoteDns: false });
    expect(parseProxyUrl('socks5h://[::1]:9050/')).toMatchObject({ host: '::1', port: 9050 });
  });

  it('decodes the credentials and shows the URL without the password', () => {
    const proxy = parseProxyUrl('socks5h://tor%20user:p%40ss%3Aword@127.0.0.1:9050');
    expect(proxy).toMatchObject({ username: 'tor user', password: 'p@ss:word', url: 'socks5h://tor%20user:***@127.0.0.1:9050' });
    expect(parseProxyUrl('socks5h://isolation@127.0.0.1:9050')).toMatchObject({ username: 'isolation', password: '' });
  });

  it('refuses what is not a complete SOCKS5 proxy URL, with ConnectError', () => {
    const refused: [string, RegExp][] = [
      ['127.0.0.1:9050', /unsupported scheme|not a URL/],
      ['not a url', /not a URL/],
      ['http://127.0.0.1:8080', /unsupported scheme "http" \(only SOCKS5/],
      ['socks4://127.0.0.1:9050', /unsupported scheme "socks4"/],
      ['socks5h://127.0.0.1:9050/path', /no path, query or fragment/],
      ['socks5h://127.0.0.1:9050?x=1', /no path, query or fragment/],
      [`socks5h://${'u'.repeat(256)}:p@127.0.0.1:9050`, /username is longer than 255 bytes/],
      ['socks5h://u:%ZZ@127.0.0.1:9050', /password is not valid percent-encoding/],
    ];
    for (const [url, message] of refused) {
      expect(() => parseProxyUrl(url), url).toThrow(ConnectError);
      expect(() => parseProxyUrl(url), url).toThrow(message);
    }
    // A refused URL's password never appears in the message.
    expect(() => parseProxyUrl('socks5h://u:hunter2@127.0.0.1:9050/x')).toThrow(/socks5h:\/\/u:\*\*\*@127\.0\.0\.1:9050:/);
  });

  it('knows onion names', () => {
    expect(isOnion('abc.onion')).toBe(true);
    expect(isOnion('ABC.ONION.')).toBe(true);
    expect(isOnion('onion.example')).toBe(false);
  });

  it('names the SOCKS5 reply codes, Tor’s included', () => {
    expect(socksReplyMeaning(5)).toBe('connection refused by the server');
    expect(socksReplyMeaning(0xf6)).toBe('invalid onion address');
    expect(socksReplyMeaning(0x42)).toBe('unknown reply code');
  });
});

describe('the proxy option on the clients', () => {
  const connector: Connector = () => Promise.reject(new ConnectError('unused'));

  it('is refused together with a connector, which would bypass it', async () => {
    expect(() => proxyOption({ proxy: 'socks5h://127.0.0.1:9050', connector })).toThrow(/either `proxy` or `connector`/);
    expect(() => new ElectrumClient('tcp://127.0.0.1:50001', { proxy: 'socks5h://127.0.0.1:9050', connector })).toThrow(ConnectError);
    await expect(MiningClient.connect('stratum+tcp://127.0.0.1:3333', { proxy: 'socks5h://127.0.0.1:9050', connector })).rejects.toThrow(/either `proxy` or `connector`/);
  });

  it('reports a bad proxy URL when the client is made', async () => {
    expect(() => new ElectrumClient('tcp://127.0.0.1:50001', { proxy: 'http://127.0.0.1:8080' })).toThrow(/unsupported scheme "http"/);
    expect(() => new ElectrumClient('ws://127.0.0.1:50003', { proxy: 'socks5h://' })).toThrow(ConnectError);
    await expect(MiningClient.connect('stratum+tcp://127.0.0.1:3333', { proxy: 'socks4://127.0.0.1:9050' })).rejects.toThrow(/unsupported scheme "socks4"/);
  });
});

describe('without the socks package', () => {
  it('says to install it', async () => {
    const missing = Object.assign(new Error("Cannot find package 'socks'"), { code: 'ERR_MODULE_NOT_FOUND' });
    const error = importSocks(() => Promise.reject(missing));
    await expect(error).rejects.toBeInstanceOf(ConnectError);
    await expect(error).rejects.toThrow(/optional dependency that is not installed: npm install socks/);
    await expect(importSocks(() => Promise.resolve({}))).rejects.toThrow(/no SocksClient export/);
  });

  it('loads the installed one, named or as the CommonJS default', async () => {
    const real = await import('socks');
    expect(await importSocks(() => Promise.resolve(real))).toBe(real.SocksClient);
    expect(await importSocks(() => Promise.resolve({ default: { SocksClient: real.SocksClient } }))).toBe(real.SocksClient);
  });
});

describe('in a browser or React Native bundle', () => {
  const proxy = parseProxyUrl('socks5h://127.0.0.1:9050');

  it('refuses a proxy for WebSockets, which the platform cannot route through SOCKS', () => {
    expect(() => openWebSocket({ url: 'wss://electrum.example:50004', maxMessageSize: 1000, proxy })).toThrow(ConnectError);
    expect(() => openWebSocket({ url: 'wss://electrum.example:50004', maxMessageSize: 1000, proxy })).toThrow(/cannot use a SOCKS proxy.*\(socks5h:\/\/127\.0\.0\.1:9050\)/);
  });

  it('refuses any proxy URL when the client is made, without reading it (nor showing its password)', () => {
    for (const url of ['socks5h://user:secret@127.0.0.1:9050', 'not a url']) {
      expect(() => parseProxy(url)).toThrow(ConnectError);
      expect(() => parseProxy(url)).toThrow(/cannot use a SOCKS proxy/);
      expect(() => parseProxy(url)).not.toThrow(/secret/);
    }
  });

  it('has no raw sockets for tcp:// or tls:// at all', () => {
    expect(() => openStream({ url: 'tcp://x.onion:50001', host: 'x.onion', port: 50001, tls: false, framing: {}, proxy })).toThrow(/no raw TCP or TLS sockets/);
  });
});
