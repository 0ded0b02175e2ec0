// Following incidents as they change: the server-sent events of /api/incidents/stream read
// through fetch (EventSource cannot send the token), reconnecting after a break.
import { token } from '/api.js';

/// Calls `onIncident(feature)` for each changed incident and `onReload()` when the list must
/// be read again (on each new connection, and when the server says the follower fell
/// behind). Answers a function that stops following.
export function followIncidents({ onIncident, onReload, onState = () => {} }) {
  let stopped = false;
  let controller = null;
  const connect = async () => {
    while (!stopped) {
      controller = new AbortController();
      try {
        const response = await fetch('/api/incidents/stream', {
          headers: { Authorization: `Bearer ${token()}`, Accept: 'text/event-stream' },
          signal: controller.signal,
        });
        if (!response.ok) throw new Error(String(response.status));
        onState('live');
        await readEvents(response.body, (event, data) => {
          if (event === 'ready') onReload();
          else if (event === 'reload') onReload();
          else if (event === 'incident') onIncident(JSON.parse(data));
        });
      } catch (error) {
        if (stopped) return;
      }
      onState('reconnecting');
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  };
  connect();
  return () => { stopped = true; controller?.abort(); };
}

/// Reads a text/event-stream body, calling `onEvent(name, data)` per event.
async function readEvents(body, onEvent) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
      let event = 'message';
      const data = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length || event !== 'message') onEvent(event, data.join('\n'));
    }
  }
}
