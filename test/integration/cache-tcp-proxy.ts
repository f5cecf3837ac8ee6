/**
 * A TCP forwarder put between the gateway and the shared Redis, so a test can make Redis
 * "go away" without stopping the Redis server other people use:
 *   cut()     drops every connection and resets new ones (Redis down, connection refused);
 *   freeze()  keeps connections open but stops forwarding (Redis hung: nothing answers);
 *   restore() forwards again (frozen bytes are delivered, in order).
 */
import net, { type AddressInfo, type Socket } from 'node:net';

interface Pair {
  client: Socket;
  upstream: Socket;
}

export class TcpProxy {
  private readonly server: net.Server;
  private readonly pairs = new Set<Pair>();
  private mode: 'open' | 'cut' | 'frozen' = 'open';

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {
    this.server = net.createServer((client) => this.accept(client));
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  cut(): void {
    this.mode = 'cut';
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
  }

  freeze(): void {
    this.mode = 'frozen';
    for (const pair of this.pairs) this.stopForwarding(pair);
  }

  restore(): void {
    this.mode = 'open';
    for (const pair of this.pairs) this.forward(pair);
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (this.mode === 'cut') {
      client.destroy();
      return;
    }
    const pair: Pair = { client, upstream: net.connect(this.targetPort, this.targetHost) };
    this.pairs.add(pair);
    for (const socket of [pair.client, pair.upstream]) {
      socket.on('error', () => {});
      socket.on('close', () => {
        this.pairs.delete(pair);
        pair.client.destroy();
        pair.upstream.destroy();
      });
    }
    if (this.mode === 'open') this.forward(pair);
    else this.stopForwarding(pair);
  }

  private forward({ client, upstream }: Pair): void {
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
    upstream.resume();
  }

  private stopForwarding({ client, upstream }: Pair): void {
    client.unpipe(upstream);
    upstream.unpipe(client);
    client.pause();
    upstream.pause();
  }
}

/** A localhost port nothing listens on (bound, read, released). */
export async function unusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
