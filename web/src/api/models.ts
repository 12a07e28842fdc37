// The models the server offers (GET /v1/models) and the download of one (POST
// /v1/models/{name}/pull; DELETE cancels it), as the model picker needs them.

export type ModelType = 'chat' | 'embedding' | 'reranker';

export interface DownloadProgress {
  bytes: number;
  total: number; // 0 while unknown
  bytesPerSecond: number;
}

export interface ModelInfo {
  id: string;
  type: ModelType;
  bytes: number | null; // the file's size; null for a catalogue model not downloaded
  parameters: number | null;
  downloaded: boolean;
  loaded: boolean;
  thinking: { supported: boolean; default: boolean };
  download: DownloadProgress | null; // while it downloads
  downloadError: string | null; // why the last download stopped
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

// Reads one /v1/models entry; entries of servers that say less (an id alone) are chat models
// that are there and loaded.
export function parseModel(v: unknown): ModelInfo | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  if (typeof o.id !== 'string' || o.id === '') return null;
  const type: ModelType = o.type === 'embedding' || o.type === 'reranker' ? o.type : 'chat';
  const t = (typeof o.thinking === 'object' && o.thinking !== null ? o.thinking : {}) as Record<string, unknown>;
  const d = (typeof o.download === 'object' && o.download !== null ? o.download : null) as Record<string, unknown> | null;
  return {
    id: o.id,
    type,
    bytes: num(o.bytes),
    parameters: num(o.parameters),
    downloaded: o.downloaded !== false,
    loaded: o.loaded !== false,
    thinking: { supported: t.supported === true, default: t.supported === true && t.default === true },
    download: d ? { bytes: num(d.bytes) ?? 0, total: num(d.total) ?? 0, bytesPerSecond: num(d.bytes_per_second) ?? 0 } : null,
    downloadError: typeof o.download_error === 'string' ? o.download_error : null,
  };
}

export function parseModels(body: unknown): ModelInfo[] {
  const data = (body as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) return [];
  return data.map(parseModel).filter((m): m is ModelInfo => m !== null);
}

// "999 B", "12.3 MB", "1.20 GB": decimal units, as the model hubs show sizes.
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = bytes / 1000;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(i >= 2 ? 2 : 1)} ${units[i]}`;
}

// "0.6B", "1.5B", "600M" parameters.
export function formatParameters(n: number): string {
  return n >= 1e9 ? `${+(n / 1e9).toFixed(1)}B` : `${Math.round(n / 1e6)}M`;
}

// Starts the download of a model (POST; resolves when the server has accepted it, 202) or cancels
// it (DELETE; 200).
export async function pullModel(url: string, headers: Record<string, string>, method: 'POST' | 'DELETE' = 'POST'): Promise<void> {
  const response = await fetch(url, { method, headers });
  if (response.status !== 202 && response.status !== 200) {
    let message = `HTTP ${response.status}`;
    try {
      const body = (await response.json()) as { error?: { message?: unknown } };
      if (typeof body.error?.message === 'string') message = body.error.message;
    } catch {
      // the status says enough
    }
    throw new Error(message);
  }
}
