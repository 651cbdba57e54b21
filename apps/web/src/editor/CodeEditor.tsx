import Editor, { type OnMount } from '@monaco-editor/react';
import { DARK_THEME } from './monacoSetup';

export interface CodeEditorProps {
  value: string;
  language: 'typescript' | 'json';
  onChange?: (value: string) => void;
  readOnly?: boolean;
  /** Accessible name of the editor's text area. */
  label: string;
  dark: boolean;
  /** Changing the path gives the editor a fresh model (e.g. when another node is selected). */
  path: string;
}

/** Monaco, from the local package. Loaded lazily through `LazyCodeEditor` (the bundle is large). */
export default function CodeEditor({
  value,
  language,
  onChange,
  readOnly,
  label,
  dark,
  path,
}: CodeEditorProps) {
  const onMount: OnMount = (editor) => {
    editor.getDomNode()?.querySelector('textarea')?.setAttribute('aria-label', label);
  };
  return (
    <Editor
      // "nokey": React Flow's window-wide key handlers (Space pans the canvas and swallows the
      // key) skip elements inside it. Monaco's input is a plain div under Chromium's EditContext
      // API, which React Flow does not recognise as a text field on its own.
      wrapperProps={{ className: 'nokey' }}
      height="100%"
      path={path}
      language={language}
      value={value}
      theme={dark ? DARK_THEME : 'light'}
      onMount={onMount}
      onChange={(next) => onChange?.(next ?? '')}
      options={{
        readOnly,
        minimap: { enabled: false },
        fontSize: 13,
        scrollBeyondLastLine: false,
        automaticLayout: true,
        ariaLabel: label,
        tabSize: 2,
        wordWrap: language === 'typescript' ? 'on' : 'off',
      }}
    />
  );
}
