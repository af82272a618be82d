/** Reading the JSON lines a bench's helper process prints. */

/** JSON values, one per line of `stream` that starts with `{` (other lines are skipped). */
export async function* jsonLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<unknown> {
  let pending = "";
  const decoder = new TextDecoder();
  for await (const bytes of stream) {
    pending += decoder.decode(bytes, { stream: true });
    let end;
    while ((end = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, end);
      pending = pending.slice(end + 1);
      if (line.startsWith("{")) yield JSON.parse(line);
    }
  }
}
