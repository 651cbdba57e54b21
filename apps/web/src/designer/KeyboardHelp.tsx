import { useEffect, useRef } from 'react';
import { designerShortcuts } from './useShortcuts';

/** The keyboard help ("?"): every shortcut of the designer, in a modal dialog (Esc closes it). */
export function KeyboardHelp({ onClose }: { onClose(): void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);
  return (
    <dialog
      ref={dialog}
      className="keyboard-help"
      aria-labelledby="keyboard-help-title"
      onClose={onClose}
    >
      <header>
        <h2 id="keyboard-help-title">Keyboard shortcuts</h2>
        <button type="button" onClick={() => dialog.current?.close()}>
          Close
        </button>
      </header>
      <p className="muted">
        Shortcuts never fire while you type in a field or a code editor (except Ctrl/Cmd+S).
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">Keys</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {designerShortcuts.map((shortcut) => (
            <tr key={shortcut.keys}>
              <td>
                <kbd>{shortcut.keys}</kbd>
              </td>
              <td>{shortcut.action}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </dialog>
  );
}
