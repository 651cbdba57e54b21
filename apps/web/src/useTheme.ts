import { useEffect, useState } from 'react';

export type ThemeChoice = 'system' | 'light' | 'dark';
const STORAGE_KEY = 'jointflow.theme';

function systemDark(): boolean {
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;
}

/** Follows the system's colour scheme unless the user picked one; the choice is remembered. */
export function useTheme(): { dark: boolean; choice: ThemeChoice; cycle(): void } {
  const [choice, setChoice] = useState<ThemeChoice>(() => {
    const stored = window.localStorage.getItem(STORAGE_KEY);
    return stored === 'light' || stored === 'dark' ? stored : 'system';
  });
  const [system, setSystem] = useState(systemDark);
  useEffect(() => {
    const query = window.matchMedia?.('(prefers-color-scheme: dark)');
    if (!query) return;
    const onChange = () => setSystem(query.matches);
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }, []);
  const dark = choice === 'system' ? system : choice === 'dark';
  useEffect(() => {
    document.documentElement.dataset.theme = dark ? 'dark' : 'light';
  }, [dark]);
  const cycle = () => {
    const next: ThemeChoice =
      choice === 'system' ? (dark ? 'light' : 'dark') : choice === 'dark' ? 'light' : 'system';
    if (next === 'system') window.localStorage.removeItem(STORAGE_KEY);
    else window.localStorage.setItem(STORAGE_KEY, next);
    setChoice(next);
  };
  return { dark, choice, cycle };
}
