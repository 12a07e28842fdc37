// A Server-Sent Events parser fed with raw network bytes. Chunks may split anywhere: inside a
// UTF-8 character, between "\r" and "\n", inside a field name. Follows the WHATWG event-stream
// rules for the parts a chat stream uses (data, event, comments, blank-line dispatch).

export interface SseEvent {
  event: string; // "message" unless the stream named one
  data: string;
}

export class SseParser {
  private readonly decoder = new TextDecoder('utf-8');
  private buffer = '';
  private dataLines: string[] = [];
  private eventName = '';
  private sawCarriageReturn = false;

  // Feeds one network chunk; returns the events it completed.
  feed(bytes: Uint8Array): SseEvent[] {
    return this.consume(this.decoder.decode(bytes, { stream: true }));
  }

  // Call at end of stream: flushes a dangling last line (a stream cut without a blank line
  // yields the event it had gathered, which is what a reader of a cut stream wants).
  end(): SseEvent[] {
    const events = this.consume(this.decoder.decode());
    if (this.buffer.length > 0) {
      this.processLine(this.buffer, events);
      this.buffer = '';
    }
    this.dispatch(events);
    return events;
  }

  private consume(text: string): SseEvent[] {
    const events: SseEvent[] = [];
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 /* \n */ && this.sawCarriageReturn && i === start && this.buffer === '') {
        // The "\n" of a "\r\n" whose "\r" ended the previous line (possibly in an earlier chunk).
        this.sawCarriageReturn = false;
        start = i + 1;
        continue;
      }
      this.sawCarriageReturn = false;
      if (c === 10 || c === 13) {
        const line = this.buffer + text.slice(start, i);
        this.buffer = '';
        this.processLine(line, events);
        this.sawCarriageReturn = c === 13;
        start = i + 1;
      }
    }
    this.buffer += text.slice(start);
    return events;
  }

  private processLine(line: string, events: SseEvent[]): void {
    if (line === '') {
      this.dispatch(events);
      return;
    }
    if (line.startsWith(':')) return; // a comment (servers send them as keep-alive pings)
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.dataLines.push(value);
    else if (field === 'event') this.eventName = value;
    // "id" and "retry" matter for EventSource reconnection only; a POST stream is not resumed.
  }

  private dispatch(events: SseEvent[]): void {
    if (this.dataLines.length > 0) {
      events.push({ event: this.eventName || 'message', data: this.dataLines.join('\n') });
    }
    this.dataLines = [];
    this.eventName = '';
  }
}
