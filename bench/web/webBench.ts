// Web benchmark (not a test): frame times while dragging a node in a 500-node graph, and the
// time until the timeline of a 200,000-event run first paints, plus frame times while scrolling
// it. Runs the production build (apps/web/dist) in Debian's Chromium; every /api call is
// answered from synthetic fixtures through Playwright's routing, so no stack is needed.
//
//   npx tsx bench/web/webBench.ts            (builds apps/web first if dist is missing)
//
// Writes bench/results/web.json.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from '@playwright/test';
import { chromiumLaunchOptions } from '../../e2e/chromium';
import { bigGraph, bigRunSse, CLOUDS, mapGraph } from './fixtures';

const root = fileURLToPath(new URL('../..', import.meta.url));
// WEB_DIST: another build, e.g. `vite build --minify false --outDir /tmp/x` for readable profiles.
const dist = process.env.WEB_DIST ?? join(root, 'apps/web/dist');
/** Graph sizes of the drag benchmark: 500 (met since the first version) and 2,000 (issue 10). */
const DRAG_SIZES = [500, 2000] as const;
/** Events in the synthetic run (`WEB_EVENTS` overrides, e.g. 20000 for a quick look). */
const EVENTS = Number(process.env.WEB_EVENTS ?? 200_000);
const RUN_SSE = bigRunSse('ex_bench', EVENTS);
/** The body encoded once, not per request. */
const RUN_SSE_BYTES = Buffer.from(RUN_SSE);
/** Instances in the synthetic run (each has one `step.started`). */
const INSTANCES = RUN_SSE.split('"kind":"step.started"').length - 1;
const TOKEN = 'bench-token';

const types: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.ttf': 'font/ttf',
  '.json': 'application/json',
};

function serveDist(): Promise<{ url: string; close(): void }> {
  // Every `/api/v1` answer comes from this server over real HTTP, as from the API: Playwright's
  // routing with a URL predicate intercepts every request over CDP (even the ones it lets
  // through), which held the run's 67 MB event stream ~550 ms before its first byte, time the
  // page's first paint would count although no page code ran.
  const graphs = new Map<string, ReturnType<typeof bigGraph>>();
  const runGraph = mapGraph();
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (path.startsWith('/api/v1/')) {
      if (path === '/api/v1/executions/ex_bench/events') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(RUN_SSE_BYTES);
        return;
      }
      const body = apiFixture(path.slice('/api/v1'.length), graphs, runGraph);
      res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body ?? { error: { code: 'BENCH', message: 'not mocked' } }));
      return;
    }
    const file = join(dist, path === '/' ? 'index.html' : path);
    if (!file.startsWith(dist) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}`, close: () => server.close() });
    });
  });
}

/** The API's answer for `path` (below `/api/v1`) from the fixtures, or undefined for a 404. */
function apiFixture(
  path: string,
  graphs: Map<string, ReturnType<typeof bigGraph>>,
  runGraph: ReturnType<typeof mapGraph>,
): unknown {
  if (path === '/clouds') return { items: CLOUDS };
  const size = /^\/workflows\/wf_bench(\d+)$/.exec(path)?.[1];
  if (size) {
    const graph = graphs.get(size) ?? bigGraph(Number(size));
    graphs.set(size, graph);
    return { id: `wf_bench${size}`, name: graph.name, version: 1, graph };
  }
  if (path === '/workflows/wf_run')
    return { id: 'wf_run', name: 'scores', version: 1, graph: runGraph };
  if (path === '/executions')
    return { items: [{ id: 'ex_bench', status: 'succeeded', workflowId: 'wf_bench' }] };
  if (path === '/executions/ex_bench')
    return { id: 'ex_bench', status: 'succeeded', result: { ok: true } };
  return undefined;
}

function stats(frames: number[]) {
  const sorted = [...frames].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const mean = frames.reduce((s, f) => s + f, 0) / Math.max(1, frames.length);
  return {
    frames: frames.length,
    meanFrameMs: Number(mean.toFixed(2)),
    fps: Number((1000 / mean).toFixed(1)),
    p50FrameMs: Number(at(0.5).toFixed(2)),
    p95FrameMs: Number(at(0.95).toFixed(2)),
    maxFrameMs: Number((sorted[sorted.length - 1] ?? 0).toFixed(2)),
  };
}

// In-page scripts are strings: tsx compiles functions with helpers that do not exist in the page.
const RECORD_FRAMES = `(() => {
  window.__frames = [];
  window.__recording = true;
  let last = performance.now();
  const tick = (now) => {
    window.__frames.push(now - last);
    last = now;
    if (window.__recording) requestAnimationFrame(tick);
  };
  requestAnimationFrame((now) => { last = now; requestAnimationFrame(tick); });
})()`;
const STOP_FRAMES = '(() => { window.__recording = false; return window.__frames; })()';

/** Records requestAnimationFrame intervals in the page until the returned function is called. */
async function startFrameRecorder(page: Page) {
  await page.evaluate(RECORD_FRAMES);
  return async () => (await page.evaluate(STOP_FRAMES)) as number[];
}

async function dragBench(page: Page, base: string, nodes: number) {
  // A node in the middle of the graph (row 10 of 20 for 500 nodes, row 40 of 80 for 2,000).
  const dragged = `step${Math.floor(nodes / 2) + 10}`;
  await page.goto(`${base}/#token=${TOKEN}`);
  await page.goto(`${base}/#/workflows/wf_bench${nodes}`);
  await page
    .locator('.react-flow__node')
    .nth(nodes - 1)
    .waitFor({ state: 'attached', timeout: 120_000 });
  // Let the load settle: fit view, validation, and the step code check (in its worker).
  await page.waitForFunction(
    `document.querySelector('button.primary')?.title !== 'Checking the step code…'`,
    undefined,
    { timeout: 120_000 },
  );
  await page.waitForTimeout(1500);
  const node = page.getByTestId(`node-${dragged}`);
  const box = await node.boundingBox();
  if (!box) throw new Error(`BENCH_NO_NODE: ${dragged} is not on screen`);
  const x = box.x + box.width / 2;
  // The middle of the node: at the zoom that fits 2,000 nodes a node is about 4 px high.
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  // WEB_PROFILE=<file>: a CPU profile of the drag (open it in Chrome's DevTools).
  const cdp = process.env.WEB_PROFILE ? await page.context().newCDPSession(page) : undefined;
  if (cdp) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.start');
  }
  // WEB_TRACE=<file>: a Chromium performance trace of the drag (open it in DevTools' Performance panel).
  if (process.env.WEB_TRACE) {
    await page
      .context()
      .browser()
      ?.startTracing(page, {
        path: process.env.WEB_TRACE,
        categories: [
          'devtools.timeline',
          'disabled-by-default-devtools.timeline',
          'blink',
          'cc',
          'viz',
        ],
      });
  }
  const stop = await startFrameRecorder(page);
  const started = Date.now();
  for (let i = 1; i <= 120; i++) {
    await page.mouse.move(x + Math.sin(i / 10) * 200, y + Math.cos(i / 10) * 100 - 100);
  }
  const frames = await stop();
  if (cdp && process.env.WEB_PROFILE) {
    const { profile } = await cdp.send('Profiler.stop');
    writeFileSync(process.env.WEB_PROFILE, JSON.stringify(profile));
  }
  if (process.env.WEB_TRACE) await page.context().browser()?.stopTracing();
  const cpu = process.env.WEB_TRACE ? mainThreadCpu(process.env.WEB_TRACE) : undefined;
  // What React Flow actually renders (onlyRenderVisibleElements culls outside the viewport).
  const rendered = (await page.evaluate(`({
    renderedNodes: document.querySelectorAll('.react-flow__node').length,
    renderedEdges: document.querySelectorAll('.react-flow__edge').length,
    mergedEdgePaths: document.querySelectorAll('.merged-edge').length,
    viewport: document.querySelector('.react-flow__viewport')?.style.transform ?? '',
  })`)) as {
    renderedNodes: number;
    renderedEdges: number;
    mergedEdgePaths: number;
    viewport: string;
  };
  await page.mouse.up();
  // The drag must have done its job: the node moved and, released, is selected in the inspector.
  const after = await node.boundingBox();
  if (!after || Math.abs(after.x - box.x) + Math.abs(after.y - box.y) < 1)
    throw new Error('BENCH_DRAG_NO_MOVE: the dragged node did not move');
  await page.waitForFunction(
    `[...document.querySelectorAll('[aria-label="Inspector"] input')].some((i) => i.value === '${dragged}')`,
    undefined,
    { timeout: 60_000 },
  );
  return {
    nodes,
    dragMoves: 120,
    wallMs: Date.now() - started,
    ...rendered,
    ...stats(frames.slice(1)),
    framesOver20Ms: frames.slice(1).filter((f) => f > 20).length,
    ...(cpu ? { traced: cpu } : {}),
  };
}

/**
 * The renderer main thread's CPU time per main frame in a trace (`tdur` of its top-level tasks:
 * JavaScript, style, layout, paint, layerize, hit testing). Unlike frame intervals it barely
 * moves with the machine's load, so it compares changes made at different loads.
 */
function mainThreadCpu(file: string) {
  type TraceEvent = {
    name: string;
    ph: string;
    pid: number;
    tid: number;
    ts: number;
    dur?: number;
    tdur?: number;
    args?: { name?: string };
  };
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as
    | { traceEvents?: TraceEvent[] }
    | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : (parsed.traceEvents ?? []);
  const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  if (!main) return undefined;
  const onMain = (e: TraceEvent) => e.ph === 'X' && e.pid === main.pid && e.tid === main.tid;
  const tasks = events.filter((e) => onMain(e) && e.name === 'RunTask').sort((a, b) => a.ts - b.ts);
  let end = 0;
  let cpuUs = 0;
  for (const task of tasks) {
    if (task.ts < end) continue;
    end = task.ts + (task.dur ?? 0);
    cpuUs += task.tdur ?? task.dur ?? 0;
  }
  const frames = events.filter((e) => onMain(e) && e.name === 'ProxyMain::BeginMainFrame').length;
  const layerizeUs = events
    .filter((e) => onMain(e) && e.name === 'Layerize')
    .reduce((sum, e) => sum + (e.tdur ?? e.dur ?? 0), 0);
  return {
    mainFrames: frames,
    mainThreadCpuMsPerFrame: Number((cpuUs / 1000 / Math.max(1, frames)).toFixed(1)),
    layerizeCpuMsPerFrame: Number((layerizeUs / 1000 / Math.max(1, frames)).toFixed(1)),
  };
}

async function timelineBench(page: Page, base: string) {
  await page.goto(`${base}/#token=${TOKEN}`);
  await page.waitForSelector('body');
  // WEB_PROFILE=<file>: a CPU profile from opening the run until its first painted row.
  const cdp = process.env.WEB_PROFILE ? await page.context().newCDPSession(page) : undefined;
  if (cdp) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.start');
  }
  // WEB_TRACE=<file>: a Chromium performance trace until the first painted row.
  if (process.env.WEB_TRACE) {
    await page
      .context()
      .browser()
      ?.startTracing(page, {
        path: process.env.WEB_TRACE,
        categories: [
          'devtools.timeline',
          'disabled-by-default-devtools.timeline',
          'blink',
          'netlog',
          'loading',
        ],
      });
  }
  await page.evaluate(`(() => {
    window.__t0 = performance.now();
    window.location.hash = '#/workflows/wf_run/runs/ex_bench';
  })()`);
  const firstPaint = (await page.evaluate(`new Promise((resolve) => {
    const check = () => {
      if (document.querySelector('.tl-row')) requestAnimationFrame(() => resolve(performance.now() - window.__t0));
      else requestAnimationFrame(check);
    };
    check();
  })`)) as number;
  if (cdp && process.env.WEB_PROFILE) {
    const { profile } = await cdp.send('Profiler.stop');
    writeFileSync(process.env.WEB_PROFILE, JSON.stringify(profile));
  }
  if (process.env.WEB_TRACE) await page.context().browser()?.stopTracing();
  // What the first screen waited for: when each request started and answered, since opening.
  const requests = (await page.evaluate(`performance.getEntriesByType('resource')
    .filter((e) => e.name.includes('/api/v1/') && e.startTime >= window.__t0)
    .map((e) => ({
      path: new URL(e.name).pathname.replace('/api/v1', ''),
      startMs: Math.round(e.startTime - window.__t0),
      firstByteMs: Math.round(e.responseStart - window.__t0),
    }))`)) as { path: string; startMs: number; firstByteMs: number }[];
  // Every instance folded: the timeline's header counts them (the fixture's instances).
  const instances = (await page.evaluate(`new Promise((resolve) => {
    const check = () => {
      const text = document.querySelector('.tl-toolbar')?.textContent ?? '';
      if (text.includes('${INSTANCES} instances')) resolve(performance.now() - window.__t0);
      else requestAnimationFrame(check);
    };
    check();
  })`)) as number;
  // The mapped step opens (its ~50,000 branch rows), then the timeline and the event table scroll.
  await page.getByRole('button', { name: /^Expand score/ }).click();
  const scroll = async (selector: string) => {
    const box = await page.locator(selector).boundingBox();
    if (!box) throw new Error(`BENCH_NO_SCROLLER: ${selector} is not on screen`);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const stop = await startFrameRecorder(page);
    for (let i = 0; i < 60; i++) await page.mouse.wheel(0, 400);
    for (let i = 0; i < 30; i++) await page.mouse.wheel(0, -800);
    const frames = await stop();
    return {
      ...stats(frames.slice(1)),
      framesOver50Ms: frames.slice(1).filter((f) => f > 50).length,
    };
  };
  const timelineScroll = await scroll('.tl-scroll');
  await page.getByRole('tab', { name: 'Events' }).click();
  const eventsShown = (await page.evaluate(`new Promise((resolve) => {
    const check = () => {
      const text = document.querySelector('.events h2')?.textContent ?? '';
      if (text.includes('of ${EVENTS}')) resolve(performance.now() - window.__t0);
      else requestAnimationFrame(check);
    };
    check();
  })`)) as number;
  const eventsScroll = await scroll('.events-scroll');
  return {
    events: EVENTS,
    instances: INSTANCES,
    timelineFirstPaintMs: Math.round(firstPaint),
    requestsBeforeFirstPaint: requests.filter((r) => r.startMs < firstPaint),
    allInstancesFoldedMs: Math.round(instances),
    allEventsShownMs: Math.round(eventsShown),
    timelineScrolling: timelineScroll,
    eventsScrolling: eventsScroll,
  };
}

async function main() {
  const loadAtStart = Number((loadavg()[0] ?? 0).toFixed(2));
  if (!existsSync(join(dist, 'index.html'))) {
    const built = spawnSync('npx', ['vite', 'build'], {
      cwd: join(root, 'apps/web'),
      stdio: 'inherit',
    });
    if (built.status !== 0) throw new Error('BENCH_BUILD_FAILED: `vite build` in apps/web failed');
  }
  const server = await serveDist();
  const browser = await chromium.launch(chromiumLaunchOptions);
  try {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    page.on('crash', () => console.error('BENCH_PAGE_CRASHED: the renderer died'));
    // A drag leaves unsaved changes: leaving the designer for the next graph asks, and we leave.
    page.on('dialog', (dialog) => void dialog.accept().catch(() => undefined));
    // WEB_BENCH=drag or WEB_BENCH=timeline runs one part; the other keeps its last recorded
    // numbers in web.json.
    const only = process.env.WEB_BENCH;
    const resultsFile = join(root, 'bench/results/web.json');
    const previous = existsSync(resultsFile)
      ? (JSON.parse(readFileSync(resultsFile, 'utf8')) as Record<string, unknown>)
      : {};
    let drag = previous.drag;
    let dragBySize = previous.dragBySize;
    if (only === undefined || only === 'drag') {
      const measured = [];
      // WEB_DRAG_SIZES=2000 measures one size (e.g. with WEB_PROFILE, for a profile of that size).
      const sizes = process.env.WEB_DRAG_SIZES
        ? process.env.WEB_DRAG_SIZES.split(',').map(Number)
        : DRAG_SIZES;
      for (const nodes of sizes) {
        const loadBefore = Number((loadavg()[0] ?? 0).toFixed(2));
        const result = {
          ...(await dragBench(page, server.url, nodes)),
          // Each part carries its own time and load: the parts of web.json may come from
          // different runs (WEB_BENCH).
          when: new Date().toISOString(),
          loadAverage1mAtStart: loadBefore,
          loadAverage1m: Number((loadavg()[0] ?? 0).toFixed(2)),
        };
        console.log(`drag ${nodes}`, result);
        measured.push(result);
      }
      // `drag` stays the 500-node result, comparable with every earlier run.
      drag = measured.find((result) => result.nodes === 500) ?? drag;
      dragBySize = measured;
    }
    let timeline = previous.timeline;
    if (only === undefined || only === 'timeline') {
      timeline = await timelineBench(page, server.url);
      console.log('timeline', timeline);
    }
    const result = {
      when: new Date().toISOString(),
      build: 'production (vite build)',
      browser: `Chromium ${browser.version()} headless, --disable-gpu (software rendering)`,
      machine: '2 shared cores',
      loadAverage1mAtStart: loadAtStart,
      loadAverage1m: Number((loadavg()[0] ?? 0).toFixed(2)),
      targets: { dragFps: 50, timelineFirstPaintMs: 1000, scrollMaxFrameMs: 50 },
      measured: only ?? 'drag and timeline',
      drag,
      dragBySize,
      timeline,
    };
    mkdirSync(join(root, 'bench/results'), { recursive: true });
    writeFileSync(join(root, 'bench/results/web.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log('wrote bench/results/web.json');
  } finally {
    await browser.close();
    server.close();
  }
}

await main();
