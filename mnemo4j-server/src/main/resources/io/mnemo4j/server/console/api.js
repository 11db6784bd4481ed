// The console's only door to the server: the public REST API, same origin, key in the Authorization header.
// The key lives in this tab's sessionStorage (and in memory): never in a URL, a cookie or a log.

const KEY = 'mnemo4j.console.key';

/** An error answer of the API ({"error":{"code","message","field"}}), or a network failure (status 0). */
export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

/** The signed-in key and what the server says it is. */
export const session = {
  who: null,
  key() {
    return sessionStorage.getItem(KEY);
  },
  signIn(key, who) {
    sessionStorage.setItem(KEY, key);
    this.who = who;
  },
  signOut() {
    sessionStorage.removeItem(KEY);
    this.who = null;
  },
};

/**
 * Calls the API and returns the parsed JSON body; throws ApiError on any non-2xx answer (with the server's
 * code, message and field) or when the server cannot be reached. Query values that are null, undefined or
 * '' are left out.
 */
export async function api(method, path, { query = {}, body, key } = {}) {
  const url = new URL(path, location.origin);
  for (const [name, value] of Object.entries(query)) {
    if (value !== null && value !== undefined && value !== '' && value !== false) {
      url.searchParams.set(name, String(value));
    }
  }
  const headers = { Accept: 'application/json' };
  const secret = key ?? session.key();
  if (secret) {
    headers.Authorization = `Bearer ${secret}`;
  }
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  let res;
  try {
    res = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store',
      redirect: 'error',
    });
  } catch (e) {
    throw new ApiError(0, 'network_error', `The server could not be reached (${e.message}).`, null);
  }
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    const e = json && typeof json === 'object' ? json.error : null;
    throw new ApiError(
      res.status,
      e?.code ?? `http_${res.status}`,
      e?.message ?? `HTTP ${res.status} ${res.statusText}`,
      e?.field ?? null,
    );
  }
  return json;
}

/** Encodes one path segment (ids may hold any character but control characters). */
export function seg(value) {
  return encodeURIComponent(value);
}
