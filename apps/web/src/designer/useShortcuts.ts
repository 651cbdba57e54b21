import { useEffect } from 'react';

export interface ShortcutHandlers {
  undo(): void;
  redo(): void;
  copy(): void;
  paste(): void;
  duplicate(): void;
  save(): void;
  deleteSelection(): void;
  /** Opens the keyboard help. */
  help(): void;
  /** Moves focus to the inspector's "Connect to…" field of the selected step. */
  connect(): void;
}

/**
 * Every key the designer answers to, as the keyboard help lists them. The canvas's own keys
 * (React Flow: focus, select, move, pan) are listed too, so the help is complete.
 */
export const designerShortcuts: readonly { keys: string; action: string }[] = [
  { keys: '?', action: 'Show this list of shortcuts (Esc closes it)' },
  {
    keys: 'Tab / Shift+Tab',
    action: 'Move focus through the toolbar, palette, steps and inspector',
  },
  {
    keys: 'Enter or Space on a focused step',
    action: 'Select the step (its settings open in the inspector)',
  },
  { keys: 'Esc on a focused step', action: 'Deselect it' },
  { keys: 'Arrow keys', action: 'Move the selected steps' },
  { keys: 'C', action: 'Connect the selected step: focuses "Connect to…" in the inspector' },
  { keys: 'Delete / Backspace', action: 'Delete the selected steps and edges' },
  { keys: 'Ctrl/Cmd+Z', action: 'Undo' },
  { keys: 'Ctrl/Cmd+Shift+Z or Ctrl+Y', action: 'Redo' },
  { keys: 'Ctrl/Cmd+C, Ctrl/Cmd+V', action: 'Copy and paste the selected steps' },
  { keys: 'Ctrl/Cmd+D', action: 'Duplicate the selected steps' },
  { keys: 'Ctrl/Cmd+S', action: 'Save a new version (also inside editors)' },
  { keys: 'Space + drag', action: 'Pan the canvas (or drag the background)' },
  { keys: 'Shift + drag', action: 'Select steps with a box' },
  { keys: 'Shift/Ctrl/Cmd + click', action: 'Add a step or edge to the selection' },
  { keys: 'Scroll / pinch', action: 'Zoom the canvas' },
];

/**
 * Whether keys typed now belong to a text field or an editor: inputs, text areas, selects,
 * contenteditable and Monaco (whose input element, with the EditContext API Chromium offers, is
 * a plain div, so the class of its container is what tells).
 */
export function isTextEntry(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    target.isContentEditable ||
    target.tagName === 'INPUT' ||
    target.tagName === 'TEXTAREA' ||
    target.tagName === 'SELECT' ||
    target.closest('.monaco-editor, .nokey') !== null
  );
}

/**
 * The designer's keyboard (see `designerShortcuts`). Inside text fields and editors only
 * Ctrl/Cmd+S is taken; every other key stays the field's own. A dialog that is open (deploy,
 * help) keeps its keys too.
 */
export function useShortcuts(handlers: ShortcutHandlers): void {
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      const inDialog = event.target instanceof Element && event.target.closest('dialog') !== null;
      const key = event.key.toLowerCase();
      if ((event.ctrlKey || event.metaKey) && !event.altKey && key === 's') {
        event.preventDefault();
        handlers.save();
        return;
      }
      if (isTextEntry(event.target) || inDialog) return;
      if (event.ctrlKey || event.metaKey || event.altKey) {
        if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
        const actions: Record<string, (() => void) | undefined> = {
          z: event.shiftKey ? handlers.redo : handlers.undo,
          y: handlers.redo,
          c: handlers.copy,
          v: handlers.paste,
          d: handlers.duplicate,
        };
        const action = actions[key];
        if (action) {
          event.preventDefault();
          action();
        }
        return;
      }
      if (event.key === 'Delete' || event.key === 'Backspace') {
        event.preventDefault();
        handlers.deleteSelection();
      } else if (event.key === '?') {
        event.preventDefault();
        handlers.help();
      } else if (key === 'c' && !event.shiftKey) {
        event.preventDefault();
        handlers.connect();
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [handlers]);
}
