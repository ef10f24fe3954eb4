import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config-error.ts';
import { allowsOrigin, corsPolicyFromEnv } from '../../src/http/cors.ts';

describe('CORS_ORIGINS', () => {
  it('defaults to local origins in development and to none in production', () => {
    expect(corsPolicyFromEnv({})).toEqual({ kind: 'local' });
    expect(corsPolicyFromEnv({ NODE_ENV: 'production' })).toEqual({ kind: 'list', origins: [] });
    expect(corsPolicyFromEnv({ NODE_ENV: 'production', CORS_ORIGINS: '  ' })).toEqual({ kind: 'list', origins: [] });
  });

  it('reads a comma-separated list of origins, or *', () => {
    expect(corsPolicyFromEnv({ CORS_ORIGINS: 'https://portal.example.com, http://localhost:5173' })).toEqual({
      kind: 'list',
      origins: ['https://portal.example.com', 'http://localhost:5173'],
    });
    const any = corsPolicyFromEnv({ NODE_ENV: 'production', CORS_ORIGINS: '*' });
    expect(allowsOrigin(any, 'https://anything.example')).toBe(true);
  });

  it.each(['https://portal.example.com/', 'https://portal.example.com/app', 'portal.example.com', 'https://PORTAL.example.com', 'https://portal.example.com:443', 'null'])(
    'stops the start on %j, which a browser never sends as an Origin',
    (origin) => {
      // A ConfigError: npm start prints the message alone and exits 1.
      expect(() => corsPolicyFromEnv({ CORS_ORIGINS: origin })).toThrow(ConfigError);
      expect(() => corsPolicyFromEnv({ CORS_ORIGINS: origin })).toThrow(/CORS_ORIGINS/);
    },
  );

  it('local origins: localhost, 127.0.0.1 and [::1] on any port, nothing else', () => {
    const local = { kind: 'local' } as const;
    for (const origin of ['http://localhost:5173', 'https://localhost', 'http://127.0.0.1:8080', 'http://[::1]:3000']) {
      expect(allowsOrigin(local, origin), origin).toBe(true);
    }
    for (const origin of ['http://localhost.evil.example', 'http://evil.example', 'null', 'file://', 'http://localhost:5173/path', 'ftp://localhost']) {
      expect(allowsOrigin(local, origin), origin).toBe(false);
    }
  });
});
