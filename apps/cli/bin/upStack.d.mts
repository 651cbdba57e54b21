import type { ChildProcess } from 'node:child_process';

/** A running `jointflow up` (bin/upStack.mjs). */
export interface UpStack {
  child: ChildProcess;
  url: string;
  token: string;
  /** SIGTERM to its process group (SIGKILL after 5 s); resolves when it exited. */
  stop(): Promise<void>;
}

/** Starts `jointflow up --port 0 --home <home>`; `code` prefixes its error codes (E2E, FUZZ). */
export function startUpStack(options: {
  home: string;
  code: string;
  timeoutMs?: number;
  echoStderr?: boolean;
}): Promise<UpStack>;
