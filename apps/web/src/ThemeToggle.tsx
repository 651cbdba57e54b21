import type { ThemeChoice } from './useTheme';

export interface ThemeProps {
  theme: { dark: boolean; choice: ThemeChoice; cycle(): void };
}

export function ThemeToggle({ theme }: ThemeProps) {
  return (
    <button
      type="button"
      className="ghost"
      onClick={theme.cycle}
      title="Theme: system, light or dark"
    >
      {theme.choice === 'system' ? 'Theme: system' : theme.dark ? 'Theme: dark' : 'Theme: light'}
    </button>
  );
}
