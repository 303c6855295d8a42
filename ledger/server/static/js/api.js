// The JSON API, as any client reads it. Errors arrive as {"error", "problems"} and are thrown
// as ApiError so a view can show them.

export class ApiError extends Error {
  constructor(status, doc) {
    super(doc && doc.error ? doc.error : `HTTP ${status}`);
    this.status = status;
    this.problems = (doc && doc.problems) || [];
  }
}

export async function get(path, params = {}) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (Array.isArray(v)) v.forEach((x) => qs.append(k, x));
    else if (v !== null && v !== undefined && v !== '') qs.set(k, v);
  }
  const text = qs.toString();
  const response = await fetch(path + (text ? '?' + text : ''), { headers: { Accept: 'application/json' } });
  let doc = null;
  try {
    doc = await response.json();
  } catch {
    doc = null;
  }
  if (!response.ok) throw new ApiError(response.status, doc);
  return doc;
}

export function itemPath(section, keyParts) {
  return [encodeURIComponent(section), ...keyParts.map((p) => encodeURIComponent(p))].join('/');
}
