/**
 * Run by loaded-modules.test.ts as a process of its own (`tsx test/e2e/loaded-modules-process.ts`):
 * records every module the process loads through the ES module loader (a loader hook reports each
 * URL back over a MessagePort), starts the gateway with the configuration in its environment,
 * asks it one query over HTTP, and prints `{"answered": …, "loaded": [urls]}` on stdout.
 * Modules a CommonJS package requires internally are not seen; the package's entry is.
 */
import { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';

const HOOK = `
let port;
export function initialize(data) { port = data.port; }
export async function load(url, context, next) { port.postMessage(url); return next(url, context); }
`;

const loaded = new Set<string>();
const { port1, port2 } = new MessageChannel();
port1.on('message', (url: string) => loaded.add(url));
port1.unref();
register(`data:text/javascript,${encodeURIComponent(HOOK)}`, { data: { port: port2 }, transferList: [port2] });

const { parseConfig } = await import('../../src/config.js');
const { startGateway } = await import('../../src/gateway.js');
const gateway = await startGateway(parseConfig(process.env));
const response = await fetch(gateway.graphqlUrl, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ query: '{ __typename }' }),
});
const answered = response.status === 200 && JSON.stringify(await response.json()).includes('Query');
// The hook's messages arrive on this thread's event loop: let the last ones in.
await new Promise((resolve) => setTimeout(resolve, 200));
await gateway.close();
process.stdout.write(`${JSON.stringify({ answered, loaded: [...loaded] })}\n`);
process.exit(0);
