import type { AlertSettingsView, AlertView } from '../../../../shared/contract/monitoring';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export type WebhookEvent = 'firing' | 'resolved';

/** Where a notification goes besides the app's own event; the service never waits on it. */
export interface AlertNotifier {
  send(alert: AlertView, event: WebhookEvent): void;
}

/** The settings row the notifier reads its URL from and writes its outcome to. */
export interface WebhookSettings {
  getSettings(): AlertSettingsView;
  recordWebhookError(error: string | null): void;
}

export interface WebhookNotifierOptions {
  fetch: FetchLike;
  settings: WebhookSettings;
  /** Per notification, redirects included. Default 5 s. */
  timeoutMs?: number;
}

const MAX_REDIRECTS = 3;

/**
 * A JSON POST per notification to the URL the user set (the AlertView plus `event`, as
 * Alertmanager's webhook sends firing and resolved). It never throws into the caller: a failure
 * (an HTTP status, a network error, a timeout) is recorded as the settings' last error, and a
 * success clears it. Redirects are followed only on the same host: a webhook must not be bounced
 * to a machine the user did not name.
 */
export class WebhookNotifier implements AlertNotifier {
  private readonly fetch: FetchLike;
  private readonly settings: WebhookSettings;
  private readonly timeoutMs: number;
  private readonly inFlight = new Set<Promise<void>>();

  constructor({ fetch, settings, timeoutMs = 5000 }: WebhookNotifierOptions) {
    this.fetch = fetch;
    this.settings = settings;
    this.timeoutMs = timeoutMs;
  }

  send(alert: AlertView, event: WebhookEvent): void {
    const delivery = this.deliver(alert, event).finally(() => this.inFlight.delete(delivery));
    this.inFlight.add(delivery);
  }

  /** Resolves once every notification sent so far has been delivered or has failed. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private async deliver(alert: AlertView, event: WebhookEvent): Promise<void> {
    let outcome: string | null;
    try {
      const url = this.settings.getSettings().webhookUrl;
      if (url === null) return;
      outcome = await this.post(url, JSON.stringify({ ...alert, event }));
    } catch (error) {
      outcome = describeFailure(error, this.timeoutMs);
    }
    try {
      this.settings.recordWebhookError(outcome);
    } catch (error) {
      // The store closed while the POST was out (the app is quitting): nothing left to record in.
      console.error('[alerts] could not record the webhook outcome:', error);
    }
  }

  /** Null on a 2xx answer, else what went wrong. */
  private async post(url: string, body: string): Promise<string | null> {
    const signal = AbortSignal.timeout(this.timeoutMs);
    let target = new URL(url);
    for (let hop = 0; ; hop++) {
      const response = await this.fetch(target.href, { method: 'POST', headers: { 'content-type': 'application/json' }, body, redirect: 'manual', signal });
      // Only the status matters; reading the rest would hold the socket.
      await response.body?.cancel().catch(() => undefined);
      if (response.status >= 200 && response.status < 300) return null;
      const location = response.status >= 300 && response.status < 400 ? response.headers.get('location') : null;
      if (location === null) return `webhook ${url} answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
      const next = new URL(location, target);
      if (next.hostname !== target.hostname) return `webhook ${url} redirected to another host (${next.host}); not followed`;
      if (hop >= MAX_REDIRECTS) return `webhook ${url} redirected more than ${MAX_REDIRECTS} times; not followed`;
      target = next;
    }
  }
}

function describeFailure(error: unknown, timeoutMs: number): string {
  const err = error as Error & { cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return `webhook did not answer within ${timeoutMs / 1000} s`;
  const cause = err.cause?.code ?? err.cause?.message;
  return `webhook unreachable: ${err.message}${cause ? ` (${cause})` : ''}`;
}
