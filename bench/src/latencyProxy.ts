import net from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 that delays every chunk by a fixed one-way latency in each
 * direction. It puts a process "on another cloud" for the baselines (the centralized
 * coordinator's workers, Restate's service endpoint) with the same one-way latency the local
 * clouds' profiles add between clouds, so cross-cloud runs compare like with like.
 */
export interface LatencyProxy {
  port: number;
  close(): Promise<void>;
}

export async function startLatencyProxy(
  targetPort: number,
  oneWayMs: number,
): Promise<LatencyProxy> {
  const sockets = new Set<net.Socket>();
  const delayed = (from: net.Socket, to: net.Socket) => {
    from.on('data', (chunk) => {
      setTimeout(() => {
        if (!to.destroyed) to.write(chunk);
      }, oneWayMs);
    });
    from.on('end', () => setTimeout(() => to.end(), oneWayMs));
    from.on('error', () => to.destroy());
  };
  const server = net.createServer((client) => {
    client.setNoDelay(true);
    const upstream = net.connect({ host: '127.0.0.1', port: targetPort });
    upstream.setNoDelay(true);
    sockets.add(client);
    sockets.add(upstream);
    client.on('close', () => sockets.delete(client));
    upstream.on('close', () => sockets.delete(upstream));
    delayed(client, upstream);
    delayed(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  return {
    port: address.port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
