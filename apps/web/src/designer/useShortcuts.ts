import { useEffect } from 'react';

export interface ShortcutHandlers {
  undo(): void;
  redo(): void;
  copy(): void;
  paste(): void;
  duplicate(): void;
  save(): void;
  deleteSelection(): void;
}

function isTextEntry(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    target.isContentEditable ||
    target.tagName === 'INPUT' ||
    target.tagName === 'TEXTAREA' ||
    target.tagName === 'SELECT' ||
    target.closest('.monaco-editor') !== null
  );
}

/**
 * The designer's keyboard: Delete/Backspace, Ctrl/Cmd+Z, Ctrl/Cmd+Shift+Z (and Ctrl+Y), Ctrl/Cmd+C/V/D, Ctrl/Cmd+S.
 * Inside text fields and Monaco only Ctrl/Cmd+S is taken; the rest stays the editor's own.
 */
export function useShortcuts(handlers: ShortcutHandlers): void {
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if ((event.key === 'Delete' || event.key === 'Backspace') && !isTextEntry(event.target)) {
        if (event.ctrlKey || event.metaKey || event.altKey) return;
        event.preventDefault();
        handlers.deleteSelection();
        return;
      }
      if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
      const key = event.key.toLowerCase();
      if (key === 's') {
        event.preventDefault();
        handlers.save();
        return;
      }
      if (isTextEntry(event.target)) return;
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
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [handlers]);
}
