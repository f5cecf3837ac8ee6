/**
 * A minimal HTTP server for the transport benchmark, run in its own process so its CPU is not
 * the client's: every request gets the same ~2 kB JSON body (the size of a GHL contact), with
 * keep-alive. Reports its URL over IPC and stops on "close".
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const contact = {
  contact: {
    id: 'c'.repeat(20),
    locationId: 'l'.repeat(20),
    firstName: 'Dana',
    lastName: 'Reyes',
    email: 'dana@example.com',
    phone: '+15125550142',
    tags: ['lead', 'roof-repair'],
    customFields: Array.from({ length: 12 }, (_, index) => ({ id: `field-${index}`, value: 'x'.repeat(80) })),
    dateAdded: '2026-01-01T00:00:00.000Z',
    dateUpdated: '2026-01-02T00:00:00.000Z',
  },
};
const body = JSON.stringify(contact);

const server = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    response.end(body);
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.send?.({ type: 'ready', url: `http://127.0.0.1:${port}` });
});
process.on('message', (message: unknown) => {
  if (message === 'close') server.close(() => process.exit(0));
});
