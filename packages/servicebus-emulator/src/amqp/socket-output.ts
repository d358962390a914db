/**
 * How the broker's frames leave a client socket: with `TCP_NODELAY`, and the frames rhea writes during one turn of
 * the event loop gathered into one write.
 *
 * rhea writes every frame with its own `socket.write`. Under Nagle's algorithm a small frame written while an
 * earlier one is unacknowledged waits for the peer's (often delayed) ACK, so a transfer, a disposition or a flow
 * reached the client tens of milliseconds to seconds late under load. `TCP_NODELAY` removes that wait; corking
 * for the turn keeps what it would otherwise cost — a system call and a TCP segment per frame — down to one per
 * turn.
 *
 * It also makes what a client reads follow what the broker decided in one turn, as from Azure Service Bus: a
 * refused attach and its detach (written together, link-refusal.ts) arrive together, whatever the timing.
 */
import type { Socket } from 'node:net';

export function gatherSocketOutput(socket: Socket): void {
  socket.setNoDelay(true);
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  let corked = false;
  // Runs once the turn's synchronous work (rhea's `_process` and the handlers it calls) has written its frames.
  const uncork = (): void => {
    corked = false;
    socket.uncork();
  };
  // rhea holds the socket and calls `write` on it directly; wrapping this one socket's method is the only seam.
  socket.write = (...args: unknown[]): boolean => {
    if (!corked) {
      corked = true;
      socket.cork();
      process.nextTick(uncork);
    }
    return write(...args);
  };
}
