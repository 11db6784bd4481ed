// Hash links of the console's views (#/memories?user_id=alice...). Only view state goes in the URL, never
// the key.

/** Builds a hash for a view; empty parameters are left out. */
export function link(name, arg, params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== null && v !== undefined && v !== '' && v !== false) q.set(k, String(v));
  }
  const qs = q.toString();
  return `#/${name}${arg ? `/${encodeURIComponent(arg)}` : ''}${qs ? `?${qs}` : ''}`;
}

/** Goes to a hash; the same hash again re-renders its view. */
export function navigate(hash) {
  if (location.hash === hash) {
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    location.hash = hash;
  }
}

/** The current route: view name, path argument and query parameters of the hash. */
export function route() {
  const hash = location.hash.replace(/^#\/?/, '');
  const cut = hash.indexOf('?');
  const path = cut < 0 ? hash : hash.slice(0, cut);
  const query = cut < 0 ? '' : hash.slice(cut + 1);
  const [name = '', ...rest] = path.split('/');
  return {
    name: decodeURIComponent(name),
    arg: rest.length ? decodeURIComponent(rest.join('/')) : null,
    params: new URLSearchParams(query),
  };
}
