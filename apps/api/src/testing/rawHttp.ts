import { request } from 'node:http';

/**
 * One HTTP request with node:http, tolerant of a server that answers before reading the whole
 * body (413 on a huge body): the answer is returned even if the upload is cut off.
 */
export function rawHttp(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: string | Buffer,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      // The server may close after answering; a reset before any answer is a real failure.
      reject(error);
    });
    if (body !== undefined) req.write(body, () => {});
    req.end();
  });
}
