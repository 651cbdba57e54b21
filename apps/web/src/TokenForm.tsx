import { useState } from 'react';
import { saveToken } from './api/token';

/** Shown when the app has no API token: `jointflow up` prints a URL that carries it. */
export function TokenForm({ onToken }: { onToken(token: string): void }) {
  const [value, setValue] = useState('');
  return (
    <main className="token-page">
      <h1>Jointflow</h1>
      <p>
        Open the URL that <code>jointflow up</code> printed (it carries the token), or paste the
        token from <code>.jointflow/token</code> here.
      </p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (!value.trim()) return;
          saveToken(value);
          onToken(value.trim());
        }}
      >
        <label>
          API token{' '}
          <input value={value} onChange={(e) => setValue(e.target.value)} autoComplete="off" />
        </label>
        <button type="submit">Continue</button>
      </form>
    </main>
  );
}
