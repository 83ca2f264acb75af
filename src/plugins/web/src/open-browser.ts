// `tars web --open`: a browser only when this machine has one; never a failure when it has not.
import {spawn} from 'node:child_process';

/**
 * Opens `url` with xdg-open (open on macOS, start on Windows) when there is a display to open it on; resolves
 * whether the opener started (false with no display, no opener, or an opener that failed at once). Never rejects.
 */
export function openInBrowser(url: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const [cmd, args] = process.platform === 'darwin' ? ['open', [url]]
    : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : ['xdg-open', [url]];
  if (process.platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) return Promise.resolve(false);
  return new Promise((resolve) => {
    try {
      const child = spawn(cmd, args, {stdio: 'ignore', detached: true, env});
      const timer = setTimeout(() => {
        child.unref();
        resolve(true);
      }, 1500);
      child.once('error', () => {
        clearTimeout(timer);
        resolve(false);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve(code === 0);
      });
    } catch {
      resolve(false);
    }
  });
}
