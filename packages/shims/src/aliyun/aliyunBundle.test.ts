import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The Aliyun data plane inside a deployed function runs from an ES module bundle (esbuild,
 * format esm, as packageFunction builds it), where all code is strict mode. This test bundles
 * the Tablestore store and the FC invoker the same way and runs the bundle in a child `node`:
 * - the tablestore SDK's request objects build and encode in strict mode (the SDK assigns to
 *   undeclared loop variables; aliyunClients.ts declares them);
 * - a GetRow goes through the SDK's signing and HTTP path to a loopback HTTP listener, which
 *   answers with a Tablestore protobuf error (`OTSAuthFailed`), and the store reports
 *   ALIYUN_ACCESS_DENIED.
 * The listener is not Tablestore and this says nothing about Tablestore's semantics; it only
 * shows the SDK runs inside the bundle and what it sends (path, instance header).
 */

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const protos = require('tablestore/lib/protocol/tablestore_compiled_proto.js') as {
  main: {
    proto: {
      Error: { encode(m: { code: string; message: string }): { finish(): Uint8Array } };
    };
  };
};

let server: ReturnType<typeof createServer>;
let port = 0;
const seen: { path: string; instance: string | undefined; signed: boolean }[] = [];
let dir = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jf-aliyun-bundle-'));
  server = createServer((req: IncomingMessage, res) => {
    req.resume();
    req.on('end', () => {
      seen.push({
        path: req.url ?? '',
        instance: req.headers['x-ots-instancename'] as string | undefined,
        signed: typeof req.headers['x-ots-signature'] === 'string',
      });
      const body = Buffer.from(
        protos.main.proto.Error.encode({
          code: 'OTSAuthFailed',
          message: 'The AccessKeyID does not exist.',
        }).finish(),
      );
      res.writeHead(403, { 'content-type': 'application/x-protobuf', 'x-ots-requestid': 'r1' });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  port = typeof address === 'object' && address !== null ? address.port : 0;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

describe('Aliyun data plane inside an ESM function bundle', () => {
  it('builds, signs and sends Tablestore requests in strict mode and maps the error', async () => {
    const entry = `
      import { createTablestoreStore } from ${JSON.stringify(join(here, 'tablestoreStore.ts'))};
      import { clientPerCredentials, tablestoreClient } from ${JSON.stringify(join(here, 'aliyunClients.ts'))};
      import { fillSlotParams, prefixRangeParams, putIfAbsentParams } from ${JSON.stringify(join(here, 'tablestoreRequests.ts'))};
      import { createFcInvoker } from ${JSON.stringify(join(here, 'fcInvoker.ts'))};
      import TableStore from 'tablestore';
      TableStore.encoder.encode('updateRow', fillSlotParams('jf', 'e/join:a', 1, 2, { x: 1 }));
      TableStore.encoder.encode('putRow', putIfAbsentParams('jf', 'e/a#ckpt', 1, 5));
      TableStore.encoder.encode('getRange', prefixRangeParams('jf', 'e/'));
      const source = { openApi: {}, get: async () => ({ accessKeyId: 'AK', accessKeySecret: 'SECRET-x9q' }) };
      const store = createTablestoreStore({
        client: clientPerCredentials(source, (c) => tablestoreClient(c, 'inst', 'http://127.0.0.1:${port}')),
        table: 'jf',
      });
      try {
        await store.get('e/a#ckpt');
        console.log(JSON.stringify({ ok: true }));
      } catch (error) {
        console.log(JSON.stringify({ code: error.code, message: error.message, fc: typeof createFcInvoker }));
      }
    `;
    const result = await build({
      stdin: { contents: entry, resolveDir: here, loader: 'ts', sourcefile: 'entry.ts' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      write: false,
      logLevel: 'silent',
      banner: {
        js: "import { createRequire as __jfCreateRequire } from 'node:module'; const require = __jfCreateRequire(import.meta.url);",
      },
    });
    const file = join(dir, 'index.mjs');
    writeFileSync(file, result.outputFiles[0]?.contents ?? new Uint8Array());
    // Asynchronously: the listener answering the child lives in this process.
    const child = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      execFile(
        process.execPath,
        ['--no-deprecation', file],
        { timeout: 60_000 },
        (error, stdout, stderr) => (error ? reject(error) : resolve({ stdout, stderr })),
      );
    });
    expect(child.stderr).toBe('');
    const out = JSON.parse(child.stdout.trim()) as { code?: string; message?: string; fc?: string };
    expect(out.code).toBe('ALIYUN_ACCESS_DENIED');
    expect(out.message).toContain('OTSAuthFailed');
    expect(out.message).not.toContain('SECRET-x9q');
    expect(out.fc).toBe('function');
    expect(seen).toEqual([{ path: '/GetRow', instance: 'inst', signed: true }]);
  }, 120_000);
});
