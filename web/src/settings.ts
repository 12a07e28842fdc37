// Generation settings, remembered per browser in localStorage. Whatever is stored is re-checked
// on load: a value out of range or of the wrong type falls back to its default.
import type { ChatRequest } from './api/chat';

export type LanguageChoice = 'auto' | 'zh' | 'en';

export interface Settings {
  systemPrompt: string;
  maxTokens: number;
  contextRounds: number;
  // null: leave it to the server's default for the model (and, for temperature and top-p, for
  // thinking on or off: Qwen3 samples a thinking answer cooler than a direct one).
  temperature: number | null;
  topP: number | null;
  topK: number | null;
  minP: number | null;
  repetitionPenalty: number | null;
  language: LanguageChoice;
  // Sent as "Authorization: Bearer <key>" when the server was started with --api-key; '' for none.
  apiKey: string;
  // Sent instead on the knowledge bases' admin requests (create, upload, delete) when the server
  // was started with --admin-key; '' for none.
  adminKey: string;
}

export const SETTINGS_KEY = 'qwen-edge.settings.v2';
// Version 1 stored temperature 0.7 and top-p 0.8 whether or not they were chosen.
const SETTINGS_KEY_V1 = 'qwen-edge.settings.v1';
const V1_DEFAULTS = { temperature: 0.7, topP: 0.8 };

// Sampling as the server's defaults for the model say; three earlier rounds kept, as the server
// does.
export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  systemPrompt: '',
  temperature: null,
  topP: null,
  maxTokens: 1024,
  contextRounds: 3,
  topK: null,
  minP: null,
  repetitionPenalty: null,
  language: 'auto',
  apiKey: '',
  adminKey: '',
});

type NumericKey = 'temperature' | 'topP' | 'maxTokens' | 'contextRounds' | 'topK' | 'minP' | 'repetitionPenalty';

export const LIMITS: Record<NumericKey, { min: number; max: number; step: number; integer: boolean }> = {
  temperature: { min: 0, max: 2, step: 0.05, integer: false },
  topP: { min: 0, max: 1, step: 0.05, integer: false },
  maxTokens: { min: 1, max: 4096, step: 1, integer: true },
  contextRounds: { min: 0, max: 50, step: 1, integer: true },
  topK: { min: 0, max: 1000, step: 1, integer: true },
  minP: { min: 0, max: 1, step: 0.01, integer: false },
  repetitionPenalty: { min: 0.5, max: 2, step: 0.01, integer: false },
};

// An HTTP header carries visible ASCII only, and a key never holds spaces: anything else would
// make fetch() throw before the request leaves, so such a key is refused where it is typed.
export const MAX_API_KEY_LENGTH = 1024;

export function validApiKey(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const key = value.trim();
  if (key.length > MAX_API_KEY_LENGTH || !/^[\x21-\x7e]*$/.test(key)) return undefined;
  return key;
}

// The headers that authenticate a request to the API (none without a key).
export function authHeaders(apiKey: string): Record<string, string> {
  return apiKey ? { Authorization: `Bearer ${apiKey}` } : {};
}

// A number for `key` when `value` is one in range; undefined otherwise.
export function validNumber(key: NumericKey, value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) return undefined;
  const limit = LIMITS[key];
  if (n < limit.min || n > limit.max) return undefined;
  if (limit.integer && !Number.isInteger(n)) return undefined;
  return n;
}

export function sanitizeSettings(raw: unknown): Settings {
  const s: Settings = { ...DEFAULT_SETTINGS };
  if (typeof raw !== 'object' || raw === null) return s;
  const r = raw as Record<string, unknown>;
  if (typeof r.systemPrompt === 'string') s.systemPrompt = r.systemPrompt.slice(0, 20_000);
  for (const key of ['maxTokens', 'contextRounds'] as const) {
    s[key] = validNumber(key, r[key]) ?? DEFAULT_SETTINGS[key];
  }
  for (const key of ['temperature', 'topP', 'topK', 'minP', 'repetitionPenalty'] as const) {
    s[key] = r[key] === null ? null : (validNumber(key, r[key]) ?? DEFAULT_SETTINGS[key]);
  }
  s.apiKey = validApiKey(r.apiKey) ?? DEFAULT_SETTINGS.apiKey;
  s.adminKey = validApiKey(r.adminKey) ?? DEFAULT_SETTINGS.adminKey;
  if (r.language === 'zh' || r.language === 'en' || r.language === 'auto') s.language = r.language;
  return s;
}

export function loadSettings(storage: Pick<Storage, 'getItem'> | null): Settings {
  try {
    const text = storage?.getItem(SETTINGS_KEY);
    if (text) return sanitizeSettings(JSON.parse(text));
    const old = storage?.getItem(SETTINGS_KEY_V1);
    return old ? fromVersion1(JSON.parse(old)) : { ...DEFAULT_SETTINGS };
  } catch {
    return { ...DEFAULT_SETTINGS };
  }
}

// Version 1's settings, where its default temperature and top-p become the server's defaults.
function fromVersion1(raw: unknown): Settings {
  const s = sanitizeSettings(raw);
  for (const key of ['temperature', 'topP'] as const) if (s[key] === V1_DEFAULTS[key]) s[key] = null;
  return s;
}

export function saveSettings(storage: Pick<Storage, 'setItem'> | null, settings: Settings): boolean {
  try {
    storage?.setItem(SETTINGS_KEY, JSON.stringify(sanitizeSettings(settings)));
    return storage !== null;
  } catch {
    return false; // storage full or refused: the settings still hold for this visit
  }
}

// The request fields these settings stand for.
export function requestFields(
  s: Settings,
): Pick<ChatRequest, 'temperature' | 'top_p' | 'max_tokens' | 'max_rounds' | 'top_k' | 'min_p' | 'repetition_penalty'> {
  const fields: ReturnType<typeof requestFields> = {
    max_tokens: s.maxTokens,
    max_rounds: s.contextRounds,
  };
  if (s.temperature !== null) fields.temperature = s.temperature;
  if (s.topP !== null) fields.top_p = s.topP;
  if (s.topK !== null) fields.top_k = s.topK;
  if (s.minP !== null) fields.min_p = s.minP;
  if (s.repetitionPenalty !== null) fields.repetition_penalty = s.repetitionPenalty;
  return fields;
}
