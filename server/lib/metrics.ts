import client from 'prom-client';

/** Values read from elsewhere (the database) when /metrics is scraped. */
export type MetricProbes = { messagesDefaultRows?: () => Promise<number> };

/** The process's Prometheus registry and the instruments the code updates. */
export function createMetrics(probes: MetricProbes = {}) {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'switchboard_' });
  return {
    registry,
    httpRequests: new client.Counter({
      name: 'switchboard_http_requests_total',
      help: 'HTTP requests by route template and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
    httpDuration: new client.Histogram({
      name: 'switchboard_http_request_duration_seconds',
      help: 'HTTP request duration by route template',
      labelNames: ['method', 'route'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    loginFailures: new client.Counter({
      name: 'switchboard_login_failures_total',
      help: 'Failed sign-ins by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    webhookRequests: new client.Counter({
      name: 'switchboard_webhook_requests_total',
      help: 'WhatsApp webhook POSTs by outcome (accepted, bad_signature, unknown_number, malformed, error)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    webhookEvents: new client.Counter({
      name: 'switchboard_webhook_events_total',
      help: 'Webhook events by kind (message, duplicate, status, parked_status, template_status, quality; foreign_number: left out, of a number no channel runs)',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    outboundMessages: new client.Counter({
      name: 'switchboard_outbound_messages_total',
      help: 'Outbox sends by result (sent, retry, failed; unknown: no answer, left for the sweep to settle from statuses)',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    outboxToAccepted: new client.Histogram({
      name: 'switchboard_outbox_to_accepted_seconds',
      help: 'Time from a message entering the outbox to Meta accepting it (wamid answered)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 300],
      registers: [registry],
    }),
    lanePauses: new client.Counter({
      name: 'switchboard_lane_pauses_total',
      help: "Numbers whose broadcasts the sender paused, by reason (quality_dropped, token_invalid)",
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    integrationCalls: new client.Counter({
      name: 'switchboard_integration_calls_total',
      help: 'Bot lookup calls to integrations by outcome (ok, timeout, http_error, bad_response)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    auditEvents: new client.Counter({
      name: 'switchboard_audit_events_total',
      help: 'Audit events appended by this process',
      registers: [registry],
    }),
    // Read at scrape time, so every process shows it and it is current between job runs.
    messagesDefaultRows: new client.Gauge({
      name: 'switchboard_messages_default_partition_rows',
      help: 'Messages in the default partition (0 while monthly partitions are kept ahead; counted up to 100,000)',
      registers: [registry],
      async collect() {
        if (!probes.messagesDefaultRows) {
          return;
        }
        try {
          this.set(await probes.messagesDefaultRows());
        } catch {
          // The database is away or a partition change holds the lock: keep the last value.
        }
      },
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
