type Wake = () => void;

/**
 * Wakes the SSE streams following an execution when something new is stored for it (events, or
 * its end state). Only a wake-up channel: subscribers re-read from the store by sequence number,
 * so a slow subscriber never loses or duplicates events.
 */
export class EventHub {
  private readonly listeners = new Map<string, Set<Wake>>();

  subscribe(execution: string, wake: Wake): () => void {
    let set = this.listeners.get(execution);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(execution, set);
    }
    set.add(wake);
    return () => {
      const current = this.listeners.get(execution);
      if (current === undefined) return;
      current.delete(wake);
      if (current.size === 0) this.listeners.delete(execution);
    };
  }

  wake(execution: string): void {
    for (const wake of this.listeners.get(execution) ?? []) wake();
  }

  /** Wakes every stream (shutdown). */
  wakeAll(): void {
    for (const set of this.listeners.values()) for (const wake of set) wake();
  }
}
