import { useEffect, useMemo, useState } from 'react';
import { authHeaders } from '../api/apiClient';

/** Above this many bytes the value is offered as a download only, not parsed and shown. */
const SHOW_LIMIT_BYTES = 8 * 1024 * 1024;
/** The page shows this much of the formatted value (a browser slows down on megabytes of text). */
const SHOWN_CHARS = 200_000;

/**
 * What the trace says about an output too large to travel in an event: a truncated preview
 * (`{truncated, bytes, head}`) or a blob pointer (`{blob, cloud, bytes}`). Undefined when the
 * event carried the whole value.
 */
export function partialOutputBytes(output: unknown): number | undefined {
  if (typeof output !== 'object' || output === null) return undefined;
  const o = output as Record<string, unknown>;
  const partial =
    o.truncated === true || (typeof o.blob === 'string' && typeof o.cloud === 'string');
  return partial && typeof o.bytes === 'number' ? o.bytes : undefined;
}

/**
 * The full output of an instance whose trace event held only a preview or a blob pointer:
 * fetched from `GET /executions/:id/output` on demand, its start shown, and offered as a JSON
 * download whatever its size.
 */
export function FullOutput({
  execution,
  instance,
  bytes,
}: {
  execution: string;
  instance: string;
  bytes: number;
}) {
  const [state, setState] = useState<
    | { phase: 'idle' }
    | { phase: 'loading' }
    | { phase: 'loaded'; text: string; url: string }
    | { phase: 'error'; message: string }
  >({ phase: 'idle' });
  const url = state.phase === 'loaded' ? state.url : undefined;
  useEffect(() => () => (url ? URL.revokeObjectURL(url) : undefined), [url]);

  const load = async () => {
    setState({ phase: 'loading' });
    try {
      const response = await fetch(
        `/api/v1/executions/${encodeURIComponent(execution)}/output?instance=${encodeURIComponent(instance)}`,
        { headers: authHeaders() },
      );
      const text = await response.text();
      if (!response.ok) {
        let message = `HTTP ${response.status}`;
        try {
          const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
          message = `${body.error?.code ?? 'HTTP'}: ${body.error?.message ?? message}`;
        } catch {
          // not JSON: keep the status
        }
        setState({ phase: 'error', message });
        return;
      }
      const blob = new Blob([text], { type: 'application/json' });
      setState({ phase: 'loaded', text, url: URL.createObjectURL(blob) });
    } catch (error) {
      setState({ phase: 'error', message: error instanceof Error ? error.message : String(error) });
    }
  };

  const fileName = `${execution}-${instance.replace(/[^A-Za-z0-9_.=-]+/g, '_')}.json`;
  return (
    <div className="full-output" data-testid="full-output">
      {state.phase === 'idle' || state.phase === 'loading' ? (
        <button type="button" onClick={load} disabled={state.phase === 'loading'}>
          {state.phase === 'loading'
            ? 'Loading…'
            : `Load full output (${bytes.toLocaleString('en-US')} bytes)`}
        </button>
      ) : null}
      {state.phase === 'error' && (
        <p role="alert" className="error">
          {state.message}
        </p>
      )}
      {state.phase === 'loaded' && (
        <>
          <a href={state.url} download={fileName}>
            Download JSON ({bytes.toLocaleString('en-US')} bytes)
          </a>
          <FullValue text={state.text} />
        </>
      )}
    </div>
  );
}

/** The value formatted, its first SHOWN_CHARS characters, with a note when there is more. */
function FullValue({ text }: { text: string }) {
  const pretty = useMemo(
    () => (text.length <= SHOW_LIMIT_BYTES ? JSON.stringify(JSON.parse(text), null, 2) : undefined),
    [text],
  );
  if (pretty === undefined) return <p className="muted">Too large to show here: download it.</p>;
  return (
    <>
      <pre data-testid="full-output-value">{pretty.slice(0, SHOWN_CHARS)}</pre>
      {pretty.length > SHOWN_CHARS && (
        <p className="muted">
          {`The first ${SHOWN_CHARS.toLocaleString('en-US')} of ${pretty.length.toLocaleString('en-US')} characters; download it for all.`}
        </p>
      )}
    </>
  );
}
