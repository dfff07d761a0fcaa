import pino from 'pino';

/**
 * JSON logs. Secrets and message text never reach them: known secret-bearing paths are
 * redacted, and request logging records only method, route, status and ids.
 */
export function createLogger(level: string): pino.Logger {
  return pino({
    level,
    base: { app: 'switchboard', pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: [
        '*.password',
        '*.newPassword',
        '*.currentPassword',
        '*.token',
        '*.accessToken',
        '*.appSecret',
        '*.masterKey',
        // S3 media store keys, as they sit in the config (config.media.s3.credentials).
        '*.secretAccessKey',
        '*.credentials.secretAccessKey',
        'media.s3.credentials.secretAccessKey',
        'config.media.s3.credentials.secretAccessKey',
        '*.cookie',
        '*.authorization',
        '*.text',
        '*.body',
      ],
      censor: '[redacted]',
    },
  });
}

export type Logger = pino.Logger;
