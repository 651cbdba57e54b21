import { createParser, type EventSourceParser } from 'eventsource-parser';

/** One Server-Sent Event as the wire format defines it. */
export interface SseMessage {
  id?: string;
  event: string;
  data: string;
}

/**
 * Incremental `text/event-stream` parsing (the `eventsource-parser` package): feed it chunks as
 * they arrive, it returns the complete messages. Needed because `EventSource` cannot send an
 * Authorization header, so the app reads the stream with `fetch`.
 */
export class SseParser {
  private readonly parser: EventSourceParser;
  private out: SseMessage[] = [];
  /** The last id seen: SSE ids carry over to later messages that name none. */
  private id: string | undefined;

  constructor() {
    this.parser = createParser({
      onEvent: (message) => {
        if (message.id !== undefined) this.id = message.id;
        this.out.push({ id: this.id, event: message.event ?? 'message', data: message.data });
      },
    });
  }

  push(chunk: string): SseMessage[] {
    this.parser.feed(chunk);
    const messages = this.out;
    this.out = [];
    return messages;
  }
}
