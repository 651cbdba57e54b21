import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOtelExporter, otelExporterFromEnv } from './otelExport';
import { type Harness, startHarness } from './testing/apiHarness';
import { useTestLocalClouds } from './testing/testLocalClouds';

/**
 * Executions exported as OpenTelemetry traces over OTLP/HTTP to a receiver on loopback, which
 * checks what arrives: one trace per execution (its id derived from the execution's), a root
 * span, a span per instance with its cloud, attempt and cost, and the join linked to the map
 * branches it collected.
 */

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: { key: string; value: OtlpValue }[];
  links?: { traceId: string; spanId: string }[];
  status?: { code?: number };
}

function attribute(span: OtlpSpan, key: string): unknown {
  const value = span.attributes.find((a) => a.key === key)?.value;
  if (value === undefined) return undefined;
  return value.stringValue ?? value.boolValue ?? value.doubleValue ?? Number(value.intValue);
}

const graph = {
  name: 'otel-map',
  nodes: [
    {
      kind: 'task',
      name: 'split',
      cloud: 'aws-local',
      code: 'export async function handler() { return [1, 2, 3]; }',
    },
    { kind: 'map', name: 'each', cloud: 'aws-local' },
    {
      kind: 'task',
      name: 'square',
      cloud: 'aliyun-local',
      code: 'export async function handler(n) { return n * n; }',
    },
    {
      kind: 'join',
      name: 'sum',
      cloud: 'aws-local',
      fanOut: 'each',
      code: 'export async function handler(xs) { return xs.reduce((a, b) => a + b, 0); }',
    },
  ],
  edges: [
    { id: 'a', source: 'split', target: 'each' },
    { id: 'b', source: 'each', target: 'square' },
    { id: 'c', source: 'square', target: 'sum' },
  ],
};

describe('OpenTelemetry export', () => {
  const localClouds = useTestLocalClouds('jf-otel-');
  let receiver: Server;
  let endpoint = '';
  const spans: OtlpSpan[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      req.on('end', () => {
        if (req.url === '/v1/traces' && req.headers['content-type']?.includes('json')) {
          const parsed = JSON.parse(body) as {
            resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[];
          };
          for (const r of parsed.resourceSpans)
            for (const s of r.scopeSpans) spans.push(...s.spans);
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((ready) => receiver.listen(0, '127.0.0.1', ready));
    endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((done) => receiver.close(() => done()));
  });

  it('is on only when the standard OTLP endpoint variables are set', () => {
    expect(otelExporterFromEnv({})).toBeUndefined();
    const exporter = otelExporterFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1' });
    expect(exporter).toBeDefined();
    void exporter?.shutdown().catch(() => undefined);
  });

  it('exports a run: a span per instance with cloud, attempt and cost; the join linked to its branches', async () => {
    const local = localClouds();
    const otel = createOtelExporter(new OTLPTraceExporter({ url: `${endpoint}/v1/traces` }));
    const h: Harness = await startHarness({
      clouds: local.clouds.map((c) => c.shim),
      extra: { otel },
    });
    let id = '';
    try {
      const { id: workflow } = await h.client.createWorkflow(graph.name, graph);
      const { id: deployment } = await h.client.deploy(workflow);
      expect((await h.client.waitForDeployment(deployment, 60_000)).status).toBe('ready');
      ({ id } = await h.client.startExecution(deployment, {}));
      const end = await h.client.followEvents(id, { onEvent: () => {} });
      expect(end?.result).toBe(14);
    } finally {
      // Closing the API flushes the exporter (after the settle wait of the export in flight).
      await h.close();
    }
    const traceId = createHash('sha256').update(id).digest('hex').slice(0, 32);
    const mine = spans.filter((s) => s.traceId === traceId);
    const byName = (name: string) => mine.filter((s) => s.name === name);
    const root = byName('execution otel-map');
    expect(root).toHaveLength(1);
    expect(attribute(root[0] as OtlpSpan, 'jointflow.execution')).toBe(id);
    expect(attribute(root[0] as OtlpSpan, 'jointflow.status')).toBe('succeeded');
    for (const name of ['split', 'each', 'sum']) expect(byName(name)).toHaveLength(1);
    const squares = byName('square');
    expect(squares).toHaveLength(3);
    for (const span of mine.filter((s) => s !== root[0])) {
      expect(span.parentSpanId).toBe(root[0]?.spanId);
      expect(attribute(span, 'jointflow.attempt')).toBe(1);
      expect(Number(span.endTimeUnixNano)).toBeGreaterThanOrEqual(Number(span.startTimeUnixNano));
    }
    expect(squares.map((s) => attribute(s, 'jointflow.cloud'))).toEqual([
      'aliyun-local',
      'aliyun-local',
      'aliyun-local',
    ]);
    expect(squares.every((s) => (attribute(s, 'jointflow.cost_usd') as number) > 0)).toBe(true);
    const sum = byName('sum')[0] as OtlpSpan;
    expect(new Set(sum.links?.map((l) => l.spanId))).toEqual(new Set(squares.map((s) => s.spanId)));
  });
});
