import net from "node:net";

// PostgreSQL's CancelRequest: a separate connection that sends the backend's pid and secret key and hangs up.
// No authentication is involved (the secret key is the credential), so it works even when the pool is full.
// Best effort: the running statement then fails with SQLSTATE 57014.

const CANCEL_CODE = 80877102;
const GIVE_UP_MS = 5_000;

export function sendCancel(host: string, port: number, processId: number, secretKey: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = () => {
      socket.destroy();
      resolve();
    };
    socket.setTimeout(GIVE_UP_MS, done);
    socket.once("error", done);
    socket.once("close", done);
    socket.once("connect", () => {
      const frame = Buffer.alloc(16);
      frame.writeInt32BE(16, 0);
      frame.writeInt32BE(CANCEL_CODE, 4);
      frame.writeInt32BE(processId, 8);
      frame.writeInt32BE(secretKey, 12);
      socket.end(frame);
    });
  });
}
