import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium; WebGPU runs on its SwiftShader adapter. */
export const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--enable-unsafe-webgpu'];

export interface ServedPage {
  readonly browser: Browser;
  /** The page that runs the bundle. */
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `js` as a module script on 127.0.0.1 (a page that loads it at `/`) and launches headless Chromium. */
export async function servePage(js: string, title: string): Promise<ServedPage> {
  const html = `<!doctype html><meta charset="utf-8"><title>${title}</title><script type="module" src="/main.js"></script>`;
  const server = createServer((req, res) => {
    if (req.url === '/main.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(js);
    else if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(html);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  return {
    browser,
    url,
    close: async () => {
      await browser.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
