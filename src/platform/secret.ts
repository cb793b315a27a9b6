import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from './logger.js';

/**
 * APP_SECRET when given; otherwise one generated on first start and kept in the data
 * folder, so that a development machine keeps its sessions and links across restarts.
 */
export function resolveSecret(config: Config, logger: Logger): string {
  if (config.appSecret) return config.appSecret;
  if (config.env === 'production') throw new Error('Invalid configuration:\n  APP_SECRET is required in production (at least 32 characters).');
  const file = join(config.dataDir, 'app-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(config.dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  logger.warn('secret.generated', { file });
  return secret;
}
