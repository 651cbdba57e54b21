import { type Graph, graphSchema, type WorkflowIR } from '@jointflow/ir';
import { useEffect, useRef, useState } from 'react';
import { documentStore } from '../document/useDocument';
import { LazyCodeEditor } from '../editor/LazyCodeEditor';

function graphText(graph: Graph): string {
  return `${JSON.stringify(graph, null, 2)}\n`;
}

/**
 * The whole workflow as code: the graph JSON (editable; a valid edit updates the canvas, an
 * invalid one is flagged and not applied) and the compiled IR (read-only).
 */
export function CodeView({
  graph,
  ir,
  dark,
}: {
  graph: Graph;
  ir: WorkflowIR | undefined;
  dark: boolean;
}) {
  const [tab, setTab] = useState<'graph' | 'ir'>('graph');
  const [text, setText] = useState(() => graphText(graph));
  const [invalid, setInvalid] = useState<string | null>(null);
  const applied = useRef(graph);

  // Follow edits made elsewhere (canvas, inspector, undo) unless they are the ones typed here.
  useEffect(() => {
    if (graph !== applied.current) {
      applied.current = graph;
      setText(graphText(graph));
      setInvalid(null);
    }
  }, [graph]);

  const onEdit = (next: string) => {
    setText(next);
    let json: unknown;
    try {
      json = JSON.parse(next);
    } catch (error) {
      setInvalid(`Not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    const parsed = graphSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      setInvalid(
        `Not a valid graph: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`,
      );
      return;
    }
    setInvalid(null);
    applied.current = parsed.data;
    documentStore.getState().apply(() => parsed.data, { coalesce: 'graph-json' });
  };

  return (
    <section className="code-view" aria-label="Code">
      <div className="tabs" role="tablist">
        <button
          type="button"
          role="tab"
          aria-selected={tab === 'graph'}
          onClick={() => setTab('graph')}
        >
          Graph JSON
        </button>
        <button type="button" role="tab" aria-selected={tab === 'ir'} onClick={() => setTab('ir')}>
          Compiled IR
        </button>
        {tab === 'graph' && invalid && (
          <span role="alert" className="error code-invalid">
            {invalid} — not applied.
          </span>
        )}
      </div>
      <div className="code-editor">
        {tab === 'graph' ? (
          <LazyCodeEditor
            path="file:///workflow.graph.json"
            language="json"
            label="Graph JSON"
            value={text}
            dark={dark}
            onChange={onEdit}
          />
        ) : (
          <LazyCodeEditor
            path="file:///workflow.ir.json"
            language="json"
            label="Compiled IR"
            readOnly
            value={
              ir
                ? JSON.stringify(ir, null, 2)
                : '// The graph has errors; fix the problems to see the IR.'
            }
            dark={dark}
          />
        )}
      </div>
    </section>
  );
}
