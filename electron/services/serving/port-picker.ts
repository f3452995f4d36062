import net from 'node:net';
import { conflict } from '../../../shared/errors';

/** Whether nothing listens on 127.0.0.1:port now (tried by binding it briefly). */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A port the kernel says is free now, not one of `taken` (ports Orrery has promised elsewhere). */
export async function pickFreePort(taken: ReadonlySet<number>): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = net.createServer();
      server.unref();
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
        const address = server.address();
        const chosen = typeof address === 'object' && address ? address.port : 0;
        server.close(() => resolve(chosen));
      });
    });
    if (port > 0 && !taken.has(port)) return port;
  }
  throw conflict('Could not find a free port on 127.0.0.1');
}

/** Refuses a port another program listens on, naming it. */
export async function assertPortFree(port: number, field = 'port'): Promise<void> {
  if (!(await portIsFree(port))) throw conflict(`${field}: 127.0.0.1:${port} is in use by another program; choose another port or leave it out`);
}
