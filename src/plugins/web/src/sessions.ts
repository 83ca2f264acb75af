// The console's sessions: a random id in an HttpOnly, SameSite=Strict cookie, and a CSRF token per session that every
// state-changing request must echo in the X-CSRF-Token header. In login mode a session is made only by POST
// /api/login with the cluster's admin token (compared in constant time); otherwise the page gets one on its first
// GET /api/session, so that CSRF protection holds there too.
import {createHash, randomBytes, timingSafeEqual} from 'node:crypto';

/** The session cookie's name. */
export const SESSION_COOKIE = 'tars_console';

/** How long a session lives after its last use, ms. */
export const SESSION_TTL_MS = 8 * 3600_000;

/** At most this many sessions are kept; the least recently used goes first. */
const MAX_SESSIONS = 1000;

/** Failed logins allowed per minute before the console answers 429 for the rest of that minute. */
export const MAX_FAILED_LOGINS_PER_MINUTE = 10;

/** One browser's session. */
export interface Session {
  readonly id: string;
  /** What the page sends back in X-CSRF-Token. */
  readonly csrf: string;
  /** ms since the epoch after which the session is gone (pushed on by each use). */
  expires: number;
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** Whether `a` equals `b`, in a time that does not depend on where they differ (both are hashed first). */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** The value of cookie `name` in a Cookie header, or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The sessions of one console, in memory (a restart logs everyone out). */
export class Sessions {
  private readonly sessions = new Map<string, Session>();
  private failures: {minute: number; count: number} = {minute: 0, count: 0};

  /**
   * @param token the admin token a login must give (undefined: no login, sessions are handed out)
   * @param now the clock (tests move it)
   */
  constructor(private readonly token: string | undefined, private readonly now: () => number = Date.now) {}

  /** A new session (the oldest is dropped when there are too many). */
  create(): Session {
    for (const [id, s] of this.sessions) if (s.expires <= this.now()) this.sessions.delete(id);
    while (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    const session: Session = {id: randomBytes(32).toString('base64url'), csrf: randomBytes(32).toString('base64url'),
      expires: this.now() + SESSION_TTL_MS};
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session a Cookie header names (its expiry pushed on), or undefined. */
  get(cookieHeader: string | undefined): Session | undefined {
    const id = cookieValue(cookieHeader, SESSION_COOKIE);
    const session = id === undefined ? undefined : this.sessions.get(id);
    if (!session) return undefined;
    if (session.expires <= this.now()) {
      this.sessions.delete(session.id);
      return undefined;
    }
    session.expires = this.now() + SESSION_TTL_MS;
    // Re-inserted: the map's order is least recently used first.
    this.sessions.delete(session.id);
    this.sessions.set(session.id, session);
    return session;
  }

  /** Ends a session. */
  destroy(session: Session): void {
    this.sessions.delete(session.id);
  }

  /** Whether `given` is the admin token; 'throttled' after too many failures this minute (even for the right one). */
  login(given: string): boolean | 'throttled' {
    const minute = Math.floor(this.now() / 60_000);
    if (this.failures.minute !== minute) this.failures = {minute, count: 0};
    if (this.failures.count >= MAX_FAILED_LOGINS_PER_MINUTE) return 'throttled';
    const ok = this.token !== undefined && sameSecret(given, this.token);
    if (!ok) this.failures.count++;
    return ok;
  }

  /** Whether the X-CSRF-Token header `given` is the session's (constant time). */
  static csrfMatches(session: Session, given: string | string[] | undefined): boolean {
    return typeof given === 'string' && given.length > 0 && sameSecret(given, session.csrf);
  }

  /** The Set-Cookie value that gives the browser `session` (`secure` over HTTPS). */
  static cookie(session: Session, secure = false): string {
    return `${SESSION_COOKIE}=${session.id}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${SESSION_TTL_MS / 1000}` +
      (secure ? '; Secure' : '');
  }

  /** The Set-Cookie value that removes the session cookie. */
  static clearCookie(): string {
    return `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`;
  }
}
