/** Reading Server-Sent Events in tests, as a browser's EventSource would. */

/** One server-sent event as a test reads it. */
export interface SseEvent {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
  retry?: string;
}

/** Reads SSE frames from a response body: `next` event, `until` one named so, `cancel` to leave. */
export function sseReader(res: Response) {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  const next = async (): Promise<SseEvent> => {
    for (;;) {
      const end = buffer.indexOf("\n\n");
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event: SseEvent = {};
        for (const line of block.split("\n")) {
          if (line.startsWith(":")) event.comment = line.slice(1).trim();
          else {
            const at = line.indexOf(": ");
            (event as Record<string, string>)[line.slice(0, at)] = line.slice(at + 2);
          }
        }
        return event;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error("stream ended");
      buffer += value;
    }
  };
  /** Next event named `name` (skipping others), within `timeoutMs`. */
  const until = async (name: string, timeoutMs = 5000): Promise<SseEvent> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const event = await Promise.race([
        next(),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error(`no "${name}" event in time`)), deadline - Date.now())
        ),
      ]);
      if (event.event === name || (name === "comment" && event.comment)) return event;
    }
  };
  return { next, until, cancel: () => reader.cancel() };
}
