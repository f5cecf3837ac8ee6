/** The next IPC message of a type from a benchmark's child process (simulators run in their own process). */
import type { ChildProcess } from 'node:child_process';

export function nextMessage<T extends { type: string }>(child: ChildProcess, type: T['type']): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: unknown): void => {
      if (typeof message === 'object' && message !== null && 'type' in message && message.type === type) {
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(message as T);
      }
    };
    const onExit = (code: number | null): void =>
      reject(new Error(`simulator process exited (${code ?? 'signal'}) before sending ${type}`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}
