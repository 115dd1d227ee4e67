/** A failed API call in the api.md error shape. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Record<string, string> = {},
    readonly retryAfter: number | null = null,
    /** The whole `error` object, for codes that carry more (422 sensitive_data: `findings`). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/**
 * Calls the API: a `body` is sent as JSON, or as it is when it is FormData (a file upload: the browser
 * sets the multipart content type with its boundary). Failures throw an ApiError.
 */
export async function api<T>(path: string, options: { method?: string; body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<T> {
  const form = options.body instanceof FormData ? options.body : null;
  const json = options.body !== undefined && !form;
  let res: Response;
  try {
    res = await fetch(path, {
      method: options.method ?? 'GET',
      credentials: 'same-origin',
      headers: { ...(json ? { 'content-type': 'application/json' } : {}), accept: 'application/json', ...options.headers },
      body: form ?? (json ? JSON.stringify(options.body) : undefined),
      signal: options.signal,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'network', 'network error');
  }
  if (res.status === 204) return undefined as T;
  const data = await res.json().catch(() => null);
  if (!res.ok) throw apiError(res.status, data, res.headers.get('retry-after'), res.statusText);
  return data as T;
}

/**
 * The ApiError for a failed answer: its status, the api.md error body (`data`, null when it was not
 * JSON) and the Retry-After header. Also for requests made without `api()` (an upload with progress).
 */
export function apiError(status: number, data: unknown, retryAfter: string | null, statusText = ''): ApiError {
  const e: { code?: string; message?: string; fields?: Record<string, string> } = (data as { error?: object } | null)?.error ?? {};
  return new ApiError(status, e.code ?? 'generic', e.message ?? statusText, e.fields ?? {}, retryAfter ? Number(retryAfter) : null, e as Record<string, unknown>);
}

/** A random key so a retried post is not stored twice (Idempotency-Key). */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}
